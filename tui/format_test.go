package tui

import (
	"net"
	"testing"
)

func TestSIRate(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {-3, "0"}, {1, "1"}, {2.5, "2.5"}, {9.94, "9.9"}, {9.96, "10"}, {10, "10"}, {999, "999"}, {999.4, "999"},
		{1000, "1.0K"}, {1234, "1.2K"}, {12345, "12K"}, {999499, "999K"}, {999500, "1.0M"},
		{2.5e6, "2.5M"}, {1e9, "1.0G"}, {3e12, "3.0T"}, {1e21, "1000E"},
	} {
		if got := siRate(tt.v); got != tt.want {
			t.Errorf("siRate(%v) = %q, want %q", tt.v, got, tt.want)
		}
		if len(siRate(tt.v)) > 6 && tt.v < 1e20 {
			t.Errorf("siRate(%v) wider than 6", tt.v)
		}
	}
}

func TestSICount(t *testing.T) {
	for _, tt := range []struct {
		n    uint64
		want string
	}{
		{0, "0"}, {99999, "99999"}, {100000, "100K"}, {1234567, "1.2M"}, {1 << 63, "9.2E"},
	} {
		if got := siCount(tt.n); got != tt.want {
			t.Errorf("siCount(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{fit("abc", 5), "abc  "},
		{fit("abcdef", 4), "abc~"},
		{fit("abc", 3), "abc"},
		{fit("abc", 0), ""},
		{fitLeft("192.168.100.200:65535", 12), "~0.200:65535"},
		{fitLeft("10.0.0.1:80", 12), "10.0.0.1:80 "},
		{right("42", 5), "   42"},
		{right("123456", 4), "123~"},
		{clip("hello", 3), "hel"},
		{clip("hi", 3), "hi"},
		{clock(0), "00:00"},
		{clock(61), "01:01"},
		{clock(900), "15:00"},
		{clock(6000), "100:00"},
		{hostPort(net.ParseIP("2001:db8::1"), 443), "[2001:db8::1]:443"},
		{hostPort(net.ParseIP("10.0.0.1"), 80), "10.0.0.1:80"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
