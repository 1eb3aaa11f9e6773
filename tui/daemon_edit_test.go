package tui

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// controlDaemon is a daemon that answers status with st and records the
// override requests it gets, marking the server as the daemon would.
type controlDaemon struct {
	jsonDaemon
	mu   sync.Mutex
	reqs []control.OverrideRequest
}

func (c *controlDaemon) Override(_ context.Context, r control.OverrideRequest) (control.OverrideResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, r)
	return control.OverrideResult{Matched: 1}, nil
}

func (c *controlDaemon) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.reqs {
		s := r.Action + " " + r.Target
		if r.Action == control.ActWeight {
			s += " " + strconv.Itoa(int(r.Weight))
		}
		out = append(out, s)
	}
	return out
}

// selectLabel moves the selection to the row labelled label.
func selectLabel(t *testing.T, m *Model, label string) {
	t.Helper()
	press(t, m, "g")
	for range len(m.rows) {
		if selectedLabel(m) == label {
			return
		}
		press(t, m, "j")
	}
	t.Fatalf("no row %q in\n%s", label, m.View().Content)
}

// TestEditsOfTheDaemonsServicesGoThroughIt: on a service the daemon owns,
// d, w, x and u are override requests to the daemon and the kernel is not
// touched; on a service it does not own they edit the kernel as before.
func TestEditsOfTheDaemonsServicesGoThroughIt(t *testing.T) {
	st := fixtureStatus()
	st.Virtuals = st.Virtuals[:1] // web only: 10.0.0.2:443 is not the daemon's
	web := st.Virtuals[0].Servers
	web[1].Override = &control.Override{Kind: control.Weight, Weight: 5, Since: t0}
	web[2].Override = &control.Override{Kind: control.Out, Since: t0}
	dc := &controlDaemon{jsonDaemon: jsonDaemon{st: st}}
	src := twoSnaps()
	m := healthModelOn(t, src, dc, 120, 30)

	selectLabel(t, m, "10.0.1.1:80")
	press(t, m, "d")
	if q := m.statusLine(160); q != "Drain web/web1 (10.0.1.1:80) through the daemon: weight 0 until undrained? [y/N]" {
		t.Errorf("question %q", q)
	}
	press(t, m, "y")
	if st := statusText(m); st != "drained by the daemon; u undrains (lvsadm drain web/web1)" {
		t.Errorf("status %q", st)
	}
	press(t, m, "w", "ctrl+u", "7", "enter", "y", "x", "y")
	selectLabel(t, m, "10.0.1.2:80")
	if !strings.Contains(m.servicesDetail()[1], "weight 5 by an operator since") {
		t.Errorf("detail %q", m.servicesDetail())
	}
	press(t, m, "u", "y")
	selectLabel(t, m, "10.0.1.3:80") // out by an override: the daemon's row
	if l := screenLines(m, "-> 10.0.1.3:80"); len(l) != 1 || !strings.Contains(l[0], "OUT") {
		t.Errorf("row %q", l)
	}
	press(t, m, "u", "y")
	want := "drain web/web1,weight web/web1 7,out web/web1,undrain web/web2,in web/web3"
	if got := strings.Join(dc.requests(), ","); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
	if len(src.sets) != 0 || len(src.removes) != 0 || len(src.restores) != 0 || len(m.removed) != 0 {
		t.Errorf("the kernel was edited: sets %v removes %v restores %v", src.sets, src.removes, src.restores)
	}

	// Not the daemon's service: the kernel, as before.
	selectLabel(t, m, "10.0.2.1:443")
	press(t, m, "w", "ctrl+u", "4", "enter", "y")
	if len(src.sets) != 1 || src.sets[0].weight != 4 || len(dc.requests()) != 5 {
		t.Errorf("kernel edit: sets %v, requests %v", src.sets, dc.requests())
	}
}
