package tui

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/lvsadm/lvsadm/daemon/control/controltest"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// serveStatus answers the control protocol on a unix socket in a temp
// dir with st, encoded as the daemon's control server encodes it.
func serveStatus(t *testing.T, st control.Status) string {
	t.Helper()
	return controltest.Serve(t, func(line string, c io.Writer) {
		if strings.TrimSpace(line) == "status" {
			enc := json.NewEncoder(c)
			enc.SetIndent("", "  ")
			_ = enc.Encode(st)
		}
	})
}

func healthModel(t *testing.T, d DaemonSource, w, h int) *Model {
	t.Helper()
	return healthModelOn(t, twoSnaps(), d, w, h)
}

// healthModelOn is healthModel over src.
func healthModelOn(t *testing.T, src *fakeSource, d DaemonSource, w, h int) *Model {
	t.Helper()
	m := NewModel(context.Background(), src, Options{Interval: time.Millisecond,
		Profile: colorprofile.NoTTY, Now: func() time.Time { return t0 }, Daemon: d})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	feed(t, m, m.Init())
	return m
}

// lineWith returns the first screen line containing s.
func lineWith(t *testing.T, out, s string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no line with %q:\n%s", s, out)
	return ""
}

func TestHealthFromTheDaemonSocket(t *testing.T) {
	path := serveStatus(t, fixtureStatus())
	m := healthModel(t, control.New(path), 80, 24)
	out := m.View().Content
	wantIn(t, lineWith(t, out, "lvsadm tui"), "2 svc 3 rs 3 DOWN")
	wantIn(t, lineWith(t, out, "TCP 10.0.0.1:80"), "2/3 up")
	wantIn(t, lineWith(t, out, "-> 10.0.1.1:80"), " up ")
	wantIn(t, lineWith(t, out, "-> 10.0.1.3:80"), "DOWN", "not in the kernel table")
	wantIn(t, lineWith(t, out, "TCP 10.0.0.2:443"), "NONE UP")
	wantIn(t, lineWith(t, out, "-> 10.0.2.1:443"), "QUIESCED", "masq", "0")
	wantIn(t, lineWith(t, out, "-> 10.0.2.2:443"), "REENTRY", "not in the kernel table")
	// The detail lines of the down server: its check's reason and latency.
	for !strings.Contains(selectedLabel(m), "10.0.1.3") {
		press(t, m, "j")
		if m.cursor == len(m.rows)-1 {
			t.Fatal("10.0.1.3 not selectable")
		}
	}
	out = m.View().Content
	wantIn(t, out, "10.0.1.3:80: in lvs.cf, not in the kernel table",
		"health: DOWN since 11:58:57: connect: connection refused; last check 11:59:57 f")
	// Acting on it says why not.
	press(t, m, "d")
	wantIn(t, m.View().Content, "10.0.1.3:80 is DOWN, not in the kernel table: no weight to change")
	// A filter finds the servers that are not up, by their health.
	press(t, m, "/", "d", "o", "w", "n", "enter")
	out = m.View().Content
	if strings.Contains(out, "10.0.1.1:80") || !strings.Contains(out, "10.0.1.3:80") {
		t.Errorf("filter down:\n%s", out)
	}
	press(t, m, "esc", "/", "!", "u", "p", "enter")
	out = m.View().Content
	if strings.Contains(out, "-> 10.0.1.1:80") || !strings.Contains(out, "10.0.2.1:443") {
		t.Errorf("filter !up:\n%s", out)
	}
}

func TestNoDaemonIsNoError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.sock")
	m := healthModel(t, control.New(path), 80, 24)
	out := m.View().Content
	wantIn(t, out, "no daemon at "+path)
	if strings.Contains(out, "error") {
		t.Errorf("an error on screen:\n%s", out)
	}
	// No HEALTH column: the numbers follow the names.
	if strings.Contains(out, "HEALTH") {
		t.Errorf("a HEALTH column without a daemon:\n%s", out)
	}
	wantIn(t, lineWith(t, out, "-> 10.0.1.1:80"), "-> 10.0.1.1:80     masq")
	// Said once: after the user's own status, refreshes do not repeat it.
	press(t, m, "p", "p")
	feed(t, m, m.startFetch())
	if strings.Contains(m.View().Content, "no daemon") {
		t.Errorf("said again:\n%s", m.View().Content)
	}
}

func TestDaemonStatusDecodes(t *testing.T) {
	st, err := (&jsonDaemon{st: fixtureStatus()}).Status(t.Context(), control.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	p := st.Heartbeat.Peer
	if st.Heartbeat.Role != "active" || p.Serial == nil || *p.Serial != 6 || p.DigestMatch == nil || *p.DigestMatch ||
		st.Virtuals[0].Servers[2].State != "down" || st.Virtuals[0].Servers[2].LastCheck.Latency != 310*time.Microsecond ||
		st.Since.IsZero() || len(st.Events) != 5 || st.Heartbeat.LastReject == "" {
		t.Errorf("decoded %+v", st)
	}
}

func TestDaemonReadIsBoundedByTheRefresh(t *testing.T) {
	// A daemon that accepts and never answers must not hold the refresh
	// past its context.
	path := filepath.Join(t.TempDir(), "stuck.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	// The error says the refresh's deadline ended the read, not the
	// client's own (longer) timeout.
	if _, err := control.New(path).Status(ctx, control.Filter{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v from a daemon that does not answer, want the refresh's deadline", err)
	}
}

// TestStandbyShowsTheDaemonsServices: a standby director's kernel table is
// empty, yet its daemon checks the real servers; the view lists them.
func TestStandbyShowsTheDaemonsServices(t *testing.T) {
	st := fixtureStatus()
	st.Heartbeat.Role = "standby"
	src := &fakeSource{snaps: []Snapshot{{Info: table(1, t0).Info, Taken: t0}}}
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY,
		Now: func() time.Time { return t0 }, Daemon: &jsonDaemon{st: st}})
	feed(t, m, m.Init())
	out := m.View().Content
	checkScreen(t, out, 80, 24)
	wantIn(t, lineWith(t, out, "TCP 10.0.0.1:80 web"), "2/3 up", "not in the kernel table")
	wantIn(t, lineWith(t, out, "-> 10.0.1.1:80"), "up", "not in the kernel table")
	wantIn(t, lineWith(t, out, "-> 10.0.1.3:80"), "DOWN")
	wantIn(t, lineWith(t, out, "TCP 10.0.0.2:443 tls"), "NONE UP")
	wantIn(t, out, "0 svc 0 rs 3 DOWN",
		"TCP 10.0.0.1:80 web: not in the kernel table: this director is standby")
	press(t, m, "j", "j", "j")
	wantIn(t, out, "health: 2/3 up (virtual web)")
	wantIn(t, m.View().Content, "health: DOWN since 11:58:57: connect: connection refused")
	// The filter sees them too; nothing here can be drained, and it
	// says why.
	press(t, m, "d")
	wantIn(t, m.View().Content, "10.0.1.3:80 is DOWN, not in the kernel table: no weight to change")
	press(t, m, "/", "t", "l", "s", "enter")
	if out := m.View().Content; strings.Contains(out, "web") || !strings.Contains(out, "10.0.2.2:443") {
		t.Errorf("filter tls:\n%s", out)
	}
}
