package tui

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/lvsadm/lvsadm/ops"
)

// checkScreen asserts the screen is exactly h lines, none wider than w.
func checkScreen(t *testing.T, out string, w, h int) []string {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d wide (> %d): %q", i+1, n, w, ansi.Strip(l))
		}
	}
	return lines
}

func wantIn(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("screen lacks %q:\n%s", s, out)
		}
	}
}

func TestServicesView80x24(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	feed(t, m, m.startFetch()) // second snapshot: rates
	out := m.View().Content
	lines := checkScreen(t, out, 80, 24)
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape sequences with the NoTTY profile (output no terminal):\n%q", out)
	}
	wantIn(t, lines[0], "lvsadm tui", "IPVS 1.2.1", "conn tab 4096", "2 svc 3 rs", "12:00:00", "every 1ms")
	// "2 Conns": the full name leaves no room for the settings at 80.
	wantIn(t, lines[1], "[1 Services]", "2 Conns ", "4 Config", "sort: kernel order", "rates: measured")
	wantIn(t, lines[2], "SERVICE -> SERVER", "FWD", "WEIGHT", "ACTIVE", "INACT", "CONN/s", "B/s IN", "OUT")
	if strings.Contains(lines[2], "HEALTH") {
		t.Errorf("a HEALTH column without a daemon: %q", lines[2])
	}
	// Service 0: conns 30 -> 60 per second; bytes out 2.7M -> 5.4M.
	wantIn(t, lines[3], "> TCP 10.0.0.1:80 wlc", "55", "110", "30", "2.7M")
	wantIn(t, lines[4], "  -> 10.0.1.1:80", "masq", "1", "5", "10")
	wantIn(t, lines[6], "TCP 10.0.0.2:443 rr")
	wantIn(t, lines[20], "TCP 10.0.0.1:80 wlc: conns 60 pkts 600/540")
	wantIn(t, lines[23], "? help", "q quit")
	// Columns line up: every row ends at the same column as the header.
	for _, i := range []int{2, 3, 4, 5, 6, 7} {
		if len(strings.TrimRight(lines[i], " ")) != len(strings.TrimRight(lines[2], " ")) {
			t.Errorf("line %d does not end under the header:\n%s\n%s", i+1, lines[2], lines[i])
		}
	}
}

// TestStylesFollowTheProfile: the same frame in every profile; NO_COLOR
// (ASCII) keeps attributes (bold, faint, underline, reverse) and drops
// colors; the program's ColorProfileMsg switches the styles.
func TestStylesFollowTheProfile(t *testing.T) {
	src := twoSnaps()
	src.setErr = fmt.Errorf("ipvs edit-dest: operation not permitted")
	m := newTestModel(t, src, 80, 24)
	press(t, m, "j", "d", "y") // an error in the status line: bold red
	v := m.View()
	if !v.AltScreen {
		t.Errorf("the view does not ask for the alternate screen")
	}
	plain := v.Content
	sgr := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor, colorprofile.Unknown} {
		m.Update(tea.ColorProfileMsg{Profile: p})
		out := m.View().Content
		if ansi.Strip(out) != plain {
			t.Errorf("%v: not the NoTTY frame without escapes:\n%s", p, ansi.Strip(out))
		}
		colors := false
		for _, mm := range sgr.FindAllStringSubmatch(out, -1) {
			for _, a := range strings.Split(mm[1], ";") {
				switch a {
				case "", "0", "1", "2", "4", "7":
				case "31", "32":
					colors = true
				default:
					t.Errorf("%v: unexpected SGR %q", p, mm[0])
				}
			}
		}
		if !strings.Contains(out, "\x1b[7m") {
			t.Errorf("%v: no reverse video for the selection", p)
		}
		if colors != (p != colorprofile.ASCII) {
			t.Errorf("%v: colors %v", p, colors)
		}
	}
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.NoTTY})
	if out := m.View().Content; out != plain {
		t.Errorf("back to NoTTY: escapes remain: %q", out)
	}
}

func TestServicesViewWide(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 132, 50)
	feed(t, m, m.startFetch())
	out := m.View().Content
	lines := checkScreen(t, out, 132, 50)
	wantIn(t, lines[2], "PKT/s IN")
	if m.bodyHeight() != 43 {
		t.Errorf("body %d", m.bodyHeight())
	}
}

