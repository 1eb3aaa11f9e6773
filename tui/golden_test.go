package tui

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/lvsadm/lvsadm/internal/goldenfile"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

var update = flag.Bool("update", false, "rewrite the golden frames in testdata/golden")

// goldenConns is a connection table with every column worth sorting on.
func goldenConns() []ops.Connection {
	states := []string{"ESTABLISHED", "TIME_WAIT", "SYN_RECV", "FIN_WAIT", "CLOSE_WAIT"}
	rs := []string{"10.0.1.1", "10.0.1.2", "10.0.1.2", "10.0.1.1", "10.0.1.2"}
	var out []ops.Connection
	for i := 0; i < 40; i++ {
		c := conn("TCP", states[i%len(states)], fmt.Sprintf("198.51.100.%d", (i*37)%250+1), uint16(30000+i*611),
			"10.0.0.1", 80, rs[i%len(rs)], 80)
		c.Expires = uint32((i * 53) % 900)
		out = append(out, c)
	}
	for i := 0; i < 6; i++ {
		c := conn("UDP", "UDP", fmt.Sprintf("203.0.113.%d", 10+i), uint16(5000+i), "10.0.0.2", 53, "10.0.2.1", 53)
		c.Expires = uint32(60 + i)
		out = append(out, c)
	}
	return out
}

// goldenModel is the model the golden frames are drawn from: the fake
// table after two refreshes (so rates show), the fixture daemon, and a
// copy of a corpus lvs.cf for the Config view, shown as the default
// path. With empty the kernel table has no services (a standby
// director's).
func goldenModel(t *testing.T, w, h int, d DaemonSource, empty bool) *Model {
	t.Helper()
	return goldenModelRO(t, w, h, d, empty, false)
}

// goldenModelRO is goldenModel, with --read-only when ro.
func goldenModelRO(t *testing.T, w, h int, d DaemonSource, empty, ro bool) *Model {
	t.Helper()
	// Seventeen readings whose counters grow unevenly: sixteen rates for
	// the sparkline, the last one a second apart like the others.
	src := &fakeSource{conns: goldenConns()}
	k := uint64(0)
	for i, inc := range []uint64{1, 3, 2, 5, 4, 8, 6, 7, 3, 1, 2, 9, 5, 4, 6, 2, 1} {
		k += inc
		snap := table(k, t0.Add(time.Duration(i)*time.Second))
		if empty {
			snap.Services = nil
		}
		src.snaps = append(src.snaps, snap)
	}
	// One more reading, a second later, for the refresh that a change
	// (x y) starts: the frames before it never read it.
	src.snaps = append(src.snaps, table(k+3, t0.Add(time.Duration(len(src.snaps))*time.Second)))
	// 1ms so that following a refresh's tick does not wait; the frame
	// says 1s (render sets it).
	cf := cfedit.FileDeps(corpusCopy(t, goldenCf))
	cf.Path = lvscf.DefaultPath
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY,
		Now: func() time.Time { return t0 }, Daemon: d, Config: cf, ReadOnly: ro})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	feed(t, m, m.Init())
	for range len(src.snaps) - 2 {
		feed(t, m, m.startFetch())
	}
	return m
}

