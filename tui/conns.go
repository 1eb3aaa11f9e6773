package tui

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// ConnSummary is the connection table reduced to what the TUI shows: counts
// for every entry, rows for only the first Limit entries that match the
// filter. A table of a million entries costs a few hundred bytes plus Limit
// rows.
type ConnSummary struct {
	Total   int            // entries in the table
	ByState map[string]int // entries per state, over the whole table
	Matched int            // entries matching the filter
	Rows    []ops.Connection
	// MatchedByState and ByDest count the matching entries, all of them
	// (not only the kept rows), per state and per real server.
	MatchedByState map[string]int
	ByDest         map[DestKey]int
}

// DestKey names a real server in ConnSummary.ByDest without allocating.
type DestKey struct {
	Addr netip.Addr
	Port uint16
}

func (k DestKey) String() string { return netip.AddrPortFrom(k.Addr, k.Port).String() }

// States returns the states present, most frequent first (then by name).
func (s *ConnSummary) States() []string {
	out := make([]string, 0, len(s.ByState))
	for st := range s.ByState {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := s.ByState[out[i]], s.ByState[out[j]]
		if a != b {
			return a > b
		}
		return out[i] < out[j]
	})
	return out
}

// connCollector builds a ConnSummary from the streamed table.
type connCollector struct {
	f     ConnFilter
	limit int
	sum   ConnSummary
	buf   []byte // scratch for the regular-expression terms
	// ips holds the kept rows' addresses, carved from shared chunks: three
	// allocations per kept row made a thousand-row refresh cost 3,000.
	ips []byte
}

// newConnCollector keeps at most limit rows; rowsHint (ConnQuery.RowsHint,
// 0 for none) sizes their storage.
func newConnCollector(f ConnFilter, limit, rowsHint int) *connCollector {
	if limit < 0 {
		limit = 0
	}
	cc := &connCollector{f: f, limit: limit, sum: ConnSummary{ByState: map[string]int{},
		MatchedByState: map[string]int{}, ByDest: map[DestKey]int{}}}
	if rowsHint > 0 {
		cc.sum.Rows = make([]ops.Connection, 0, min(limit, rowsHint+rowsHint/4+8))
	}
	return cc
}

// add counts c and keeps a copy of it while under the limit: the kernel
// source reuses c's storage for the next entry.
func (cc *connCollector) add(c *ops.Connection) error {
	cc.sum.Total++
	cc.sum.ByState[c.State]++
	if !cc.f.match(c, &cc.buf) {
		return nil
	}
	cc.sum.Matched++
	cc.sum.MatchedByState[c.State]++
	a, _ := netip.AddrFromSlice(c.Dest)
	cc.sum.ByDest[DestKey{a.Unmap(), c.DPort}]++
	if len(cc.sum.Rows) < cc.limit {
		cp := *c
		cp.Client = cc.keepIP(c.Client)
		cp.Virtual = cc.keepIP(c.Virtual)
		cp.Dest = cc.keepIP(c.Dest)
		cc.sum.Rows = append(cc.sum.Rows, cp)
	}
	return nil
}

func (cc *connCollector) summary() ConnSummary { return cc.sum }

// keepIP copies ip into the collector's address storage.
func (cc *connCollector) keepIP(ip net.IP) net.IP {
	if ip == nil {
		return nil
	}
	if cap(cc.ips)-len(cc.ips) < len(ip) {
		cc.ips = make([]byte, 0, 16<<10)
	}
	n := len(cc.ips)
	cc.ips = append(cc.ips, ip...)
	return net.IP(cc.ips[n : n+len(ip) : n+len(ip)])
}

// ConnFilter selects connection entries. Every set field must match.
type ConnFilter struct {
	State   string // prefix of the state, upper case
	Proto   string // protocol, upper case
	Client  addrMatch
	Virtual addrMatch
	Dest    addrMatch
	Any     []addrMatch // bare addresses: match client, virtual or destination
	// Not holds the terms written with a leading "!", each a filter of
	// its own that must not match.
	Not  []ConnFilter
	res  []connRegexp
	text string
}

