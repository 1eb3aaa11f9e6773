package heartbeat

import (
	"fmt"
	"time"
)

// NoticePeriod is how often at most one kind of per-packet trouble is
// logged. A flood made one WARN line per packet (94,660 lines in 8 s when
// the reason carried the sender's address), which pushed the real events out
// of the history and slowed the loop that must keep reading heartbeats.
const NoticePeriod = 10 * time.Second

// noticeKind is a kind of per-packet trouble. The kind never includes the
// sender's address, so random sources do not make new kinds.
type noticeKind int

const (
	nkForeign      noticeKind = iota // sender is not the partner
	nkMalformed                      // short or malformed datagram
	nkAuth                           // unsigned, unknown key, bad MAC
	nkReplay                         // replayed, reordered, or from an earlier run
	nkClock                          // version 1 timestamp outside the window
	nkIncompatible                   // a magic pulse does not accept
	nkDropForeign                    // transport: dropped, not from the partner
	nkDropForged                     // transport: dropped, fails the key
	nkDropQueue                      // transport: dropped, queue full
	nkCount
)

// noticeState is the rate limit of one kind.
type noticeState struct {
	last       time.Time // when the last notice of this kind went out
	suppressed uint64    // packets of this kind since then, not logged
}

// limited returns a notice for one packet's trouble of kind k, or nothing
// when that kind was reported less than NoticePeriod ago (the packet is then
// counted and the count reported with the next notice of the kind). n is
// how many packets the message stands for (the transport reports in bulk).
func (m *Machine) limited(now time.Time, k noticeKind, msg string, n uint64) []Action {
	return m.notices[k].limit(now, msg, n)
}

// limit is limited for one kind's state.
func (st *noticeState) limit(now time.Time, msg string, n uint64) []Action {
	if !st.last.IsZero() && now.Sub(st.last) < NoticePeriod {
		st.suppressed += n
		return nil
	}
	if st.suppressed > 0 {
		msg += fmt.Sprintf(" (and %d more like it not logged since %s)", st.suppressed, st.last.Format(time.TimeOnly))
	}
	st.last, st.suppressed = now, 0
	return []Action{{Kind: ActNotice, Reason: msg}}
}

// flushNotices reports the counts suppressed in a period that has ended,
// so the last burst of a flood is not left untold.
func (m *Machine) flushNotices(now time.Time) []Action {
	var acts []Action
	for k := range m.notices {
		st := &m.notices[k]
		if st.suppressed > 0 && now.Sub(st.last) >= NoticePeriod {
			acts = append(acts, Action{Kind: ActNotice, Reason: fmt.Sprintf(
				"heartbeat: %d more %s since %s", st.suppressed, noticeNames[k], st.last.Format(time.TimeOnly))})
			st.last, st.suppressed = now, 0
		}
	}
	return acts
}

var noticeNames = [nkCount]string{
	nkForeign:      "heartbeats from an unexpected sender ignored",
	nkMalformed:    "malformed heartbeats ignored",
	nkAuth:         "heartbeats failing authentication ignored",
	nkReplay:       "replayed heartbeats ignored",
	nkClock:        "heartbeats with a timestamp outside the window ignored",
	nkIncompatible: "incompatible heartbeats ignored",
	nkDropForeign:  "datagrams from an unexpected sender dropped",
	nkDropForged:   "datagrams failing the heartbeat key dropped",
	nkDropQueue:    "heartbeats dropped on a full queue",
}

// Dropped takes the transport's drop counters (totals since it started)
// and reports what grew since the last call, rate-limited per kind. The
// driver calls it on every wake-up.
func (m *Machine) Dropped(now time.Time, d Drops) []Action {
	var acts []Action
	if n := d.Foreign - m.drops.Foreign; d.Foreign > m.drops.Foreign {
		acts = append(acts, m.limited(now, nkDropForeign, fmt.Sprintf("heartbeat: %d datagrams from unexpected senders dropped", n), n)...)
	}
	if n := d.Forged - m.drops.Forged; d.Forged > m.drops.Forged {
		acts = append(acts, m.limited(now, nkDropForged, fmt.Sprintf("heartbeat: %d datagrams from the partner's address dropped: unsigned or failing the key", n), n)...)
	}
	if n := d.QueueFull - m.drops.QueueFull; d.QueueFull > m.drops.QueueFull {
		acts = append(acts, m.limited(now, nkDropQueue, fmt.Sprintf("heartbeat: %d heartbeats dropped on a full queue", n), n)...)
	}
	m.drops = d
	return acts
}
