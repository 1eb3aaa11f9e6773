// Package metrics serves the daemon's Prometheus endpoint (lvsadm daemon
// --metrics-listen): IPVS counters and gauges named like node_exporter's
// ipvs collector, but with the lvsadm_ prefix, and the director's own state.
//
// The text exposition format (version 0.0.4) is written by hand on purpose:
// github.com/prometheus/client_golang registers its default collectors in
// package initialisers, which would run at the start of every lvsadm
// invocation (ipvsadm-compatible commands included), whose start-up cost we
// measure and keep small. The format is simple enough not to need it.
package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// ContentType is the text exposition format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Snapshot is what one scrape reports.
type Snapshot struct {
	// Role is the heartbeat role: active, standby, ...
	Role string
	// Heartbeats is the age of the partner's last heartbeat, per link.
	Heartbeats []Heartbeat
	// Failovers counts this director's role changes since it started.
	Failovers uint64
	// CheckLocalErrors counts health checks the director itself could not
	// run (out of file descriptors, a program that cannot start).
	CheckLocalErrors uint64
	// HeartbeatDropped counts heartbeat datagrams dropped before the state
	// machine, by reason (foreign, forged, queue_full).
	HeartbeatDropped map[string]uint64
	// ReloadFailures counts reloads refused since the daemon started.
	ReloadFailures uint64
	// Version and GoVersion label lvsadm_build_info.
	Version, GoVersion string
	ConfigSerial       int
	// PeerConfigMatch is nil until the partner has sent its lvs.cf digest.
	PeerConfigMatch *bool
	Servers         []RealServer
	// IPVS is nil when the table could not be read.
	IPVS *IPVS
	// BGP is nil without a bgp block in lvs.cf.
	BGP *BGP
}

// BGP is the director's BGP speaker.
type BGP struct {
	Draining bool
	Sessions []BGPSession
	Routes   []BGPRoute
}

// BGPSession is one neighbor's session.
type BGPSession struct {
	Neighbor string
	State    string // idle, connect, active, opensent, openconfirm, established
}

// BGPRoute is one VIP's route.
type BGPRoute struct {
	Prefix    string
	Announced bool
}

// BGPStates are the session states lvsadm_bgp_session_state reports.
var BGPStates = []string{"idle", "connect", "active", "opensent", "openconfirm", "established"}

// Heartbeat is the age of the last heartbeat heard on one link.
type Heartbeat struct {
	Link string
	Age  time.Duration
}

// RealServer is one real server's health.
type RealServer struct {
	Virtual, Server, Address string
	Port                     uint16
	Up                       bool
	// LastCheck is the last check's latency; HasCheck says whether a
	// check has run yet.
	LastCheck time.Duration
	HasCheck  bool
	// Override is the kind of the operator's override (drain, weight,
	// out); empty: none.
	Override string
	// State tells apart what Up alone cannot: up, down, quiesced (down,
	// kept at weight 0), reentry (down, checks good again but not yet for
	// reentry seconds), unknown (not checked yet), off (inactive in lvs.cf).
	State string
}

// States are the values of lvsadm_real_server_state's state label, each
// present for every server (1 for its state, 0 for the others), as
// dashboards built on keepalived_exporter expect a fixed set.
var States = []string{"up", "down", "quiesced", "reentry", "unknown", "off"}

// IPVS is the kernel table.
type IPVS struct {
	// Total is the sum of every service's counters.
	Total    ops.Stats
	Services []Service
	Backends []Backend
}

// Service is one virtual service's counters, labelled as its backends'
// local side.
type Service struct {
	LocalAddress, LocalPort, Proto, LocalMark string
	Stats                                     ops.Stats
}

// Backend is one destination of one service, labelled as node_exporter
// labels it.
type Backend struct {
	LocalAddress, LocalPort, RemoteAddress, RemotePort, Proto, LocalMark string
	Active, Inactive                                                     uint64
	Weight                                                               int64
	Stats                                                                ops.Stats
}