// connField is what a regular-expression term looks at.
type connField int

const (
	fieldLine    connField = iota // "TCP ESTABLISHED client:port vip:port rs:port"
	fieldState                    // state
	fieldProto                    // protocol
	fieldClient                   // client address:port
	fieldVirtual                  // virtual address:port
	fieldDest                     // real server address:port
)

// connRegexp is a "~RE" or "key~RE" term.
type connRegexp struct {
	field connField
	re    *regexp.Regexp
}

// String is the filter as the user typed it.
func (f ConnFilter) String() string { return f.text }

// Empty reports whether the filter matches everything.
func (f ConnFilter) Empty() bool {
	return f.State == "" && f.Proto == "" && !f.Client.set && !f.Virtual.set && !f.Dest.set && len(f.Any) == 0 &&
		len(f.Not) == 0 && len(f.res) == 0
}

// addrMatch matches an address, a port, or both.
type addrMatch struct {
	set  bool
	ip   net.IP // nil: any address
	port int    // -1: any port
}

func (a addrMatch) match(ip net.IP, port uint16) bool {
	if !a.set {
		return true
	}
	if a.ip != nil && !a.ip.Equal(ip) {
		return false
	}
	return a.port < 0 || a.port == int(port)
}

// ParseConnFilter parses the connection view's filter: space-separated terms,
// all of which must match.
//
//	state:EST      state prefix, any case (ESTABLISHED)
//	proto:tcp      protocol
//	client:ADDR    client address (ADDR is IP, IP:PORT, [IPv6]:PORT or :PORT)
//	svc:ADDR       virtual address (also vip:)
//	rs:ADDR        real server (also dest:)
//	ADDR           any of the three
//	WORD           a state prefix (est, syn, time_wait)
//	~RE            a regular expression (any case) over the entry's line:
//	               "TCP ESTABLISHED client:port vip:port rs:port"
//	KEY~RE         a regular expression over one field (state, proto,
//	               client, svc, rs and their other names)
//	!TERM          any term, inverted: the entries it does not match
func ParseConnFilter(s string) (ConnFilter, error) {
	f := ConnFilter{text: strings.TrimSpace(s)}
	for _, term := range strings.Fields(s) {
		if neg, ok := strings.CutPrefix(term, "!"); ok {
			if neg == "" {
				return ConnFilter{}, fmt.Errorf("filter: \"!\" needs a term to invert")
			}
			nf, err := ParseConnFilter(neg)
			if err != nil {
				return ConnFilter{}, err
			}
			f.Not = append(f.Not, nf)
			continue
		}
		if ok, err := f.parseRegexp(term); ok || err != nil {
			if err != nil {
				return ConnFilter{}, err
			}
			continue
		}
		key, val, hasKey := strings.Cut(term, ":")
		// An IPv6 address or ":port" also contains a colon: only the
		// known words are keys.
		switch k := strings.ToLower(key); {
		case hasKey && k == "state":
			f.State = strings.ToUpper(val)
		case hasKey && (k == "proto" || k == "prot"):
			f.Proto = strings.ToUpper(val)
		case hasKey && (k == "client" || k == "src" || k == "cip"):
			a, err := parseAddrMatch(val)
			if err != nil {
				return ConnFilter{}, err
			}
			f.Client = a
		case hasKey && (k == "svc" || k == "vip" || k == "virtual"):
			a, err := parseAddrMatch(val)
			if err != nil {
				return ConnFilter{}, err
			}
			f.Virtual = a
		case hasKey && (k == "rs" || k == "dest" || k == "dst"):
			a, err := parseAddrMatch(val)
			if err != nil {
				return ConnFilter{}, err
			}
			f.Dest = a
		default:
			if a, err := parseAddrMatch(term); err == nil {
				f.Any = append(f.Any, a)
				continue
			}
			if strings.ContainsAny(term, ":.") {
				return ConnFilter{}, fmt.Errorf("filter: %q is neither an address nor a key:value term (state: proto: client: svc: rs:)", term)
			}
			f.State = strings.ToUpper(term)
		}
	}
	return f, nil
}

