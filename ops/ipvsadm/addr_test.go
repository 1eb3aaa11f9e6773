package ipvsadm

import (
	"net"
	"testing"
)

func TestInetAton(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"10.0.0.1", 0x0a000001, true},
		{"10.1", 0x0a000001, true},
		{"10.1.2", 0x0a010002, true},
		{"167772161", 0x0a000001, true},
		{"0x0a.0.0.1", 0x0a000001, true},
		{"012.0.0.1", 0x0a000001, true},
		{"1.2.3.4 trailing", 0x01020304, true},
		{"1.2.3.4x", 0, false},
		{"1.2.3.256", 0, false},
		{"1.2.65536", 0, false},
		{"1.2.3.4.5", 0, false},
		{"08.0.0.1", 0, false},
		{"", 0, false},
		{".1.2.3", 0, false},
		{"1..2", 0, false},
		{"4294967296", 0, false},
		{"web.example", 0, false},
	} {
		got, ok := inetAton(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("inetAton(%q) = %#x, %v; want %#x, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestInetPton6(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"::", true},
		{"::1", true},
		{"1::", true},
		{"2001:db8::1", true},
		{"2001:db8:0:0:0:0:0:1", true},
		{"::ffff:1.2.3.4", true},
		{"1:2:3:4:5:6:1.2.3.4", true},
		{"1:2:3:4:5:6:7:1.2.3.4", false},
		{"::01.2.3.4", false},
		{"1:", false},
		{":1", false},
		{"1:::2", false},
		{"1::2::3", false},
		{"12345::", false},
		{"1:2:3:4:5:6:7:8:9", false},
		{"1:2:3:4:5:6:7::8", false},
		{"fe80::1%eth0", false},
		{"1.2.3.4", false},
		{"", false},
	} {
		a, ok := inetPton6(tt.in)
		if ok != tt.ok {
			t.Errorf("inetPton6(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok {
			if want := net.ParseIP(tt.in); want != nil && !net.IP(a[:]).Equal(want) {
				t.Errorf("inetPton6(%q) = %v, want %v", tt.in, net.IP(a[:]), want)
			}
		}
	}
}

func TestInetNtop6(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"::", "::"},
		{"::1", "::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
		{"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::1.2.3.4", "::1.2.3.4"},
		{"ff02::81", "ff02::81"},
		{"1::", "1::"},
	} {
		var a inetAddr
		copy(a[:], net.ParseIP(tt.in).To16())
		if got := string(appendInetNtop6(nil, a)); got != tt.want {
			t.Errorf("ntop6(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringToNumber(t *testing.T) {
	for _, tt := range []struct {
		in       string
		min, max int64
		want     int64
		ok       bool
	}{
		{"80", 0, 65535, 80, true},
		{" 80", 0, 65535, 80, true},
		{"+80", 0, 65535, 80, true},
		{"-0", 0, 65535, 0, true},
		{"80 ", 0, 65535, -1, false},
		{"", 0, 65535, -1, false},
		{"0x50", 0, 65535, -1, false},
		{"65536", 0, 65535, -1, false},
		{"99999999999999999999", 0, 1 << 62, -1, false},
	} {
		got, ok := stringToNumber(tt.in, tt.min, tt.max)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stringToNumber(%q) = %d, %v", tt.in, got, ok)
		}
	}
	if cAtoi("64abc") != 64 || cAtoi("x") != 0 || cAtoi("-1") != -1 {
		t.Errorf("cAtoi")
	}
}

func TestSortQuirks(t *testing.T) {
	keys := []sortKey{
		{af: 2, addr: inetAddr{10, 0, 0, 1}},
		{af: 2, addr: inetAddr{192, 168, 0, 1}},
		{af: 2, addr: inetAddr{10, 0, 0, 2}},
		{af: 2, addr: inetAddr{1, 0, 0, 1}},
	}
	idx := []int{0, 1, 2, 3}
	mergeSort(idx, func(a, b int) int { return cmpDests(&keys[a], &keys[b]) })
	// 192.168.0.1 - 10.0.0.1 overflows an int: 192.168.0.1 sorts first.
	want := []int{1, 3, 0, 2}
	for i := range want {
		if idx[i] != want[i] {
			t.Fatalf("order %v, want %v", idx, want)
		}
	}
}

func TestServices(t *testing.T) {
	if p, ok := serviceToPort("www", 6); !ok || p != 80 {
		t.Errorf("www/tcp = %d %v", p, ok)
	}
	if _, ok := serviceToPort("http", 17); ok {
		t.Errorf("http/udp found")
	}
	if _, ok := serviceToPort("http", 0); ok {
		t.Errorf("http with no protocol found")
	}
	if n, ok := portToService(8080, 6); !ok || n != "webcache" {
		t.Errorf("8080/tcp = %q %v", n, ok)
	}
	if n, ok := portToService(5060, 132); !ok || n != "sip" {
		t.Errorf("5060/sctp = %q %v", n, ok)
	}
}
