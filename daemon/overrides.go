package daemon

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/lvscf"
)

// Overrides are the operators' changes to real servers (lvsadm drain,
// weight, out): held by the daemon, not written to lvs.cf, so they
// survive resyncs and reloads until cleared (a reload that removes the
// server drops its override) but not a restart of the daemon. The table
// builder asks Lookup for every real server. Safe for concurrent use.
type Overrides struct {
	mu sync.RWMutex
	m  map[string]control.Override // "virtual/server"
}

func overrideKey(virtual, server string) string { return virtual + "/" + server }

// Lookup returns the override of the real server named server of the
// virtual named virtual (lvs.cf block names). A nil *Overrides has none.
// The table builder calls it for every real server its health puts in
// the table: Drain and Weight make the weight Override.Weight (0 for a
// drain) instead of lvs.cf's, the slow start's and load_monitor's; Out
// leaves the server out. Health still wins: a down server stays out.
func (o *Overrides) Lookup(virtual, server string) (control.Override, bool) {
	if o == nil {
		return control.Override{}, false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	ov, ok := o.m[overrideKey(virtual, server)]
	return ov, ok
}

// Set replaces the server's override and returns the one it replaced.
func (o *Overrides) Set(virtual, server string, ov control.Override) (prev control.Override, had bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]control.Override{}
	}
	k := overrideKey(virtual, server)
	prev, had = o.m[k]
	o.m[k] = ov
	return prev, had
}

// Clear removes the server's override and returns it.
func (o *Overrides) Clear(virtual, server string) (prev control.Override, had bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := overrideKey(virtual, server)
	prev, had = o.m[k]
	delete(o.m, k)
	return prev, had
}

// Len is how many servers carry an override.
func (o *Overrides) Len() int {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return len(o.m)
}

// List returns every override, keyed "virtual/server".
func (o *Overrides) List() map[string]control.Override {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make(map[string]control.Override, len(o.m))
	for k, v := range o.m {
		out[k] = v
	}
	return out
}

// Retain drops the overrides of servers cfg no longer has (a reload that
// removed the server or renamed it) and returns their keys, sorted.
func (o *Overrides) Retain(cfg *lvscf.Config) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.m) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, v := range cfg.Virtuals {
		for _, s := range v.Servers {
			have[overrideKey(v.Name, s.Name)] = true
		}
	}
	var dropped []string
	for k := range o.m {
		if !have[k] {
			dropped = append(dropped, k)
			delete(o.m, k)
		}
	}
	slices.Sort(dropped)
	return dropped
}

// serverRef is one real server of the configuration a target names.
type serverRef struct {
	v *lvscf.Virtual
	s *lvscf.Server
}

// resolveTarget finds the real servers target names: "VIRTUAL/SERVER",
// "VIRTUAL" (all its servers), or a real server's "ADDR" / "ADDR:PORT"
// (every virtual where it appears; a server without a port of its own
// uses the virtual's). Names are tried before addresses.
func resolveTarget(cfg *lvscf.Config, target string) ([]serverRef, error) {
	var out []serverRef
	if vname, sname, ok := strings.Cut(target, "/"); ok {
		for i := range cfg.Virtuals {
			v := &cfg.Virtuals[i]
			if v.Name != vname {
				continue
			}
			for j := range v.Servers {
				if v.Servers[j].Name == sname {
					return []serverRef{{v, &v.Servers[j]}}, nil
				}
			}
			return nil, fmt.Errorf("virtual server %q has no real server named %q", vname, sname)
		}
		return nil, fmt.Errorf("no virtual server named %q in the running configuration", vname)
	}
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if v.Name == target {
			for j := range v.Servers {
				out = append(out, serverRef{v, &v.Servers[j]})
			}
			if len(out) == 0 {
				return nil, fmt.Errorf("virtual server %q has no real servers", target)
			}
			return out, nil
		}
	}
	addr, port, err := control.ParseVIP(target)
	if err != nil {
		return nil, fmt.Errorf("%q is neither VIRTUAL/SERVER, a virtual server's name nor a real server's address", target)
	}
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		for j := range v.Servers {
			s := &v.Servers[j]
			if s.Address.Unmap() == addr && (port == 0 || serverPort(v, s) == port) {
				out = append(out, serverRef{v, s})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no real server on %s in the running configuration", target)
	}
	return out, nil
}

// override carries out one override request on the running configuration
// and asks for a table apply when something changed.
func (d *Daemon) override(r control.OverrideRequest) (control.OverrideResult, error) {
	cfg := d.cfg()
	refs, err := resolveTarget(cfg, r.Target)
	if err != nil {
		return control.OverrideResult{}, err
	}
	now := time.Now()
	res := control.OverrideResult{Matched: len(refs), Changes: []control.OverrideChange{}}
	for _, ref := range refs {
		v, s := ref.v, ref.s
		cur, had := d.overrides.Lookup(v.Name, s.Name)
		var want *control.Override
		switch r.Action {
		case control.ActDrain:
			want = &control.Override{Kind: control.Drain, Weight: 0, Since: now}
		case control.ActWeight:
			want = &control.Override{Kind: control.Weight, Weight: r.Weight, Since: now}
		case control.ActOut:
			want = &control.Override{Kind: control.Out, Weight: 0, Since: now}
		case control.ActUndrain:
			// undrain puts back lvs.cf's weight: it clears a drain or a
			// weight, not a take-out (that is "in").
			if !had || cur.Kind == control.Out {
				continue
			}
		case control.ActIn:
			if !had || cur.Kind != control.Out {
				continue
			}
		}
		if want != nil && had && cur.Kind == want.Kind && cur.Weight == want.Weight {
			continue // already so: keep its since
		}
		ch := control.OverrideChange{Virtual: v.Name, Server: s.Name, Address: s.Address.String(), Port: serverPort(v, s), Weight: s.Weight}
		if had {
			ch.Before = &cur
		}
		if want != nil {
			d.overrides.Set(v.Name, s.Name, *want)
			ch.After = want
		} else {
			d.overrides.Clear(v.Name, s.Name)
		}
		d.log.Info("override", "virtual", v.Name, "server", s.Name, "action", r.Action, "now", ch.After.Describe())
		d.event(control.Event{Kind: "override", Server: v.Name + "/" + s.Name,
			Message: fmt.Sprintf("%s %s/%s: %s", r.Action, v.Name, s.Name, ch.After.Describe())})
		res.Changes = append(res.Changes, ch)
	}
	if len(res.Changes) > 0 {
		d.requestApply()
	}
	return res, nil
}

// serverPort is the port a real server listens on: its own, or (none
// given) the virtual's, as lvs.cf renders it.
func serverPort(v *lvscf.Virtual, s *lvscf.Server) uint16 {
	if s.Port != 0 {
		return s.Port
	}
	return v.Port
}