func TestViewsFitManySizes(t *testing.T) {
	src := twoSnaps()
	long := Snapshot{Info: src.snaps[0].Info, Taken: t0}
	for i := 0; i < 40; i++ {
		k := ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoSCTP, Address: net.ParseIP(fmt.Sprintf("2001:db8:ffff:ffff:ffff:ffff:ffff:%x", i)), Port: 65535}
		long.Services = append(long.Services, ServiceSnapshot{
			Service: ops.Service{ServiceKey: k, Scheduler: "weighted-least-connection", Flags: ops.SvcPersistent, Timeout: 360,
				Stats: ops.Stats{Conns: 1 << 62, InBytes: 1 << 63}},
			Destinations: []ops.Destination{{Family: ops.AFInet6, Address: net.ParseIP("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"), Port: 65535,
				ConnFlags: ops.FwdTunnel, Weight: 65535, ActiveConns: 1 << 31, InactConns: 1 << 31}},
		})
	}
	src.snaps = []Snapshot{long}
	src.conns = []ops.Connection{conn("SCTP", "ESTABLISHED", "2001:db8:ffff:ffff:ffff:ffff:ffff:1", 65535,
		"2001:db8:ffff:ffff:ffff:ffff:ffff:2", 65535, "2001:db8:ffff:ffff:ffff:ffff:ffff:3", 65535)}
	for _, size := range [][2]int{{80, 24}, {40, 10}, {100, 30}, {200, 60}, {20, 5}} {
		w, h := size[0], size[1]
		m := newTestModel(t, src, w, h)
		// Colors too: widths must hold with escape codes.
		m.st = newStyles(colorprofile.ANSI256)
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "G")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "?")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "x", "tab")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "/", "s", "t")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "enter", "c")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "3")
			checkScreen(t, m.View().Content, w, h)
			press(t, m, "G")
			checkScreen(t, m.View().Content, w, h)
		})
	}
}

func TestConnectionsView80x24(t *testing.T) {
	src := twoSnaps()
	for i := 0; i < 30; i++ {
		src.conns = append(src.conns, conn("TCP", "ESTABLISHED", fmt.Sprintf("192.168.1.%d", i), uint16(40000+i), "10.0.0.1", 80, "10.0.1.1", 80))
	}
	src.conns = append(src.conns, conn("TCP", "TIME_WAIT", "192.168.100.200", 65535, "10.0.0.1", 80, "10.0.1.1", 80))
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, ConnRows: 25,
		Profile: colorprofile.NoTTY, Now: func() time.Time { return t0 }})
	feed(t, m, m.Init())
	press(t, m, "2")
	out := m.View().Content
	lines := checkScreen(t, out, 80, 24)
	wantIn(t, lines[1], "[2 Connections]")
	wantIn(t, lines[2], "PRO  EXPIRE STATE       SOURCE             VIRTUAL            DESTINATION")
	wantIn(t, lines[3], "TCP  01:00  ESTABLISHED 192.168.1.0:40000  10.0.0.1:80        10.0.1.1:80")
	wantIn(t, lines[20], "31 entries, first 25 listed (rows 1-17):  ESTABLISHED 30  TIME_WAIT 1")
	wantIn(t, lines[23], "s state")
	press(t, m, "G")
	wantIn(t, m.View().Content, "(rows 9-25)")
	press(t, m, "g", "s")
	wantIn(t, m.View().Content, "filter: state:ESTABLISHED", "31 entries, 30 match, first 25 listed")
	// The long client is cut from the left, keeping its port.
	press(t, m, "/", "t", "i", "m", "e", "enter")
	out = m.View().Content
	wantIn(t, out, "~168.100.200:65535", "1 match", "filter: time")
	press(t, m, "?")
	wantIn(t, m.View().Content, "Connections", "state:EST", "any key closes")
}

func TestPromptsOnScreen(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "j", "d")
	lines := checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, lines[22], "Drain 10.0.1.1:80 in tcp 10.0.0.1:80: weight 1 -> 0? [y/N]")
	wantIn(t, lines[23], "y confirm")
	press(t, m, "n", "w")
	wantIn(t, m.View().Content, "weight of 10.0.1.1:80: 1_")
	press(t, m, "esc", "/", "z", "z")
	wantIn(t, m.View().Content, "filter: zz_", "nothing matches")
}

func TestEmptyTableAndLoading(t *testing.T) {
	src := &fakeSource{snaps: []Snapshot{{Info: ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096}, Taken: t0}}}
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY})
	cmd := m.Init()
	checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, m.View().Content, "reading the IPVS table")
	feed(t, m, cmd)
	wantIn(t, m.View().Content, "no virtual services", "0 svc 0 rs")
	press(t, m, "tab")
	wantIn(t, m.View().Content, "no connections", "table empty")
}

// TestHelpFitsUncut80x24 keeps the help of every view on one 80x24
// screen: it scrolls where it must (60x20), but at 80x24 it need not.
func TestHelpFitsUncut80x24(t *testing.T) {
	m := NewModel(t.Context(), &fakeSource{}, Options{})
	for v := viewID(0); v < numViews; v++ {
		n := 1 // the header
		m.view = v
		for _, sec := range m.helpSections() {
			lines := sec.lines()
			n += 2 + len(lines) // blank line, title, keys
			col := 0
			for _, l := range lines {
				col = max(col, len(l.keys)+2)
			}
			for _, l := range lines {
				if w := len("  ") + col + len(l.what); w > 80 {
					t.Errorf("help line %q / %q is cut at 80 columns", l.keys, l.what)
				}
			}
		}
		if n > 23 {
			t.Errorf("view %d: help needs %d lines, 80x24 has 23 above the footer", v, n)
		}
	}
}
