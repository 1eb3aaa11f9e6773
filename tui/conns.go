package tui

import (
	"fmt"
	"net"
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
}

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
}

func newConnCollector(f ConnFilter, limit int) *connCollector {
	if limit < 0 {
		limit = 0
	}
	return &connCollector{f: f, limit: limit, sum: ConnSummary{ByState: map[string]int{}}}
}

// add counts c and keeps a copy of it while under the limit: the kernel
// source reuses c's storage for the next entry.
func (cc *connCollector) add(c *ops.Connection) error {
	cc.sum.Total++
	cc.sum.ByState[c.State]++
	if !cc.f.Match(c) {
		return nil
	}
	cc.sum.Matched++
	if len(cc.sum.Rows) < cc.limit {
		cp := *c
		cp.Client = cloneIP(c.Client)
		cp.Virtual = cloneIP(c.Virtual)
		cp.Dest = cloneIP(c.Dest)
		cc.sum.Rows = append(cc.sum.Rows, cp)
	}
	return nil
}

func (cc *connCollector) summary() ConnSummary { return cc.sum }

func cloneIP(ip net.IP) net.IP {
	if ip == nil {
		return nil
	}
	return append(net.IP(nil), ip...)
}

// ConnFilter selects connection entries. Every set field must match.
type ConnFilter struct {
	State   string // prefix of the state, upper case
	Proto   string // protocol, upper case
	Client  addrMatch
	Virtual addrMatch
	Dest    addrMatch
	Any     []addrMatch // bare addresses: match client, virtual or destination
	text    string
}

// String is the filter as the user typed it.
func (f ConnFilter) String() string { return f.text }

// Empty reports whether the filter matches everything.
func (f ConnFilter) Empty() bool {
	return f.State == "" && f.Proto == "" && !f.Client.set && !f.Virtual.set && !f.Dest.set && len(f.Any) == 0
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
func ParseConnFilter(s string) (ConnFilter, error) {
	f := ConnFilter{text: strings.TrimSpace(s)}
	for _, term := range strings.Fields(s) {
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

// Match reports whether c passes the filter. It allocates nothing: it runs
// once per entry of tables that can hold millions.
func (f ConnFilter) Match(c *ops.Connection) bool {
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
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