// protoName is the protocol as /proc/net/ip_vs (and so node_exporter) names it.
func protoName(p uint16) string {
	if _, upper, ok := ops.ProtocolNames(p); ok {
		return upper
	}
	return strconv.Itoa(int(p))
}

// ReadIPVS reads the table through k.
func ReadIPVS(ctx context.Context, k ops.Kernel) (*IPVS, error) {
	tab, err := ops.Read(ctx, k)
	if err != nil {
		return nil, err
	}
	out := &IPVS{}
	for _, vs := range tab {
		s, dests := vs.Service, vs.Destinations
		st := s.Stats
		out.Total.Conns += st.Conns
		out.Total.InPkts += st.InPkts
		out.Total.OutPkts += st.OutPkts
		out.Total.InBytes += st.InBytes
		out.Total.OutBytes += st.OutBytes
		b := Backend{LocalPort: strconv.Itoa(int(s.Port)), Proto: protoName(s.Protocol)}
		if s.FWMark != 0 {
			// As /proc/net/ip_vs shows a fwmark service.
			b.Proto, b.LocalPort, b.LocalMark = "FWM", "0", fmt.Sprintf("%08X", s.FWMark)
		} else if s.Address != nil {
			b.LocalAddress = s.Address.String()
		}
		out.Services = append(out.Services, Service{LocalAddress: b.LocalAddress, LocalPort: b.LocalPort, Proto: b.Proto, LocalMark: b.LocalMark, Stats: st})
		for _, d := range dests {
			b := b
			b.RemoteAddress = d.Address.String()
			b.RemotePort = strconv.Itoa(int(d.Port))
			b.Active, b.Inactive, b.Weight, b.Stats = uint64(d.ActiveConns), uint64(d.InactConns), int64(d.Weight), d.Stats
			out.Backends = append(out.Backends, b)
		}
	}
	return out, nil
}

type sample struct {
	labels []string // name, value, name, value, ...
	value  float64
}

type family struct {
	name, help, typ string
	samples         []sample
}

func gauge(name, help string, s ...sample) family {
	return family{name: name, help: help, typ: "gauge", samples: s}
}

