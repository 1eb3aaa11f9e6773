package health

import (
	"testing"
	"time"
)

func TestTracker(t *testing.T) {
	type obs struct {
		at      time.Duration
		ok      bool
		changed bool
		state   State
	}
	tests := []struct {
		name    string
		reentry time.Duration
		obs     []obs
	}{
		{"first good check brings the server up at once", 10 * time.Second, []obs{
			{0, true, true, Up},
			{time.Second, true, false, Up},
		}},
		{"first check fails: down", 10 * time.Second, []obs{
			{0, false, true, Down},
			{time.Second, false, false, Down},
		}},
		{"one failure takes an up server down", 10 * time.Second, []obs{
			{0, true, true, Up},
			{time.Second, false, true, Down},
		}},
		{"back up only after reentry seconds of good checks", 3 * time.Second, []obs{
			{0, true, true, Up},
			{1 * time.Second, false, true, Down},
			{2 * time.Second, true, false, Down},
			{4 * time.Second, true, false, Down},
			{5 * time.Second, true, true, Up},
		}},
		{"a failure during reentry restarts the count", 3 * time.Second, []obs{
			{0, false, true, Down},
			{1 * time.Second, true, false, Down},
			{3 * time.Second, false, false, Down},
			{4 * time.Second, true, false, Down},
			{6 * time.Second, true, false, Down},
			{7 * time.Second, true, true, Up},
		}},
		{"never up, first good check after failures needs reentry too", 2 * time.Second, []obs{
			{0, false, true, Down},
			{1 * time.Second, true, false, Down},
			{3 * time.Second, true, true, Up},
		}},
		{"zero reentry readmits at once", 0, []obs{
			{0, true, true, Up},
			{1 * time.Second, false, true, Down},
			{2 * time.Second, true, true, Up},
		}},
	}
	base := time.Unix(1000, 0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := tracker{reentry: tc.reentry}
			for i, o := range tc.obs {
				changed := tr.observe(base.Add(o.at), o.ok)
				if changed != o.changed || tr.state != o.state {
					t.Fatalf("observation %d: changed=%v state=%s, want %v %s", i, changed, tr.state, o.changed, o.state)
				}
				if changed && !tr.transition.Equal(base.Add(o.at)) {
					t.Fatalf("observation %d: transition time %v", i, tr.transition)
				}
			}
		})
	}
}
