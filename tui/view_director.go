package tui

import (
	"strconv"
	"strings"
	"time"
)

// view renders the director view: the daemon's role, peer,
// heartbeat, both sides' configuration and the event log, as one
// scrollable list of lines.
func (p directorPage) view(w int) (tabs, colHead string, body, detail []string) {
	m := p.m
	tabs = m.tabLine(w)
	lines := m.directorLines()
	colHead = "DIRECTOR"
	if st := m.dstat; st != nil {
		colHead += "  " + st.Config
	}
	h := m.bodyHeight()
	for i := m.dirOffset; i < len(lines) && i < m.dirOffset+h; i++ {
		l := lines[i]
		if l.bad {
			body = append(body, m.st.bad.Render(clip(l.text, w)))
			continue
		}
		body = append(body, clip(l.text, w))
	}
	d := ""
	if m.dstat != nil && len(lines) > h {
		last := min(m.dirOffset+h, len(lines))
		d = "lines " + strconv.Itoa(m.dirOffset+1) + "-" + strconv.Itoa(last) + " of " + strconv.Itoa(len(lines)) + " (j k pgup pgdn scroll)"
	}
	return tabs, colHead, body, []string{d, ""}
}

// dirLine is one line of the director view; bad ones (a mismatch, a
// failure) are drawn as such.
type dirLine struct {
	text string
	bad  bool
}

// directorLines is the director view's content, before scrolling.
func (m *Model) directorLines() []dirLine {
	st := m.dstat
	if st == nil {
		var out []dirLine
		for _, l := range m.noDaemonLines() {
			out = append(out, dirLine{text: l})
		}
		return out
	}
	now := m.now()
	hb := st.Heartbeat
	var out []dirLine
	bad := false // the next line added is bad
	add := func(label, text string) {
		out = append(out, dirLine{fit(label, 11) + text, bad})
		bad = false
	}
	role := strings.ToUpper(orDash(hb.Role))
	if hb.Identity != "" {
		role += " (" + hb.Identity + ")"
	}
	if !st.Since.IsZero() {
		role += " since " + clockAt(st.Since) + ", " + ago(now, st.Since)
	}
	add("role", role)
	p := hb.Peer
	if st.Mode == "ecmp" {
		add("mode", "ecmp: every director active, routed to with BGP; no heartbeat partner")
	} else if !p.Heard {
		add("peer", "not heard: no heartbeat from the other director")
	} else {
		kind := "piranha or plain heartbeat"
		if p.Lvsadm {
			kind = "lvsadm"
			if p.Signed {
				kind += ", signed"
			}
		}
		add("peer", orDash(p.From)+" "+orDash(p.State)+", "+kind)
	}
	// Each link apart: a private link that went quiet while the public
	// one carries on is the first sign of the half-broken pair that the
	// second link is there to survive.
	links := "no heartbeat heard"
	if p.Heard {
		links = "public " + heardAgo(p.LastHeardPublic, now)
		if hb.PrivateLink {
			links += ", private " + heardAgo(p.LastHeardPrivate, now)
		}
	}
	if hb.LinkFail {
		links += "; own links FAILED (monitor_links: taking nothing over)"
		bad = true
	} else {
		links += "; own links ok"
	}
	if st.Mode != "ecmp" {
		add("heartbeat", links)
	}
	if hb.ChildFail {
		bad = true
		add("", "services FAILED on this director (it gives up the active role)")
	}
	if hb.Rejected > 0 {
		add("", strconv.FormatUint(hb.Rejected, 10)+" heartbeats rejected, last: "+hb.LastReject)
	} else {
		add("", "no heartbeat rejected")
	}
	add("config", "this  serial_no "+strconv.Itoa(st.Serial)+"  digest "+short(st.Digest)+"  loaded "+clockAt(st.LoadedAt))
	peerCfg := "peer  "
	if p.Serial != nil {
		peerCfg += "serial_no " + strconv.Itoa(int(*p.Serial)) + "  "
	} else {
		peerCfg += "serial_no -  "
	}
	switch {
	case p.Digest == "" && p.DigestMatch == nil:
		peerCfg += "sends no digest"
	case p.DigestMatch != nil && !*p.DigestMatch:
		peerCfg += "digest " + short(p.Digest) + "  MISMATCH: another lvs.cf"
		bad = true
	default:
		peerCfg += "digest " + short(p.Digest) + "  same configuration"
	}
	add("", peerCfg)
	if st.LastReloadError != "" {
		bad = true
		add("reload", "REFUSED, the old config runs: "+firstLine(st.LastReloadError))
	}
	if len(st.VIPs) == 0 {
		add("addresses", "none held")
	} else {
		add("addresses", strings.Join(st.VIPs, ", "))
	}
	if len(st.Sync) > 0 {
		add("sync", strings.Join(st.Sync, "; "))
	}
	if b := st.BGP; b != nil {
		state := "running"
		if !b.Running {
			state, bad = "STOPPED", true
		}
		if b.Draining {
			state += ", DRAINED: routes withdrawn (lvsadm undrain-director)"
			bad = true
		}
		add("bgp", "AS "+strconv.FormatUint(uint64(b.LocalAS), 10)+" router id "+b.RouterID+", "+state)
		for _, n := range b.Neighbors {
			line := "neighbor " + n.Address + " AS " + strconv.FormatUint(uint64(n.RemoteAS), 10) + " " + n.State + " " + ago(now, n.Since)
			if n.BFD != "" {
				line += ", bfd " + n.BFD
			}
			if n.LastError != "" {
				line += "; last down: " + n.LastError
			}
			bad = n.State != "established"
			add("", line)
		}
		for _, r := range b.Routes {
			verb := "withdrawn"
			if r.Announced {
				verb = "announced"
			}
			add("", "route "+r.Prefix+" "+verb+" "+ago(now, r.Since)+": "+r.Reason)
		}
	}
	if st.TableError != "" {
		bad = true
		add("table", "error: "+firstLine(st.TableError))
	} else {
		add("table", "ok")
	}
	add("events", strconv.Itoa(len(st.Events))+", newest first")
	for i := len(st.Events) - 1; i >= 0; i-- {
		e := st.Events[i]
		msg := e.Message
		if e.Reason != "" && e.Kind == "health" && e.State != "up" {
			msg += ": " + e.Reason
		}
		out = append(out, dirLine{text: "  " + clockAt(e.At) + " " + fit(e.Kind, 9) + " " + msg})
	}
	return out
}

