package tui

import (
	"net"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/daemon/control"

	"github.com/lvsadm/lvsadm/ops"
)

// healthIndex ties the daemon's view of its real servers to the rows of the
// kernel's table, by row id, once per refresh.
type healthIndex struct {
	virtuals map[itemID]*control.VirtualStatus // service id
	servers  map[itemID]*control.ServerStatus  // real server row id
	// missing are servers of the daemon's configuration that the kernel
	// table lacks (the daemon removes a down server unless it quiesces
	// it), per service id: shown so that a down server cannot vanish.
	missing map[itemID][]*control.ServerStatus
	// absent are the daemon's active virtual services the kernel table
	// lacks.
	absent []*control.VirtualStatus
}

// indexHealth matches st's virtuals and servers to snap's services and real
// servers. Either may be nil.
func indexHealth(snap *Snapshot, st *control.Status) healthIndex {
	h := healthIndex{}
	if snap == nil || st == nil {
		return h
	}
	h.virtuals = map[itemID]*control.VirtualStatus{}
	h.servers = map[itemID]*control.ServerStatus{}
	h.missing = map[itemID][]*control.ServerStatus{}
	for i := range snap.Services {
		ss := &snap.Services[i]
		v := findVirtual(st, ss.Service)
		if v == nil {
			continue
		}
		sid := serviceID(ss.Service.ServiceKey)
		h.virtuals[sid] = v
		seen := make([]bool, len(v.Servers))
		for _, d := range ss.Destinations {
			for j := range v.Servers {
				if !seen[j] && serverIs(v, &v.Servers[j], d) {
					seen[j] = true
					h.servers[destID(sid, d)] = &v.Servers[j]
					break
				}
			}
		}
		for j := range v.Servers {
			if !seen[j] && v.Servers[j].Active {
				h.missing[sid] = append(h.missing[sid], &v.Servers[j])
			}
		}
	}
	for i := range st.Virtuals {
		v := &st.Virtuals[i]
		found := false
		for _, kv := range h.virtuals {
			found = found || kv == v
		}
		if v.Active && !found {
			h.absent = append(h.absent, v)
		}
	}
	return h
}

// virtualLabel names a virtual service of the daemon's configuration as
// serviceLabel names the kernel's: "TCP 10.0.0.1:80 web".
func virtualLabel(v *control.VirtualStatus) string {
	if v.Fwmark != 0 {
		return "FWM " + strconv.FormatUint(uint64(v.Fwmark), 10) + " " + v.Name
	}
	proto := v.Protocol
	if proto == "" {
		proto = "tcp"
	}
	return strings.ToUpper(proto) + " " + net.JoinHostPort(v.Address, strconv.Itoa(int(v.Port))) + " " + v.Name
}

func findVirtual(st *control.Status, s ops.Service) *control.VirtualStatus {
	for i := range st.Virtuals {
		v := &st.Virtuals[i]
		if v.Fwmark != 0 || s.FWMark != 0 {
			if v.Fwmark == s.FWMark {
				return v
			}
			continue
		}
		proto := v.Protocol
		if proto == "" {
			proto = "tcp" // lvs.cf's default
		}
		if proto == ops.ProtocolName(s.Protocol) && v.Port == s.Port && sameIP(v.Address, s.Address) {
			return v
		}
	}
	return nil
}

// serverIs reports whether the configured server r of v is the kernel's d.
// A server without a port uses the service's (as lvs.cf renders it).
func serverIs(v *control.VirtualStatus, r *control.ServerStatus, d ops.Destination) bool {
	return sameIP(r.Address, d.Address) && serverPort(v, r) == d.Port
}

func serverPort(v *control.VirtualStatus, r *control.ServerStatus) uint16 {
	if r.Port != 0 {
		return r.Port
	}
	return v.Port
}

func sameIP(s string, ip net.IP) bool {
	p := net.ParseIP(s)
	return p != nil && p.Equal(ip)
}

