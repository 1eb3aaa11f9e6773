package bgp

import (
	"context"
	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"log/slog"
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
	if err := good().validate(); err != nil {
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
		if err := c.validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
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
		h, k := Neighbor{HoldTime: tc.hold, Keepalive: tc.keep}.timers()
		if h != tc.wantH || k != tc.wantK {
			t.Errorf("hold %v keepalive %v: got %d/%d, want %d/%d", tc.hold, tc.keep, h, k, tc.wantH, tc.wantK)
		}
	}
}

func TestHostPrefix(t *testing.T) {
	for _, ok := range []string{"192.0.2.10/32", "2001:db8::10/128"} {
		if _, err := hostPrefix(netip.MustParsePrefix(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"192.0.2.0/24", "2001:db8::/64", "::ffff:192.0.2.10/128", "0.0.0.0/32"} {
		if _, err := hostPrefix(netip.MustParsePrefix(bad)); err == nil {
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

// GoBGP's log lines arrive one level down: errors as warnings, the rest as
// debug, its own debug output below anything a daemon enables.
func TestQuietHandler(t *testing.T) {
	var got []slog.Level
	h := quietHandler{recordLevels{&got}}
	log := slog.New(h)
	log.Error("e")
	log.Warn("w")
	log.Info("i")
	log.Debug("d")
	want := []slog.Level{slog.LevelWarn, slog.LevelDebug, slog.LevelDebug, slog.LevelDebug - 4}
	if len(got) != len(want) {
		t.Fatalf("levels %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("levels %v, want %v", got, want)
		}
	}
	info := slog.New(quietHandler{slog.NewTextHandler(&strings.Builder{}, nil)})
	if info.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("GoBGP's Info is enabled at a daemon's Info level")
	}
}

type recordLevels struct{ got *[]slog.Level }

func (r recordLevels) Enabled(context.Context, slog.Level) bool { return true }
func (r recordLevels) Handle(_ context.Context, rec slog.Record) error {
	*r.got = append(*r.got, rec.Level)
	return nil
}
func (r recordLevels) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r recordLevels) WithGroup(string) slog.Handler      { return r }

func TestSessionStates(t *testing.T) {
	for i, want := range fsmStates {
		if got := stateFromFSM(bgp.FSMState(i)); got != want {
			t.Errorf("FSM %d: %s, want %s", i, got, want)
		}
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_ESTABLISHED); got != StateEstablished {
		t.Errorf("API established: %s", got)
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_OPENSENT); got != StateOpenSent {
		t.Errorf("API opensent: %s", got)
	}
	if got := stateFromAPI(api.PeerState_SESSION_STATE_UNSPECIFIED); got != StateIdle {
		t.Errorf("API unspecified: %s", got)
	}
}
