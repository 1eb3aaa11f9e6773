// Package fwmark installs the iptables mangle MARK rules that put packets
// into firewall-mark virtual servers (the lvs.cf key fwmark_match, an
// lvsadm extension: piranha left these rules to the administrator).
//
// Rules go to table mangle, chain PREROUTING, e.g.
//
//	-d 10.0.0.1/32 -p tcp -m multiport --dports 21,10000:20000 -m comment --comment lvsadm -j MARK --set-mark 21
//
// The comment marks them as lvsadm's. A Manager removes only the rules it
// installed (or found already present with exactly its spec).
package fwmark

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/coreos/go-iptables/iptables"

	"github.com/lvsadm/lvsadm/lvscf"
)

const (
	// Table and Chain the rules go to.
	Table = "mangle"
	Chain = "PREROUTING"
	// Comment is the comment match value on every rule lvsadm installs.
	Comment = "lvsadm"
)

// Rule is one MARK rule: packets to VIP of Match's protocol and ports get
// Mark.
type Rule struct {
	VIP   netip.Addr
	Mark  uint32
	Match lvscf.FwmarkMatch
}

// Spec is the rule as iptables arguments after "-A PREROUTING".
func (r Rule) Spec() []string {
	return []string{
		"-d", netip.PrefixFrom(r.VIP, r.VIP.BitLen()).String(),
		"-p", r.Match.Proto,
		"-m", "multiport", "--dports", r.Match.Dports(),
		"-m", "comment", "--comment", Comment,
		"-j", "MARK", "--set-mark", strconv.FormatUint(uint64(r.Mark), 10),
	}
}

func (r Rule) String() string { return strings.Join(r.Spec(), " ") }

func (r Rule) key() string { return r.VIP.String() + " " + r.String() }

// FromConfig lists the rules of the active firewall-mark virtual servers
// that have fwmark_match, without duplicates.
func FromConfig(cfg *lvscf.Config) []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, v := range cfg.Virtuals {
		if !v.Active || v.Fwmark == 0 || !v.Address.IsValid() {
			continue
		}
		for _, m := range v.FwmarkMatch {
			r := Rule{VIP: v.Address, Mark: v.Fwmark, Match: m}
			if !seen[r.key()] {
				seen[r.key()] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// Table is the part of go-iptables a Manager uses.
type Tables interface {
	AppendUnique(table, chain string, rulespec ...string) error
	DeleteIfExists(table, chain string, rulespec ...string) error
}

// Manager installs and removes MARK rules. It is safe for concurrent use.
type Manager struct {
	// New opens the iptables (IPv4) or ip6tables (IPv6) command; nil uses
	// go-iptables with a 10 second lock wait.
	New func(v6 bool) (Tables, error)

	mu        sync.Mutex
	tables    [2]Tables
	installed []Rule
}

func (m *Manager) table(v6 bool) (Tables, error) {
	i := 0
	if v6 {
		i = 1
	}
	if m.tables[i] != nil {
		return m.tables[i], nil
	}
	newf := m.New
	if newf == nil {
		newf = func(v6 bool) (Tables, error) {
			p := iptables.ProtocolIPv4
			if v6 {
				p = iptables.ProtocolIPv6
			}
			return iptables.New(iptables.IPFamily(p), iptables.Timeout(10))
		}
	}
	t, err := newf(v6)
	if err != nil {
		return nil, fmt.Errorf("iptables: %w", err)
	}
	m.tables[i] = t
	return t, nil
}

// Install makes the installed rules rules: it appends the missing ones
// (AppendUnique) and deletes those it installed before that are no longer
// wanted. On error the rules installed so far stay recorded, so Remove
// still removes them.
func (m *Manager) Install(ctx context.Context, rules []Rule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	want := map[string]bool{}
	for _, r := range rules {
		want[r.key()] = true
	}
	var errs []error
	kept := m.installed[:0:0]
	for _, r := range m.installed {
		if want[r.key()] {
			kept = append(kept, r)
			continue
		}
		if err := m.delete(r); err != nil {
			errs = append(errs, err)
			kept = append(kept, r)
		}
	}
	m.installed = kept
	for _, r := range rules {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if slices.ContainsFunc(m.installed, func(x Rule) bool { return x.key() == r.key() }) {
			continue
		}
		t, err := m.table(r.VIP.Is6())
		if err == nil {
			err = t.AppendUnique(Table, Chain, r.Spec()...)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("adding %s MARK rule %s: %w", Table, r, err))
			continue
		}
		m.installed = append(m.installed, r)
	}
	return joinErrs(errs)
}

// Remove deletes every rule Install added (DeleteIfExists), and only those.
// It stops between rules when ctx ends (an iptables call takes no context:
// each may wait up to 10 s for the xtables lock); the rules left stay
// recorded, so a later Remove still removes them.
func (m *Manager) Remove(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	var left []Rule
	for i, r := range m.installed {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			left = append(left, m.installed[i:]...)
			break
		}
		if err := m.delete(r); err != nil {
			errs = append(errs, err)
			left = append(left, r)
		}
	}
	m.installed = left
	return joinErrs(errs)
}

func (m *Manager) delete(r Rule) error {
	t, err := m.table(r.VIP.Is6())
	if err == nil {
		err = t.DeleteIfExists(Table, Chain, r.Spec()...)
	}
	if err != nil {
		return fmt.Errorf("deleting %s MARK rule %s: %w", Table, r, err)
	}
	return nil
}

func joinErrs(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("%d iptables errors: %s", len(errs), strings.Join(msgs, "; "))
}

// ParseMarks reads "iptables -t mangle -S PREROUTING" output and returns
// the marks that its MARK rules set with a full mask ("--set-xmark
// 0x50/0xffffffff" as iptables-legacy prints it, or "--set-mark 80").
func ParseMarks(out string) map[uint32]bool {
	marks := map[uint32]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "-A" || !slices.Contains(f, "MARK") {
			continue
		}
		for i := 0; i+1 < len(f); i++ {
			var val string
			switch f[i] {
			case "--set-mark":
				val = f[i+1]
			case "--set-xmark":
				v, mask, ok := strings.Cut(f[i+1], "/")
				if ok {
					if mk, err := strconv.ParseUint(mask, 0, 32); err != nil || mk != 0xffffffff {
						continue
					}
				}
				val = v
			default:
				continue
			}
			if n, err := strconv.ParseUint(val, 0, 32); err == nil {
				marks[uint32(n)] = true
			}
		}
	}
	return marks
}
