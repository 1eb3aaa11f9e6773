package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestSparkline(t *testing.T) {
	for _, tt := range []struct {
		vals []float64
		want string
	}{
		{nil, ""},
		{[]float64{0, 0}, "▁▁"},
		{[]float64{1, 2, 4, 8}, "▂▃▅█"},
		{[]float64{5, 5}, "██"},
		{[]float64{0, 7, 14}, "▁▅█"},
	} {
		if got := sparkline(tt.vals); got != tt.want {
			t.Errorf("sparkline(%v) = %q, want %q", tt.vals, got, tt.want)
		}
	}
}

func TestSparkHistory(t *testing.T) {
	src := &fakeSource{}
	for i := 0; i < sparkWidth+5; i++ {
		src.snaps = append(src.snaps, table(uint64(i*i), t0.Add(time.Duration(i)*time.Second)))
	}
	m := newTestModel(t, src, 160, 48)
	for range len(src.snaps) - 1 {
		feed(t, m, m.startFetch())
	}
	sid := serviceID(svcKey("10.0.0.1", 80))
	if h := m.sparks[sid]; len(h) != sparkWidth || h[len(h)-1] <= h[0] {
		t.Errorf("history %v: want the last %d, growing", h, sparkWidth)
	}
	wantIn(t, lineWith(t, m.View().Content, "TCP 10.0.0.1:80"), "▃▃▃▄▄▄▅▅▅▆▆▇▇▇██")
	if strings.Contains(lineWith(t, m.View().Content, "-> 10.0.1.1:80"), "▁") {
		t.Error("a real server has a sparkline")
	}
	// At 80 columns the numbers need the room.
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(m.View().Content, "TRAFFIC") {
		t.Error("sparkline column at 80 columns")
	}
	// A service that leaves the table leaves the history.
	src.snaps = append(src.snaps, Snapshot{Info: src.snaps[0].Info, Taken: t0.Add(time.Hour)})
	feed(t, m, m.startFetch())
	if len(m.sparks) != 0 {
		t.Errorf("history of services gone: %v", m.sparks)
	}
}
