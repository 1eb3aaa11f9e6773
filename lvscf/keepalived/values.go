package keepalived

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// parseSeconds reads a keepalived TIMER: seconds, fractions allowed,
// rounded to milliseconds (lvs.cf's fractional seconds are an lvsadm
// extension; a millisecond is plenty for a check or a heartbeat).
func parseSeconds(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1e6 {
		return 0, fmt.Errorf("%q is not a number of seconds (0 to 1000000)", s)
	}
	return math.Round(v*1000) / 1000, nil
}

func fmtSeconds(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// parseUint reads a non-negative decimal integer up to max.
func parseUint(s string, max uint64) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > max {
		return 0, fmt.Errorf("%q is not an integer in 0..%d", s, max)
	}
	return v, nil
}

// parsePrefixAddr reads "IP" or "IP/BITS"; bits is -1 without a mask.
func parsePrefixAddr(s string) (netip.Addr, int, error) {
	if ip, bits, ok := strings.Cut(s, "/"); ok {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return netip.Addr{}, 0, err
		}
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > a.BitLen() {
			return netip.Addr{}, 0, fmt.Errorf("bad prefix length in %q", s)
		}
		return a, n, nil
	}
	a, err := netip.ParseAddr(s)
	return a, -1, err
}

// maskString is the dotted netmask of an IPv4 prefix length.
func maskString(bits int) string {
	m := uint32(0)
	if bits > 0 {
		m = ^uint32(0) << (32 - bits)
	}
	return fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&0xff, m>>8&0xff, m&0xff)
}

// maskBits is the prefix length of a contiguous IPv4 netmask.
func maskBits(a netip.Addr) (int, bool) {
	if !a.Is4() {
		return 0, false
	}
	b := a.As4()
	m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for n < 32 && m&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && m<<n != 0 {
		return 0, false
	}
	return n, true
}

// nameFor turns an address into a part of a block name: lvs.cf names
// cannot hold blanks or quotes, and dots would need brackets in paths.
func nameFor(a netip.Addr) string {
	return strings.NewReplacer(".", "_", ":", "_").Replace(a.String())
}

// baseDevice is the interface part of an alias ("eth0:1" → "eth0").
func baseDevice(dev string) string {
	b, _, _ := strings.Cut(dev, ":")
	return b
}
