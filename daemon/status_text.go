package daemon

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(100*time.Millisecond).String() + " ago"
}

// WriteText prints a status for people (lvsadm status): role, partner,
// addresses, each listed real server with its health, and the last events.
// A virtual whose servers the daemon listed only in part (the summary, a
// state filter) shows its counts.
func WriteText(w io.Writer, s *control.Status, now time.Time) {
	hb := s.Heartbeat
	fmt.Fprintf(w, "role:    %s (%s) since %s\n", hb.Role, hb.Identity, ago(now, s.Since))
	if hb.ChildFail {
		fmt.Fprintf(w, "         services FAILED here: takes nothing over until the partner is heard running\n")
	}
	if hb.LinkFail {
		fmt.Fprintf(w, "         local link FAILED: takes nothing over until it is back\n")
	}
	digest := s.Digest
	if len(digest) > 16 {
		digest = digest[:16]
	}
	fmt.Fprintf(w, "config:  %s serial_no %d digest %s\n", s.Config, s.Serial, digest)
	if s.LastReloadError != "" {
		fmt.Fprintf(w, "         last reload refused: %s\n", strings.SplitN(s.LastReloadError, "\n", 2)[0])
	}
	p := hb.Peer
	if s.Mode == "ecmp" {
		fmt.Fprintf(w, "mode:    ecmp (every director active, routed to with BGP; no heartbeat partner)\n")
	} else if !p.Heard && p.AwaitingEcho {
		fmt.Fprintf(w, "peer:    heard, awaiting its echo of our nonce (not yet proof it is alive)\n")
	} else if !p.Heard {
		fmt.Fprintf(w, "peer:    not heard\n")
	} else {
		kind := "piranha or plain"
		if p.Lvsadm {
			kind = "lvsadm"
			if p.Signed {
				kind += ", signed"
			}
		}
		fmt.Fprintf(w, "peer:    %s (%s link) %s, heard %s, %s", p.From, p.Link, p.State, ago(now, p.LastHeard), kind)
		if p.Serial != nil {
			fmt.Fprintf(w, ", serial_no %d", *p.Serial)
		}
		if p.Trailer == 1 {
			fmt.Fprint(w, ", older lvsadm (trailer v1")
			if p.Replay == "timestamp" {
				fmt.Fprint(w, ": replays checked by timestamp")
			}
			fmt.Fprint(w, ")")
		}
		if p.DigestMatch != nil {
			if *p.DigestMatch {
				fmt.Fprint(w, ", same config")
			} else {
				fmt.Fprint(w, ", CONFIG DIFFERS")
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "links:   public %s", heardText(p.LastHeardPublic, now))
		if hb.PrivateLink {
			fmt.Fprintf(w, ", private %s", heardText(p.LastHeardPrivate, now))
		}
		fmt.Fprintln(w)
	}
	if fb := hb.Failback; fb != nil {
		writeFailbackText(w, fb, now)
	}
	if hb.Rejected > 0 {
		fmt.Fprintf(w, "         %d heartbeats ignored, last: %s\n", hb.Rejected, hb.LastReject)
	}
	if n := hb.DroppedForeign + hb.DroppedForged + hb.DroppedQueueFull; n > 0 {
		fmt.Fprintf(w, "         %d datagrams dropped unread: %d from unexpected senders, %d failing the key, %d on a full queue\n",
			n, hb.DroppedForeign, hb.DroppedForged, hb.DroppedQueueFull)
	}
	if len(s.VIPs) > 0 {
		fmt.Fprintf(w, "vips:    %s\n", strings.Join(s.VIPs, ", "))
	}
	if len(s.Sync) > 0 {
		fmt.Fprintf(w, "sync:    %s\n", strings.Join(s.Sync, "; "))
	}
	if b := s.BGP; b != nil {
		writeBGPText(w, b, now)
	}
	if s.CheckLocalErrors > 0 {
		// The director's fault, not the servers': say so apart from them.
		fmt.Fprintf(w, "checks:  %d could not run on this director (no server marked down for them); last: %s\n", s.CheckLocalErrors, s.LastLocalError)
	}
	if s.TableError != "" {
		fmt.Fprintf(w, "table:   %s\n", s.TableError)
	}
	hidden := 0
	for _, v := range s.Virtuals {
		state := ""
		if !v.Active {
			state = " (inactive)"
		}
		svc := fmt.Sprintf("%s:%d/%s", v.Address, v.Port, v.Protocol)
		if v.Fwmark != 0 {
			svc = fmt.Sprintf("fwmark %d", v.Fwmark)
		}
		hidden += writeVirtualHead(w, &v, svc+state)
		for _, r := range v.Servers {
			line := fmt.Sprintf("  %-12s %s:%d weight %d  %s", r.Name, r.Address, r.Port, r.Weight, r.State)
			if !r.Active {
				line += " (inactive)"
			}
			if lc := r.LastCheck; lc != nil {
				if lc.OK {
					line += fmt.Sprintf("  checked %s in %s", ago(now, lc.At), lc.Latency.Round(10*time.Microsecond))
				} else {
					line += fmt.Sprintf("  %s", lc.Reason)
					if lc.Answer != "" {
						line += fmt.Sprintf(" (answer %q)", lc.Answer)
					}
				}
			}
			if !r.LastTransition.IsZero() {
				line += fmt.Sprintf("; since %s", ago(now, r.LastTransition))
			}
			if l := r.Load; l != nil {
				if l.Error != "" {
					line += fmt.Sprintf("; load: %s", l.Error)
				} else {
					line += fmt.Sprintf("; load %.2f", l.Average)
				}
			}
			if r.LoadWeight > 0 && r.LoadWeight != r.Weight {
				line += fmt.Sprintf(", weight %d by load", r.LoadWeight)
			}
			if r.Quiesced {
				line += "; quiesced (weight 0)"
			}
			if o := r.Override; o != nil {
				line += fmt.Sprintf("; OVERRIDE: %s since %s", o.Describe(), ago(now, o.Since))
			}
			fmt.Fprintln(w, line)
		}
	}
	if f := s.Filter; hidden > 0 && f != nil && f.Summary && f.State == "" {
		fmt.Fprintf(w, "(%d real servers up and not listed: lvsadm status --all lists them)\n", hidden)
	}
	if len(s.Events) > 0 {
		fmt.Fprintln(w, "recent events:")
		evs := s.Events
		if len(evs) > 10 {
			evs = evs[len(evs)-10:]
		}
		for _, e := range evs {
			msg := e.Message
			if e.Reason != "" && e.Kind == "health" && e.State != "up" {
				msg += ": " + e.Reason
			}
			fmt.Fprintf(w, "  %s  %-9s %s\n", e.At.Format(time.RFC3339), e.Kind, msg)
		}
	}
}

// heardText says when a link last carried a heartbeat.
func heardText(at, now time.Time) string {
	if at.IsZero() {
		return "never heard"
	}
	return "heard " + ago(now, at)
}

// writeVirtualHead prints a virtual's line, with its counts when its
// servers are listed in part, and returns how many of them are not listed.
func writeVirtualHead(w io.Writer, v *control.VirtualStatus, svc string) int {
	c := v.Counts
	if c == nil {
		fmt.Fprintf(w, "virtual %s %s\n", v.Name, svc)
		return 0
	}
	parts := []string{fmt.Sprintf("%d/%d up", c.Up, c.Servers-c.Off)}
	for _, p := range []struct {
		n    int
		what string
	}{{c.Down, "DOWN"}, {c.Quiesced, "quiesced"}, {c.Unknown, "unknown"}, {c.Off, "off"}, {c.Override, "with an override"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	fmt.Fprintf(w, "virtual %s %s: %s\n", v.Name, svc, strings.Join(parts, ", "))
	return c.Servers - len(v.Servers)
}

// writeBGPText prints the speaker: one line per session, one per route.
func writeBGPText(w io.Writer, b *control.BGPStatus, now time.Time) {
	state := "running"
	if !b.Running {
		state = "stopped"
	}
	if b.Draining {
		state += ", DRAINED (lvsadm undrain-director to announce again)"
	}
	fmt.Fprintf(w, "bgp:     AS %d router id %s, %s\n", b.LocalAS, b.RouterID, state)
	for _, n := range b.Neighbors {
		line := fmt.Sprintf("  neighbor %s AS %d %s since %s", n.Address, n.RemoteAS, n.State, ago(now, n.Since))
		if n.BFD != "" {
			line += ", bfd " + n.BFD
		}
		if n.LastError != "" {
			line += fmt.Sprintf("; last down %s: %s", ago(now, n.LastErrorAt), n.LastError)
		}
		fmt.Fprintln(w, line)
	}
	for _, r := range b.Routes {
		verb := "withdrawn"
		if r.Announced {
			verb = "announced"
		}
		fmt.Fprintf(w, "  route %s %s since %s: %s\n", r.Prefix, verb, ago(now, r.Since), r.Reason)
	}
}

// writeFailbackText prints a returning primary's wait to take back.
func writeFailbackText(w io.Writer, fb *control.FailbackStatus, now time.Time) {
	left := max(time.Duration(fb.HoldSeconds*float64(time.Second))-now.Sub(fb.Since), 0)
	more := fmt.Sprintf("at most %s more", left.Round(time.Second))
	switch {
	case fb.LastError != "":
		fmt.Fprintf(w, "failback: waiting; the connection table cannot be read (%s), %s\n", fb.LastError, more)
	case !fb.Polled:
		fmt.Fprintf(w, "failback: waiting for the hold time (no connection table polled), %s\n", more)
	default:
		fmt.Fprintf(w, "failback: waiting for the connection table (%s connections, stable %s), %s\n",
			thousands(fb.Connections), (time.Duration(fb.StableSeconds) * time.Second).String(), more)
	}
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
