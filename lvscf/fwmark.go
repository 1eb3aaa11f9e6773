package lvscf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FwmarkMatch is one fwmark_match value: packets of Proto to the virtual
// server's address and one of Ports get the virtual server's fwmark.
type FwmarkMatch struct {
	Proto string // "tcp" or "udp"
	Ports []PortRange
}

// PortRange is a port (Lo == Hi) or an inclusive range of ports.
type PortRange struct{ Lo, Hi uint16 }

// MaxMultiport is the number of ports iptables' multiport match takes; a
// range counts as two.
const MaxMultiport = 15

// ErrPortRangeInverted is returned by ParseFwmarkMatch for a range whose
// first port is above its last one.
var ErrPortRangeInverted = errors.New("port range is inverted")

// ParseFwmarkMatch parses "PROTO PORTS", e.g. "tcp 21,10000:20000": PROTO
// is tcp or udp, PORTS a comma-separated list of ports and FIRST:LAST
// ranges (1..65535), at most MaxMultiport entries with a range counting
// as two.
func ParseFwmarkMatch(s string) (FwmarkMatch, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return FwmarkMatch{}, errors.New(`expected "PROTO PORTS", e.g. "tcp 21,10000:20000"`)
	}
	m := FwmarkMatch{Proto: f[0]}
	if m.Proto != "tcp" && m.Proto != "udp" {
		return FwmarkMatch{}, fmt.Errorf("protocol %q is not tcp or udp", f[0])
	}
	n := 0
	var inverted error
	for _, p := range strings.Split(f[1], ",") {
		lo, hi, isRange := strings.Cut(p, ":")
		if !isRange {
			hi = lo
		}
		a, err := parseMatchPort(lo)
		if err != nil {
			return FwmarkMatch{}, err
		}
		b, err := parseMatchPort(hi)
		if err != nil {
			return FwmarkMatch{}, err
		}
		if a > b && inverted == nil {
			inverted = fmt.Errorf("%w: %s", ErrPortRangeInverted, p)
		}
		n++
		if isRange {
			n++
		}
		m.Ports = append(m.Ports, PortRange{a, b})
	}
	if n > MaxMultiport {
		return FwmarkMatch{}, fmt.Errorf("%d port entries (a range counts as two): iptables multiport takes at most %d; use another fwmark_match line", n, MaxMultiport)
	}
	if inverted != nil {
		return FwmarkMatch{}, inverted
	}
	return m, nil
}

func parseMatchPort(s string) (uint16, error) {
	if s == "" {
		return 0, errors.New("empty port")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("port %q is not a number", s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("port %q has a leading zero", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %s is out of range 1..65535", s)
	}
	return uint16(n), nil
}

// Dports formats the ports as iptables multiport wants them: "21,10000:20000".
func (m FwmarkMatch) Dports() string {
	var sb strings.Builder
	for i, p := range m.Ports {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(p.Lo)))
		if p.Hi != p.Lo {
			sb.WriteByte(':')
			sb.WriteString(strconv.Itoa(int(p.Hi)))
		}
	}
	return sb.String()
}

// String formats m as the fwmark_match value (without quotes).
func (m FwmarkMatch) String() string { return m.Proto + " " + m.Dports() }
