package lvscf

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Seconds is a duration in seconds. piranha only reads whole seconds;
// lvsadm also accepts fractions (lint --piranha flags them).
type Seconds float64

func (s Seconds) String() string { return strconv.FormatFloat(float64(s), 'f', -1, 64) }

var (
	errOctal = errors.New("leading zero: piranha (strtol base 0) reads this number as octal")
)

// parseInt reads an integer the way piranha's getNum does: strtol with base
// 0, so "0x10" is 16 and "010" is octal 8. It returns errOctal alongside the
// value for leading-zero numbers, which lint turns into a warning.
func parseInt(s string) (int64, error) {
	neg := false
	t := s
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" {
		return 0, fmt.Errorf("integer expected, got %q", s)
	}
	base := 10
	switch {
	case strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X"):
		base, t = 16, t[2:]
	case len(t) > 1 && t[0] == '0':
		base, t = 8, t[1:]
	}
	v, err := strconv.ParseInt(t, base, 64)
	if err != nil {
		return 0, fmt.Errorf("integer expected, got %q", s)
	}
	if neg {
		v = -v
	}
	if base == 8 {
		return v, errOctal
	}
	return v, nil
}

// parseBool reads piranha's booleans: exactly 0 or 1 (getBoolean).
func parseBool(s string) (bool, error) {
	v, err := parseInt(s)
	if err != nil && !errors.Is(err, errOctal) {
		return false, fmt.Errorf("boolean 0 or 1 expected, got %q", s)
	}
	if v != 0 && v != 1 {
		return false, fmt.Errorf("boolean 0 or 1 expected, got %q", s)
	}
	return v == 1, nil
}

// errFraction marks a duration piranha could not read (it takes integers).
var errFraction = errors.New("fractional seconds are an lvsadm extension: piranha reads whole seconds")

// parseSeconds reads a non-negative duration in seconds. Whole numbers are
// read like piranha's integers; fractions are accepted and flagged.
func parseSeconds(s string) (Seconds, error) {
	if !strings.ContainsAny(s, ".eE") || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err := parseInt(s)
		if err != nil && !errors.Is(err, errOctal) {
			return 0, fmt.Errorf("seconds expected, got %q", s)
		}
		if v < 0 {
			return 0, fmt.Errorf("seconds must not be negative, got %q", s)
		}
		return Seconds(v), err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("seconds expected, got %q", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("seconds must not be negative, got %q", s)
	}
	return Seconds(v), errFraction
}

// parseIP reads an IP address. piranha is IPv4 only; IPv6 is accepted by
// the model (lint --piranha flags it).
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("invalid IP address %q", s)
	}
	return a, nil
}

// errHostname marks a host name where an address is expected: piranha
// resolves it with gethostbyname at start-up, lvsadm does not.
var errHostname = errors.New("host name instead of an IP address")

// parseHost reads the value of primary, backup and friends, which piranha
// passes to gethostbyname when inet_aton fails.
func parseHost(s string) (netip.Addr, error) {
	if a, err := parseIP(s); err == nil {
		return a, nil
	}
	if isHostname(s) && !looksNumeric(s) {
		return netip.Addr{}, errHostname
	}
	return netip.Addr{}, fmt.Errorf("invalid IP address or host name %q", s)
}

func looksNumeric(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// parseMask reads an IPv4 netmask and insists on contiguous ones, which is
// what the kernel's persistence and the ifconfig calls expect.
func parseMask(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("invalid netmask %q", s)
	}
	b := a.As4()
	m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if m != 0 && (^m)&(^m+1) != 0 {
		return a, fmt.Errorf("netmask %s is not contiguous", s)
	}
	return a, nil
}

// wellKnownPorts resolves the service names piranha's getPort accepts
// through getservbyname(name, "tcp"). The table keeps lint deterministic;
// other names fall back to the system's services database.
var wellKnownPorts = map[string]uint16{
	"ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "www": 80,
	"pop3": 110, "imap": 143, "imap2": 143, "ldap": 389, "https": 443, "smtps": 465,
	"submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995, "mysql": 3306,
	"sip": 5060, "postgresql": 5432, "http-alt": 8080, "webcache": 8080,
}

// parsePort reads a port number, or (when names is true, as for a virtual
// server's port and heartbeat_port) a TCP service name.
func parsePort(s string, names bool) (uint16, error) {
	v, err := parseInt(s)
	if err == nil || errors.Is(err, errOctal) {
		if v < 0 || v > 65535 {
			return 0, fmt.Errorf("port %s is out of range 0..65535", s)
		}
		return uint16(v), err
	}
	if !names {
		return 0, fmt.Errorf("port number expected, got %q", s)
	}
	if p, ok := wellKnownPorts[s]; ok {
		return p, nil
	}
	if p, lerr := net.LookupPort("tcp", s); lerr == nil {
		return uint16(p), nil
	}
	return 0, fmt.Errorf("unknown port or service name %q", s)
}

// validDevice reports whether s can name a Linux network interface or alias
// ("eth0", "eth0:1", "bond0.100"): 1 to 15 bytes (IFNAMSIZ-1), no blanks or
// '/', not "." or "..".
func validDevice(s string) error {
	switch {
	case s == "":
		return errors.New("empty device name")
	case len(s) > 15:
		return fmt.Errorf("device name %q is longer than 15 bytes (IFNAMSIZ)", s)
	case s == "." || s == "..":
		return fmt.Errorf("invalid device name %q", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '/' || c >= 0x7f || c == '"' || c == '\'' {
			return fmt.Errorf("invalid byte %q in device name %q", c, s)
		}
	}
	if base, alias, ok := strings.Cut(s, ":"); ok && (base == "" || alias == "" || strings.Contains(alias, ":")) {
		return fmt.Errorf("invalid alias device %q (want NAME:ALIAS, e.g. eth0:1)", s)
	}
	return nil
}

// checkEscapes reports backslash escapes nanny does not translate. nanny's
// convert_str knows \\ \r \n \t \' and \"; any other backslash is sent
// literally, which is rarely what was meant.
func checkEscapes(s string) (bad []string) {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i+1 >= len(s) {
			bad = append(bad, `\ at the end`)
			break
		}
		switch s[i+1] {
		case '\\', 'r', 'n', 't', '\'', '"':
			i++
		default:
			bad = append(bad, s[i:i+2])
			i++
		}
	}
	return bad
}