// TestGoldenFrames draws each view at 80x24 and 160x48 after a few key
// presses and compares the frame, as plain text, with
// testdata/golden/NAME-WxH.txt (go test -run Golden -update rewrites them;
// they are the spec: read them before committing).
func TestGoldenFrames(t *testing.T) {
	withDaemon := func() DaemonSource { return &jsonDaemon{st: fixtureStatus()} }
	standby := func() DaemonSource {
		st := fixtureStatus()
		st.Heartbeat.Role = "standby"
		return &jsonDaemon{st: st}
	}
	noDaemon := func() DaemonSource {
		return &jsonDaemon{err: fmt.Errorf("%w at /run/lvsadm/lvsadm.sock", control.ErrNoDaemon)}
	}
	for _, tt := range []struct {
		name   string
		daemon func() DaemonSource
		keys   []string
		empty  bool // no services in the kernel
		ro     bool // --read-only
	}{
		// a server down and out of the table, one quiesced, one coming
		// back; the down one selected, with its reason in the detail
		{"services-down", withDaemon, []string{"j", "j", "j"}, false, false},
		{"services-nodaemon", noDaemon, nil, false, false},
		// x on a real server asks first, saying what it costs
		{"services-takeout-confirm", withDaemon, []string{"j", "x"}, false, false},
		// taken out: its ghost row stays under its service, for u
		{"services-ghost", withDaemon, []string{"j", "x", "y"}, false, false},
		// a standby director: an empty kernel table, the daemon's checks
		{"services-standby", standby, []string{"j", "j", "j"}, true, false},
		// sorted by expiry, reversed, filtered by a regexp, inverted
		{"conns-sorted-filtered", withDaemon, []string{"2", "E", "E", "/", "!", "~", "^", "u", "d", "p", " ", "r", "s", "~", "\\", ".", "1", ":", "enter"}, false, false},
		{"conns-by-server", withDaemon, []string{"2", "c"}, false, false},
		{"conns-by-state", withDaemon, []string{"2", "c", "c"}, false, false},
		// the peer runs another lvs.cf
		{"director-mismatch", withDaemon, []string{"3"}, false, false},
		{"director-nodaemon", noDaemon, []string{"3"}, false, false},
		{"help-services", withDaemon, []string{"?"}, false, false},
		{"help-conns", withDaemon, []string{"2", "?"}, false, false},
		{"help-director", withDaemon, []string{"3", "?"}, false, false},
		// the Config view: a virtual server open in its third panel
		{"config-virtual", withDaemon, []string{"4", "tab", "tab", "enter"}, false, false},
		// an unsaved edit, then q asks
		{"config-quit", withDaemon, []string{"4", "enter", "ctrl+u", "1", "7", "2", ".", "1", "6", ".", "0", ".", "9", "enter", "q"}, false, false},
		{"help-config", withDaemon, []string{"4", "?"}, false, false},
		// a filter active: the servers that are not up, each alone
		{"services-filtered", withDaemon, []string{"/", "!", "u", "p", "enter"}, false, false},
		// read-only, in every view: the header and the hints say it,
		// a change is refused where it is asked for
		{"services-readonly", withDaemon, []string{"j", "d"}, false, true},
		{"conns-readonly", withDaemon, []string{"2"}, false, true},
		{"director-readonly", withDaemon, []string{"3"}, false, true},
		{"config-readonly", withDaemon, []string{"4", "tab", "tab", "enter"}, false, true},
		{"help-services-readonly", withDaemon, []string{"?"}, false, true},
	} {
		for _, size := range [][2]int{{60, 20}, {80, 24}, {200, 50}} {
			w, h := size[0], size[1]
			name := fmt.Sprintf("%s-%dx%d", tt.name, w, h)
			t.Run(name, func(t *testing.T) {
				m := goldenModelRO(t, w, h, tt.daemon(), tt.empty, tt.ro)
				press(t, m, tt.keys...)
				m.opts.Interval = time.Second
				got := m.View().Content
				checkScreen(t, got, w, h)
				compareGolden(t, name, got)
				// NO_COLOR and full colour lose nothing: without their
				// escapes they are this very frame.
				for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.ANSI256} {
					m.Update(tea.ColorProfileMsg{Profile: p})
					if styled := ansi.Strip(m.View().Content); styled != got {
						t.Errorf("%v: the frame without escapes differs:\n%s", p, styled)
					}
				}
			})
		}
	}
}

// compareGolden compares a frame with its golden file. Trailing blanks
// are dropped from every line: they are padding, and invisible in a
// file read by eye.
func compareGolden(t *testing.T, name, frame string) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got := strings.Join(lines, "\n") + "\n"
	goldenfile.Check(t, filepath.Join("testdata", "golden", name+".txt"), got, *update)
}