// serverHealth is the health column of a real server: what the daemon
// says, in words that do not need color. Upper case is for a server that
// takes no new connections; bad says so.
func serverHealth(r *control.ServerStatus, inKernel bool, weight int32) (label string, bad bool) {
	switch {
	case r == nil:
		return "-", false
	case !r.Active:
		return "off", false
	case overrideLabel(r) != "":
		return overrideLabel(r), true
	case r.State == "up":
		return "up", false
	case r.State == "down" && r.LastCheck != nil && r.LastCheck.OK:
		// Good checks again, but not yet for reentry seconds.
		return "REENTRY", true
	case r.State == "down" && inKernel && weight == 0:
		return "QUIESCED", true
	case r.State == "down":
		return "DOWN", true
	}
	return "unknown", false
}

// serviceHealth is the health column of a service: how many of its
// configured real servers are up, and NONE UP when none is. serving, when
// not nil, is what "up" means: for a service in the kernel table, up and
// taking new connections (inKernelServing).
func serviceHealth(v *control.VirtualStatus, serving func(*control.ServerStatus) bool) (label string, bad bool) {
	if v == nil {
		return "-", false
	}
	if !v.Active {
		return "off", false
	}
	if serving == nil {
		serving = func(r *control.ServerStatus) bool { return r.State == "up" }
	}
	up, n := 0, 0
	for i := range v.Servers {
		if !v.Servers[i].Active {
			continue
		}
		n++
		if serving(&v.Servers[i]) {
			up++
		}
	}
	if n > 0 && up == 0 {
		return "NONE UP", true
	}
	return strconv.Itoa(up) + "/" + strconv.Itoa(n) + " up", up < n
}

// kernelServiceHealth is the health column of service ss of the kernel
// table. A server counts as up when the daemon says up and the kernel
// gives it new connections: it is in the table (not taken out by an
// override or by x here) at a weight above 0 (not drained, by an
// override, by d here or by anyone). "2/4 up" with two of them drained
// said more was serving than was.
func (m *Model) kernelServiceHealth(ss *ServiceSnapshot) (label string, bad bool) {
	sid := serviceID(ss.Service.ServiceKey)
	v := m.health.virtuals[sid]
	return serviceHealth(v, func(r *control.ServerStatus) bool {
		if r.State != "up" {
			return false
		}
		for _, d := range ss.Destinations {
			if serverIs(v, r, d) {
				_, gone := m.removed[destID(sid, d)]
				return d.Weight > 0 && !gone
			}
		}
		return false
	})
}

// downCount counts the configured, active real servers that are not up,
// for the header.
func downCount(st *control.Status) int {
	if st == nil {
		return 0
	}
	n := 0
	for _, v := range st.Virtuals {
		if !v.Active {
			continue
		}
		for _, r := range v.Servers {
			if r.Active && r.State == "down" {
				n++
			}
		}
	}
	return n
}

// missingLabel names a configured server the kernel table lacks.
func missingLabel(v *control.VirtualStatus, r *control.ServerStatus) string {
	return net.JoinHostPort(r.Address, strconv.Itoa(int(serverPort(v, r))))
}

// healthDetail is the second detail line for a real server: its state and
// since when, why (the last check's failure, first: it is what matters at
// 80 columns), the last check's time, result and latency, and its name.
func (m *Model) healthDetail(r *control.ServerStatus, label string) string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("health: " + label)
	if !r.LastTransition.IsZero() {
		b.WriteString(" since " + r.LastTransition.Format("15:04:05"))
	}
	lc := r.LastCheck
	switch {
	case lc == nil:
		b.WriteString("; not checked yet")
	case lc.OK:
		b.WriteString("; last check " + lc.At.Format("15:04:05") + " ok, " + latency(lc.Latency.Seconds()))
	default:
		b.WriteString(": " + lc.Reason)
		if lc.Answer != "" {
			b.WriteString(" (answer " + strconv.Quote(lc.Answer) + ")")
		}
		b.WriteString("; last check " + lc.At.Format("15:04:05") + " failed, " + latency(lc.Latency.Seconds()))
	}
	if r.Name != "" {
		b.WriteString("; " + r.Name)
	}
	if o := r.Override; o != nil {
		b.WriteString("; " + o.Describe() + " by an operator since " + o.Since.Format("15:04:05"))
	}
	return b.String()
}

// latency renders seconds as 850us, 1.2ms, 3.4s.
func latency(sec float64) string {
	switch {
	case sec < 0.001:
		return strconv.FormatFloat(sec*1e6, 'f', 0, 64) + "us"
	case sec < 1:
		return strconv.FormatFloat(sec*1e3, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(sec, 'f', 1, 64) + "s"
}