// noDaemonLines explain an empty director view in one screen.
func (m *Model) noDaemonLines() []string {
	where := "no daemon is configured"
	if m.opts.Daemon != nil {
		where = "No daemon answers on " + m.opts.Daemon.Where() + "."
		if m.daemonMsg != "" && strings.HasPrefix(m.daemonMsg, "error:") {
			where = m.daemonMsg
		}
	}
	if m.snap == nil && m.fetching && m.opts.NoKernel == nil {
		return []string{"reading the daemon's status..."}
	}
	return []string{
		where,
		"",
		"This view shows lvsadm daemon's state: its role and since when, the",
		"peer director and its heartbeats, both sides' config digests, held",
		"addresses, and the event log (failovers, servers down and up, reloads).",
		"",
		"Start the daemon (lvsadm daemon) or point --socket at its control",
		"socket. The Services and Connections views work without it.",
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// short is a digest as lvsadm status prints it: its first 16 digits.
func short(digest string) string {
	if digest == "" {
		return "-"
	}
	if len(digest) > 16 {
		return digest[:16]
	}
	return digest
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func clockAt(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("15:04:05")
}

// ago is how long before now t was, to the second.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String() + " ago"
}

// heardAgo says when a link last carried a heartbeat.
func heardAgo(at, now time.Time) string {
	if at.IsZero() {
		return "never heard"
	}
	return "heard " + ago(now, at)
}

// noKernelLines take the place of the services and connections views
// when the kernel's IPVS table cannot be read.
func (m *Model) noKernelLines() []string {
	return []string{
		"The IPVS table cannot be read: " + m.opts.NoKernel.Error(),
		"",
		"This view needs the kernel's IPVS: load it as root (modprobe ip_vs),",
		"or run lvsadm where it is loaded (\"make demo\" in the source tree",
		"boots a VM that has it).",
		"",
		"The Config view (4) edits and lints lvs.cf without IPVS, and the",
		"Director view (3) shows a daemon's state.",
	}
}

// clampDirector keeps the director view's scroll within its lines.
func (m *Model) clampDirector() {
	if last := len(m.directorLines()) - m.bodyHeight(); m.dirOffset > last {
		m.dirOffset = last
	}
	if m.dirOffset < 0 {
		m.dirOffset = 0
	}
}
