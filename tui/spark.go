package tui

// sparkMinWidth is the terminal width from which the services view has a
// sparkline column: below it the numbers need the room.
const (
	sparkMinWidth = 120
	sparkWidth    = 16 // samples shown, one per refresh
)

// sparkHistory keeps, per service, the traffic (bytes/s in and out) of the
// last refreshes, oldest first.
type sparkHistory map[itemID][]float64

// updateSparks appends one refresh's rates; services gone from the table go
// from the history too.
func (m *Model) updateSparks() {
	if m.snap == nil {
		return
	}
	next := make(sparkHistory, len(m.snap.Services))
	for _, ss := range m.snap.Services {
		sid := serviceID(ss.Service.ServiceKey)
		h := m.sparks[sid]
		if r, ok := m.rateOf(sid, ss.Service.Stats); ok {
			h = append(h, r.InBPS+r.OutBPS)
			if len(h) > sparkWidth {
				h = append(h[:0], h[len(h)-sparkWidth:]...)
			}
		}
		next[sid] = h
	}
	m.sparks = next
}

// sparkline draws vals as block characters scaled to their maximum, the
// newest on the right: the shape of the traffic, not its size (the
// numbers are next to it).
func sparkline(vals []float64) string {
	blocks := []rune("▁▂▃▄▅▆▇█")
	top := 0.0
	for _, v := range vals {
		top = max(top, v)
	}
	out := make([]rune, 0, len(vals))
	for _, v := range vals {
		i := 0
		if top > 0 && v > 0 {
			i = min(int(v/top*float64(len(blocks)-1)+0.5), len(blocks)-1)
		}
		out = append(out, blocks[i])
	}
	return string(out)
}
