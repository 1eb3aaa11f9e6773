package tui

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// noKernelModel is a TUI started where the kernel has no IPVS: no source,
// the Config view on the lvs.cf at path (none when ""), at 80x24, after
// its Init ran.
func noKernelModel(t *testing.T, path string) *Model {
	t.Helper()
	o := Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY, Now: func() time.Time { return t0 },
		NoKernel: errors.New("IPVS is not available in this kernel")}
	if path != "" {
		o.Config = cfedit.FileDeps(path)
	}
	m := NewModel(t.Context(), nil, o)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	msg := m.Init()()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		batch = tea.BatchMsg{func() tea.Msg { return msg }}
	}
	for _, c := range batch {
		feed(t, m, c)
	}
	return m
}

// Without IPVS, "lvsadm tui --config FILE" opens on the Config view,
// which edits, lints and saves the file; the table views say why they
// are empty, and nothing reads the (absent) source.
func TestNoKernelConfigViewEditsAndLints(t *testing.T) {
	p := corpusCopy(t, goldenCf)
	m := noKernelModel(t, p)
	if m.view != viewConfig {
		t.Fatalf("started in view %d, want the config view", m.view)
	}
	lines := checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, lines[0], "lvsadm tui", "no IPVS table")
	wantIn(t, lines[2], "[Global settings]", "serial 31")

	// A value the checks refuse is refused next to the field.
	press(t, m, "enter", "ctrl+u")
	typeText(t, m, "172.16.0.300")
	press(t, m, "enter")
	wantIn(t, m.View().Content, `refused: invalid value: invalid primary`)
	// A good one is saved as "lvsadm cf set" saves.
	press(t, m, "ctrl+u")
	typeText(t, m, "172.16.0.9")
	press(t, m, "enter", "ctrl+s", "y")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "primary = 172.16.0.9\n") || !strings.Contains(string(got), "serial_no = 32\n") {
		t.Errorf("saved file:\n%s", got)
	}

	for _, v := range []string{"1", "2"} {
		press(t, m, v)
		feed(t, m, m.startFetch())
		screen := m.View().Content
		wantIn(t, screen, "The IPVS table cannot be read: IPVS is not available", "modprobe ip_vs", "Config view (4)")
		if strings.Contains(screen, "error: refresh failed") {
			t.Errorf("view %s: a refresh error in the status line:\n%s", v, screen)
		}
	}
	press(t, m, "3")
	wantIn(t, m.View().Content, "[3 Director]", "no daemon is configured")
}

// Without a config file the TUI stays on the services view, which says
// what to do.
func TestNoKernelWithoutConfig(t *testing.T) {
	m := noKernelModel(t, "")
	if m.view != viewServices {
		t.Fatalf("view %d, want services", m.view)
	}
	feed(t, m, m.startFetch())
	wantIn(t, m.View().Content, "[1 Services]", "The IPVS table cannot be read", "Director view (3)")
}
