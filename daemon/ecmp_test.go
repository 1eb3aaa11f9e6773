package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	gobgp "github.com/osrg/gobgp/v4/pkg/server"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
)

func TestWantedRoutes(t *testing.T) {
	cfg := decode(t, `serial_no = 1
director_mode = ecmp
network = direct
bgp {
     local_as = 65001
     router_id = 10.0.0.11
     neighbor 10.0.0.1 {
          remote_as = 65000
     }
}
virtual web {
     active = 1
     address = 192.0.2.10 lo:1
     port = 80
     scheduler = mh
     sched_flags = mh-port
     announce = 1
     server a {
         address = 10.1.0.1
         active = 1
     }
     server b {
         address = 10.1.0.2
         active = 1
     }
}
virtual tls {
     active = 1
     address = 192.0.2.10 lo:1
     port = 443
     scheduler = mh
     sched_flags = mh-port
     announce = 1
     server c {
         address = 10.1.0.3
         active = 1
     }
}
virtual quiet {
     active = 1
     address = 192.0.2.20 lo:2
     port = 80
     scheduler = mh
     sched_flags = mh-port
     server d {
         address = 10.1.0.4
         active = 1
     }
}
`)
	h := map[string]health.ServerStatus{}
	got := func(serving bool) string {
		var out []string
		for _, r := range wantedRoutes(cfg, inputsOf(h, time.Now()), serving, "standby") {
			out = append(out, fmt.Sprintf("%v %v %s", r.Prefix, r.Announce, r.Reason))
		}
		return strings.Join(out, "; ")
	}
	// Nothing checked yet: not announced, even with a server up, until
	// every server has been checked once (the table must be the other
	// directors'); the VIP without announce is not listed.
	if g, w := got(true), "192.0.2.10/32 false waiting for the first check of every real server (0 of 3 checked)"; g != w {
		t.Errorf("nothing checked: %q, want %q", g, w)
	}
	h["tls/c"] = health.ServerStatus{State: health.Up, EverUp: true}
	if g, w := got(true), "192.0.2.10/32 false waiting for the first check of every real server (1 of 3 checked)"; g != w {
		t.Errorf("one checked: %q, want %q", g, w)
	}
	// All checked, all down: withdrawn.
	h["web/a"] = health.ServerStatus{State: health.Down}
	h["web/b"] = health.ServerStatus{State: health.Down}
	h["tls/c"] = health.ServerStatus{State: health.Down}
	if g, w := got(true), "192.0.2.10/32 false no real server up (0 of 3)"; g != w {
		t.Errorf("all down: %q, want %q", g, w)
	}
	// One server of either virtual on the VIP is enough.
	h["tls/c"] = health.ServerStatus{State: health.Up, EverUp: true}
	if g, w := got(true), "192.0.2.10/32 true 1 of 3 real servers up"; g != w {
		t.Errorf("one up: %q, want %q", g, w)
	}
	if g, w := got(false), "192.0.2.10/32 false standby"; g != w {
		t.Errorf("not serving: %q, want %q", g, w)
	}
	// An operator's out counts as not serving.
	in := inputsOf(h, time.Now())
	in.override = func(v, s string) (int32, bool, bool) { return 0, false, v == "tls" }
	if r := wantedRoutes(cfg, in, true, ""); r[0].Announce {
		t.Errorf("the only up server taken out, still announced: %+v", r)
	}
}

// router is a GoBGP speaker in the role of the ECMP router: it listens on
// 127.0.0.2 and takes the director's routes.
type router struct {
	srv  *gobgp.BgpServer
	port uint16
}

func startRouter(t *testing.T, director netip.Addr) *router {
	t.Helper()
	r := &router{srv: gobgp.NewBgpServer(), port: uint16(freeUDPPort(t))}
	go r.srv.Serve()
	ctx := context.Background()
	if err := r.srv.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: 65000, RouterId: "10.0.0.1", ListenPort: int32(r.port), ListenAddresses: []string{"127.0.0.2"}}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.srv.Stop() })
	peer := &api.Peer{
		Conf:      &api.PeerConf{NeighborAddress: director.String(), PeerAsn: 65001},
		Transport: &api.Transport{PassiveMode: true, LocalAddress: "127.0.0.2"},
		Timers:    &api.Timers{Config: &api.TimersConfig{HoldTime: 3, KeepaliveInterval: 1}},
	}
	if err := r.srv.AddPeer(ctx, &api.AddPeerRequest{Peer: peer}); err != nil {
		t.Fatal(err)
	}
	return r
}

// routes is the router's table: prefix → next hop.
func (r *router) routes(t *testing.T) map[string]string {
	got := map[string]string{}
	err := r.srv.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: bgp.RF_IPv4_UC}, func(n bgp.NLRI, paths []*apiutil.Path) {
		for _, p := range paths {
			for _, a := range p.Attrs {
				if nh, ok := a.(*bgp.PathAttributeNextHop); ok {
					got[n.String()] = nh.Value.String()
				}
			}
		}
	})
	if err != nil {
		t.Fatalf("router's table: %v", err)
	}
	return got
}