// parseRegexp takes term when it is a "~RE" or "KEY~RE" term.
func (f *ConnFilter) parseRegexp(term string) (bool, error) {
	key, expr, ok := strings.Cut(term, "~")
	if !ok {
		return false, nil
	}
	var field connField
	switch strings.ToLower(key) {
	case "":
		field = fieldLine
	case "state":
		field = fieldState
	case "proto", "prot":
		field = fieldProto
	case "client", "src", "cip":
		field = fieldClient
	case "svc", "vip", "virtual":
		field = fieldVirtual
	case "rs", "dest", "dst":
		field = fieldDest
	default:
		return true, fmt.Errorf("filter: %q: ~ follows nothing or one of state proto client svc rs", term)
	}
	re, err := regexp.Compile("(?i)" + expr)
	if err != nil {
		return true, fmt.Errorf("filter: %q: %w", term, err)
	}
	f.res = append(f.res, connRegexp{field: field, re: re})
	return true, nil
}

func parseAddrMatch(s string) (addrMatch, error) {
	a := addrMatch{set: true, port: -1}
	if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
		a.ip = ip
		return a, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return addrMatch{}, fmt.Errorf("filter: bad address %q", s)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return addrMatch{}, fmt.Errorf("filter: bad port in %q", s)
	}
	a.port = int(p)
	if host != "" {
		if a.ip = net.ParseIP(host); a.ip == nil {
			return addrMatch{}, fmt.Errorf("filter: bad address %q", s)
		}
	}
	return a, nil
}

// Match reports whether c passes the filter. Without regular-expression
// terms it allocates nothing: it runs once per entry of tables that can
// hold millions (the collector gives those terms a reused buffer).
func (f ConnFilter) Match(c *ops.Connection) bool {
	var buf []byte
	return f.match(c, &buf)
}

func (f ConnFilter) match(c *ops.Connection, buf *[]byte) bool {
	if f.State != "" && !hasPrefixFold(c.State, f.State) {
		return false
	}
	if f.Proto != "" && !strings.EqualFold(c.Protocol, f.Proto) {
		return false
	}
	if !f.Client.match(c.Client, c.CPort) || !f.Virtual.match(c.Virtual, c.VPort) || !f.Dest.match(c.Dest, c.DPort) {
		return false
	}
	for _, a := range f.Any {
		if !a.match(c.Client, c.CPort) && !a.match(c.Virtual, c.VPort) && !a.match(c.Dest, c.DPort) {
			return false
		}
	}
	for i := range f.res {
		b := appendField((*buf)[:0], c, f.res[i].field)
		*buf = b
		if !f.res[i].re.Match(b) {
			return false
		}
	}
	for i := range f.Not {
		if f.Not[i].match(c, buf) {
			return false
		}
	}
	return true
}

// appendField appends the text a regular-expression term matches.
func appendField(b []byte, c *ops.Connection, f connField) []byte {
	switch f {
	case fieldState:
		return append(b, c.State...)
	case fieldProto:
		return append(b, c.Protocol...)
	case fieldClient:
		return appendHostPort(b, c.Client, c.CPort)
	case fieldVirtual:
		return appendHostPort(b, c.Virtual, c.VPort)
	case fieldDest:
		return appendHostPort(b, c.Dest, c.DPort)
	}
	b = append(append(b, c.Protocol...), ' ')
	b = append(append(b, c.State...), ' ')
	b = append(appendHostPort(b, c.Client, c.CPort), ' ')
	b = append(appendHostPort(b, c.Virtual, c.VPort), ' ')
	return appendHostPort(b, c.Dest, c.DPort)
}

// appendHostPort is hostPort without allocating.
func appendHostPort(b []byte, ip net.IP, port uint16) []byte {
	a, _ := netip.AddrFromSlice(ip)
	a = a.Unmap()
	if a.Is6() {
		b = append(a.AppendTo(append(b, '[')), ']')
	} else {
		b = a.AppendTo(b)
	}
	return strconv.AppendUint(append(b, ':'), uint64(port), 10)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