func counter(name, help string, s ...sample) family {
	return family{name: name, help: help, typ: "counter", samples: s}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func backendLabels(b Backend) []string {
	return []string{"local_address", b.LocalAddress, "local_port", b.LocalPort, "remote_address", b.RemoteAddress,
		"remote_port", b.RemotePort, "proto", b.Proto, "local_mark", b.LocalMark}
}

func families(s Snapshot) []family {
	var fs []family
	fs = append(fs, gauge("lvsadm_role", "The director's role (1 for the current one).",
		sample{labels: []string{"role", s.Role}, value: 1}))
	hb := gauge("lvsadm_heartbeat_age_seconds", "Seconds since the partner's last heartbeat, by link.")
	for _, h := range s.Heartbeats {
		hb.samples = append(hb.samples, sample{labels: []string{"link", h.Link}, value: h.Age.Seconds()})
	}
	fs = append(fs, hb,
		counter("lvsadm_failovers_total", "Role changes (takeovers and hand-overs) of this director since it started.",
			sample{value: float64(s.Failovers)}),
		heartbeatDropped(s.HeartbeatDropped),
		counter("lvsadm_health_check_local_errors_total", "Health checks the director could not run through its own fault (EMFILE, ENOBUFS, a program that cannot start); they mark no real server down.",
			sample{value: float64(s.CheckLocalErrors)}),
		gauge("lvsadm_config_serial", "serial_no of the running lvs.cf.", sample{value: float64(s.ConfigSerial)}))
	pm := gauge("lvsadm_peer_config_match", "Whether the partner runs the same lvs.cf (absent until it has said).")
	if s.PeerConfigMatch != nil {
		pm.samples = append(pm.samples, sample{value: boolValue(*s.PeerConfigMatch)})
	}
	fs = append(fs, pm)
	up := gauge("lvsadm_real_server_up", "Whether the real server passes its health check.")
	lat := gauge("lvsadm_real_server_check_duration_seconds", "Duration of the real server's last health check.")
	ov := gauge("lvsadm_real_server_override", "Operator overrides in force (lvsadm drain, weight, out), by kind: 1 while set.")
	state := gauge("lvsadm_real_server_state", "The real server's health state, 1 for the current one: up, down, quiesced (down, kept at weight 0), reentry (good checks again, not yet for reentry seconds), unknown (not checked yet), off (inactive in lvs.cf).")
	for _, r := range s.Servers {
		l := []string{"virtual", r.Virtual, "server", r.Server, "address", r.Address, "port", strconv.Itoa(int(r.Port))}
		up.samples = append(up.samples, sample{labels: l, value: boolValue(r.Up)})
		if r.State != "" {
			for _, st := range States {
				state.samples = append(state.samples, sample{labels: []string{"virtual", r.Virtual, "server", r.Server, "state", st}, value: boolValue(st == r.State)})
			}
		}
		if r.HasCheck {
			lat.samples = append(lat.samples, sample{labels: l, value: r.LastCheck.Seconds()})
		}
		if r.Override != "" {
			ov.samples = append(ov.samples, sample{labels: []string{"virtual", r.Virtual, "server", r.Server, "kind", r.Override}, value: 1})
		}
	}
	fs = append(fs, up, lat, ov, state,
		counter("lvsadm_reload_failures_total", "Reloads refused (lint errors, settings the running daemon cannot take) since the daemon started.",
			sample{value: float64(s.ReloadFailures)}))
	if b := s.BGP; b != nil {
		sess := gauge("lvsadm_bgp_session_state", "Each BGP session's state, 1 for the current one.")
		for _, n := range b.Sessions {
			for _, st := range BGPStates {
				sess.samples = append(sess.samples, sample{labels: []string{"neighbor", n.Neighbor, "state", st}, value: boolValue(st == n.State)})
			}
		}
		routes := gauge("lvsadm_bgp_route_announced", "Whether the VIP's route is announced (0: withdrawn: no real server up, drained, standby).")
		for _, r := range b.Routes {
			routes.samples = append(routes.samples, sample{labels: []string{"prefix", r.Prefix}, value: boolValue(r.Announced)})
		}
		fs = append(fs, sess, routes, gauge("lvsadm_bgp_director_drained", "Whether lvsadm drain-director holds this director's routes withdrawn.",
			sample{value: boolValue(b.Draining)}))
	}
	if s.Version != "" {
		fs = append(fs, gauge("lvsadm_build_info", "lvsadm's version and the Go version it was built with.",
			sample{labels: []string{"version", s.Version, "goversion", s.GoVersion}, value: 1}))
	}
	fs = append(fs, gauge("lvsadm_ipvs_up", "Whether the IPVS table could be read.", sample{value: boolValue(s.IPVS != nil)}))
	if v := s.IPVS; v != nil {
		fs = append(fs,
			counter("lvsadm_ipvs_connections_total", "The total number of connections made.", sample{value: float64(v.Total.Conns)}),
			counter("lvsadm_ipvs_incoming_packets_total", "The total number of incoming packets.", sample{value: float64(v.Total.InPkts)}),
			counter("lvsadm_ipvs_outgoing_packets_total", "The total number of outgoing packets.", sample{value: float64(v.Total.OutPkts)}),
			counter("lvsadm_ipvs_incoming_bytes_total", "The total amount of incoming data.", sample{value: float64(v.Total.InBytes)}),
			counter("lvsadm_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", sample{value: float64(v.Total.OutBytes)}))
		act := gauge("lvsadm_ipvs_backend_connections_active", "The current active connections by local and remote address.")
		ina := gauge("lvsadm_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address.")
		w := gauge("lvsadm_ipvs_backend_weight", "The current backend weight by local and remote address.")
		for _, b := range v.Backends {
			l := backendLabels(b)
			act.samples = append(act.samples, sample{labels: l, value: float64(b.Active)})
			ina.samples = append(ina.samples, sample{labels: l, value: float64(b.Inactive)})
			w.samples = append(w.samples, sample{labels: l, value: float64(b.Weight)})
		}
		fs = append(fs, act, ina, w)
		fs = append(fs, statsFamilies("lvsadm_ipvs_backend", "by local and remote address", len(v.Backends), func(i int) ([]string, ops.Stats) {
			return backendLabels(v.Backends[i]), v.Backends[i].Stats
		})...)
		fs = append(fs, statsFamilies("lvsadm_ipvs_service", "by virtual service", len(v.Services), func(i int) ([]string, ops.Stats) {
			sv := v.Services[i]
			return []string{"local_address", sv.LocalAddress, "local_port", sv.LocalPort, "proto", sv.Proto, "local_mark", sv.LocalMark}, sv.Stats
		})...)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
	for _, f := range fs {
		sort.SliceStable(f.samples, func(i, j int) bool { return lessLabels(f.samples[i].labels, f.samples[j].labels) })
	}
	return fs
}

func lessLabels(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Write writes s in the text exposition format, families sorted by name
// and samples by label values, so equal snapshots give equal bytes.
func Write(w io.Writer, s Snapshot) error {
	bw := bufio.NewWriter(w)
	for _, f := range families(s) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", f.name, helpEscaper.Replace(f.help), f.name, f.typ)
		for _, smp := range f.samples {
			bw.WriteString(f.name)
			if len(smp.labels) > 0 {
				bw.WriteByte('{')
				for i := 0; i+1 < len(smp.labels); i += 2 {
					if i > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(smp.labels[i])
					bw.WriteString(`="`)
					bw.WriteString(escaper.Replace(smp.labels[i+1]))
					bw.WriteByte('"')
				}
				bw.WriteByte('}')
			}
			bw.WriteByte(' ')
			bw.WriteString(formatValue(smp.value))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// heartbeatDropped is the family of dropped heartbeat datagrams, one
// sample per reason, in a fixed order.
func heartbeatDropped(by map[string]uint64) family {
	f := counter("lvsadm_heartbeat_dropped_total", "Heartbeat datagrams dropped before the failover state machine: from an address that is not the partner's (foreign), unsigned or failing the key (forged), or on a full queue (queue_full).")
	for _, r := range []string{"foreign", "forged", "queue_full"} {
		if n, ok := by[r]; ok {
			f.samples = append(f.samples, sample{labels: []string{"reason", r}, value: float64(n)})
		}
	}
	return f
}

// statsFamilies are the five traffic counters (connections, packets and
// bytes in and out) of n labelled items, as the totals are named with
// prefix in place of lvsadm_ipvs.
func statsFamilies(prefix, by string, n int, item func(i int) ([]string, ops.Stats)) []family {
	names := []struct{ name, help string }{
		{"_connections_total", "The total number of connections made, " + by + "."},
		{"_incoming_packets_total", "The total number of incoming packets, " + by + "."},
		{"_outgoing_packets_total", "The total number of outgoing packets, " + by + "."},
		{"_incoming_bytes_total", "The total amount of incoming data, " + by + "."},
		{"_outgoing_bytes_total", "The total amount of outgoing data, " + by + "."},
	}
	fs := make([]family, len(names))
	for j, nm := range names {
		fs[j] = counter(prefix+nm.name, nm.help)
	}
	for i := 0; i < n; i++ {
		l, st := item(i)
		for j, v := range []uint64{st.Conns, st.InPkts, st.OutPkts, st.InBytes, st.OutBytes} {
			fs[j].samples = append(fs[j].samples, sample{labels: l, value: float64(v)})
		}
	}
	return fs
}