// TestECMPDirectorAnnounces: a director in ecmp mode is active at once with
// no heartbeat, announces its VIP to a real BGP peer only while a real
// server is up, withdraws it on drain-director and on stop.
func TestECMPDirectorAnnounces(t *testing.T) {
	useTestBGPHelper(t)
	web := newRS(t)
	rtr := startRouter(t, netip.MustParseAddr("127.0.0.1"))
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	conf := fmt.Sprintf(`serial_no = 1
director_mode = ecmp
network = direct
syncdaemon = 1
syncd_iface = lo
syncd_id = 7
bgp {
     local_as = 65001
     router_id = 10.0.0.11
     listen_port = 0
     neighbor 127.0.0.2 {
          remote_as = 65000
          port = %d
          hold_time = 3
     }
}
virtual web {
     active = 1
     address = 192.0.2.10 lo:1
     port = 8080
     scheduler = mh
     sched_flags = mh-port
     announce = 1
     timeout = 0.3
     reentry = 0.3
     server rs1 {
         address = 127.0.0.1
         port = %d
         active = 1
     }
}
`, rtr.port, web.port)
	if err := os.WriteFile(cfgPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := startDirector(t, cfgPath, "127.0.0.1", "")
	state := func() string { return fmt.Sprintf("%+v %v", dir.d.Status().BGP, rtr.routes(t)) }
	const vip = "192.0.2.10/32"
	waitUntil(t, "the VIP announced", func() bool { return rtr.routes(t)[vip] == "127.0.0.1" }, state)
	if st := dir.d.Status(); st.Heartbeat.Role != "active" || st.Mode != lvscf.DirectorModeECMP || st.BGP == nil || len(st.BGP.Routes) != 1 || !st.BGP.Routes[0].Announced {
		t.Errorf("status: role %q mode %q bgp %+v", st.Heartbeat.Role, st.Mode, st.BGP)
	}
	// Both sync daemons at once: a master with its syncid, a backup
	// taking every syncid.
	if got := dir.k.daemonStates(); len(got) != 2 {
		t.Errorf("sync daemons %v, want master and backup", got)
	}
	if st := dir.d.Status(); strings.Join(st.Sync, "; ") != "master syncid 7 on lo; backup syncid 0 (any) on lo" {
		t.Errorf("status sync: %q", st.Sync)
	}

	// The only real server fails: withdrawn; back: announced.
	web.stop()
	waitUntil(t, "the VIP withdrawn with its server down", func() bool { _, ok := rtr.routes(t)[vip]; return !ok }, state)
	web.start()
	waitUntil(t, "the VIP announced again", func() bool { return rtr.routes(t)[vip] == "127.0.0.1" }, state)

	// drain-director withdraws and holds across a reload; undrain
	// announces again.
	res, err := dir.d.directorRequest(control.DirectorRequest{Action: control.ActDrainDirector})
	if err != nil || len(res.Routes) != 1 || res.Routes[0] != vip {
		t.Fatalf("drain: %+v, %v", res, err)
	}
	waitUntil(t, "the VIP withdrawn by the drain", func() bool { _, ok := rtr.routes(t)[vip]; return !ok }, state)
	os.WriteFile(cfgPath, []byte(strings.Replace(conf, "serial_no = 1", "serial_no = 2", 1)), 0o644)
	if _, err := dir.d.Reload(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a wrongly sent announcement would reach the router by now
	if _, ok := rtr.routes(t)[vip]; ok || !dir.d.Status().BGP.Draining {
		t.Errorf("a reload undid the drain: %s", state())
	}
	res, err = dir.d.directorRequest(control.DirectorRequest{Action: control.ActUndrainDirector})
	if err != nil || len(res.Routes) != 1 {
		t.Fatalf("undrain: %+v, %v", res, err)
	}
	waitUntil(t, "the VIP announced after undrain", func() bool { return rtr.routes(t)[vip] == "127.0.0.1" }, state)

	// Stopping withdraws first.
	dir.stop(t)
	if _, ok := rtr.routes(t)[vip]; ok {
		t.Errorf("the stopped director's route is still at the router: %v", rtr.routes(t))
	}
	if len(dir.k.rules()) != 0 {
		t.Errorf("stopped director kept its table: %q", dir.k.rules())
	}
}

// TestECMPKeepsTheConfiguredOrder: in ecmp mode every active real server
// is in the table from the first apply, at weight 0 until it is up, so
// the kernel's order is lvs.cf's whichever server came up first.
func TestECMPKeepsTheConfiguredOrder(t *testing.T) {
	cfg := decode(t, `serial_no = 1
director_mode = ecmp
network = direct
virtual web {
     active = 1
     address = 192.0.2.10 lo:1
     port = 80
     scheduler = mh
     sched_flags = mh-port
     server a {
         address = 10.1.0.1
         active = 1
     }
     server b {
         address = 10.1.0.2
         active = 1
     }
     server c {
         address = 10.1.0.3
         active = 0
     }
}
`)
	dt, err := newDesiredTable(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]health.ServerStatus{"web/b": {State: health.Up, EverUp: true}}
	in := inputsOf(h, time.Now())
	in.keepAll = true
	svc, _ := dt.service(0, in)
	var got []string
	for _, d := range svc.Destinations {
		got = append(got, fmt.Sprintf("%s/%d", d.Address, d.Weight))
	}
	if g, w := strings.Join(got, " "), "10.1.0.1/0 10.1.0.2/1"; g != w {
		t.Errorf("destinations %q, want %q (lvs.cf's order, the unchecked one at weight 0, the inactive one out)", g, w)
	}
	// Taken out by an operator: weight 0, still in its place.
	in.override = func(v, s string) (int32, bool, bool) { return 0, false, s == "b" }
	svc, _ = dt.service(0, in)
	got = got[:0]
	for _, d := range svc.Destinations {
		got = append(got, fmt.Sprintf("%s/%d", d.Address, d.Weight))
	}
	if g, w := strings.Join(got, " "), "10.1.0.1/0 10.1.0.2/0"; g != w {
		t.Errorf("with b out: %q, want %q", g, w)
	}
}
