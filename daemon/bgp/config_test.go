package bgp

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	good := func() Config {
		return Config{LocalAS: 65001, RouterID: netip.MustParseAddr("10.0.0.11"),
			Neighbors: []Neighbor{{Address: netip.MustParseAddr("10.0.0.1"), RemoteAS: 65000}}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no AS", func(c *Config) { c.LocalAS = 0 }, "local AS"},
		{"IPv6 router id", func(c *Config) { c.RouterID = netip.MustParseAddr("2001:db8::1") }, "router id"},
		{"bad port", func(c *Config) { c.ListenPort = -2 }, "listen port"},
		{"no neighbor address", func(c *Config) { c.Neighbors[0].Address = netip.Addr{} }, "neighbor address"},
		{"no remote AS", func(c *Config) { c.Neighbors[0].RemoteAS = 0 }, "remote AS"},
		{"twice", func(c *Config) { c.Neighbors = append(c.Neighbors, c.Neighbors[0]) }, "twice"},
		{"hold 2 s", func(c *Config) { c.Neighbors[0].HoldTime = 2 * time.Second }, "hold time"},
		{"keepalive over hold/3", func(c *Config) {
			c.Neighbors[0].HoldTime, c.Neighbors[0].Keepalive = 3*time.Second, 2*time.Second
		}, "keepalive"},
		{"local address of the other family", func(c *Config) {
			c.Neighbors[0].LocalAddress = netip.MustParseAddr("2001:db8::1")
		}, "other family"},
	} {
		c := good()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}

func TestTimers(t *testing.T) {
	for _, tc := range []struct {
		hold, keep   time.Duration
		wantH, wantK uint64
	}{
		{0, 0, 3, 1},
		{9 * time.Second, 0, 9, 3},
		{90 * time.Second, 10 * time.Second, 90, 10},
	} {
		h, k := Neighbor{HoldTime: tc.hold, Keepalive: tc.keep}.Timers()
		if h != tc.wantH || k != tc.wantK {
			t.Errorf("hold %v keepalive %v: got %d/%d, want %d/%d", tc.hold, tc.keep, h, k, tc.wantH, tc.wantK)
		}
	}
}

func TestHostPrefix(t *testing.T) {
	for _, ok := range []string{"192.0.2.10/32", "2001:db8::10/128"} {
		if _, err := HostPrefix(netip.MustParsePrefix(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"192.0.2.0/24", "2001:db8::/64", "::ffff:192.0.2.10/128", "0.0.0.0/32"} {
		if _, err := HostPrefix(netip.MustParsePrefix(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	s, err := New(Config{LocalAS: 1, RouterID: netip.MustParseAddr("10.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := netip.MustParsePrefix("192.0.2.10/32")
	if err := s.SetRoutes(context.Background(), []Route{{Prefix: p, Announce: true}, {Prefix: p}}); err == nil {
		t.Error("a prefix listed twice was accepted")
	}
}
