//go:build vmtest

package kernel

// Real-kernel tests, run as root inside the lab VM (testdata/vm). Each test
// works in fresh network namespaces, so it starts from an empty IPVS table,
// and checks what this package does against the real ipvsadm ($IPVSADM),
// the oracle: either by reading the table back with ipvsadm, or by doing the
// same thing with ipvsadm in a second namespace and comparing `ipvsadm -Sn`.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops/labns"

	"github.com/lvsadm/lvsadm/ops"
)

func ipvsadmPath(t *testing.T) string {
	if p := os.Getenv("IPVSADM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/sbin/ipvsadm", "/sbin/ipvsadm"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("no ipvsadm (set IPVSADM)")
	return ""
}

// inNetns runs fn in a new network namespace with a multicast-capable dummy
// link lvs0 holding 10.0.0.254/8 and 2001:db8::fe/32, so that destinations
// have routes and the sync daemon has an interface.
func inNetns(t *testing.T, fn func()) {
	t.Helper()
	labns.Run(t, func() {
		labns.AddDummy(t, labns.Dummy{Name: "lvs0", Addrs: []string{"10.0.0.254/8", "2001:db8::fe/32"}, Multicast: true})
		fn()
	})
}

// ipvsadm runs the oracle in the calling thread's namespace.
func ipvsadm(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := ipvsadmErr(t, stdin, args...)
	if err != nil {
		t.Fatalf("ipvsadm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func ipvsadmErr(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(ipvsadmPath(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func openVM(t *testing.T) *Kernel {
	t.Helper()
	// An emulated CPU on a busy host can stall the kernel for seconds (one
	// stop-daemon once took over 5s); these tests are about answers, not
	// latency, which the unit tests cover.
	k, err := OpenWith(Options{NoModprobe: true, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// /proc/net follows the process's main thread; this thread moved.
	k.ConnPath = "/proc/thread-self/net/ip_vs_conn"
	t.Cleanup(func() { k.Close() })
	return k
}

func vctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func ip(s string) net.IP {
	p := net.ParseIP(s)
	if v4 := p.To4(); v4 != nil {
		return v4
	}
	return p
}

func tcp(addr string, port uint16) ops.ServiceKey {
	return ops.ServiceKey{Family: famOf(addr), Protocol: ops.ProtoTCP, Address: ip(addr), Port: port}
}

func udp(addr string, port uint16) ops.ServiceKey {
	return ops.ServiceKey{Family: famOf(addr), Protocol: ops.ProtoUDP, Address: ip(addr), Port: port}
}

func famOf(addr string) uint16 {
	if ip(addr).To4() != nil {
		return ops.AFInet
	}
	return ops.AFInet6
}

func svc(key ops.ServiceKey, sched string, flags, timeout, mask uint32) ops.Service {
	return ops.Service{ServiceKey: key, Scheduler: sched, Flags: flags, Timeout: timeout, Netmask: mask}
}

func dst(addr string, port uint16, fwd uint32, weight int32) ops.Destination {
	return ops.Destination{Family: famOf(addr), Address: ip(addr), Port: port, ConnFlags: fwd, Weight: weight}
}

// step is one change, as ipvsadm arguments and as an ops.Change.
type step struct {
	args string
	c    ops.Change
}

// ruleSteps covers the attribute space: protocols, families, fwmarks,
// persistence and netmasks, scheduler flags, one-packet scheduling, a
// persistence engine, every forwarding method, thresholds, tunnel types and
// a mixed-family (IPv6 tunnel under IPv4) destination.
func ruleSteps() []step {
	web := tcp("10.1.0.1", 80)
	dns := udp("10.1.0.2", 53)
	tls := tcp("10.1.0.3", 443)
	sip := udp("10.1.0.4", 5060)
	fw := ops.ServiceKey{Family: ops.AFInet, FWMark: 7}
	fw6 := ops.ServiceKey{Family: ops.AFInet6, FWMark: 8}
	v6 := tcp("2001:db8::1", 80)
	thr := dst("10.0.0.3", 80, ops.FwdRoute, 0)
	thr.UThreshold, thr.LThreshold = 100, 10
	gue := dst("10.0.0.6", 80, ops.FwdTunnel, 1)
	gue.TunType, gue.TunPort, gue.TunFlags = ops.TunGUE, 6080, ops.TunFlagRemCsum
	gre := dst("10.0.0.7", 80, ops.FwdTunnel, 1)
	gre.TunType, gre.TunFlags = ops.TunGRE, ops.TunFlagCsum
	peSvc := svc(sip, "rr", ops.SvcPersistent, 60, 0xffffffff)
	peSvc.PEName = "sip"
	return []step{
		{"-A -t 10.1.0.1:80 -s rr", ops.Change{Action: ops.AddService, Service: svc(web, "rr", 0, 0, 0xffffffff)}},
		{"-a -t 10.1.0.1:80 -r 10.0.0.2:8080 -m -w 3", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: dst("10.0.0.2", 8080, ops.FwdMasq, 3)}},
		{"-a -t 10.1.0.1:80 -r 10.0.0.3 -g -w 0 -x 100 -y 10", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: thr}},
		{"-a -t 10.1.0.1:80 -r 10.0.0.4 -i -w 1", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: dst("10.0.0.4", 80, ops.FwdTunnel, 1)}},
		{"-a -t 10.1.0.1:80 -r 10.0.0.6 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: gue}},
		{"-a -t 10.1.0.1:80 -r 10.0.0.7 -i -w 1 --tun-type gre --tun-csum", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: gre}},
		{"-a -t 10.1.0.1:80 -r 2001:db8:1::9 -i -w 2", ops.Change{Action: ops.AddDestination, Service: svc(web, "", 0, 0, 0), Destination: dst("2001:db8:1::9", 80, ops.FwdTunnel, 2)}},
		{"-A -u 10.1.0.2:53 -s wrr -o", ops.Change{Action: ops.AddService, Service: svc(dns, "wrr", ops.SvcOnePacket, 0, 0xffffffff)}},
		{"-a -u 10.1.0.2:53 -r 10.0.0.8:53 -m -w 10", ops.Change{Action: ops.AddDestination, Service: svc(dns, "", 0, 0, 0), Destination: dst("10.0.0.8", 53, ops.FwdMasq, 10)}},
		{"-A -t 10.1.0.3:443 -s sh -b sh-port,sh-fallback -p -M 255.255.255.0", ops.Change{Action: ops.AddService, Service: svc(tls, "sh", ops.SvcPersistent|ops.SvcSchedShPort|ops.SvcSchedShFallback, 360, 0xffffff00)}},
		{"-A -u 10.1.0.4:5060 -s rr -p 60 --pe sip", ops.Change{Action: ops.AddService, Service: peSvc}},
		{"-A -f 7 -s wlc -p 120", ops.Change{Action: ops.AddService, Service: svc(fw, "wlc", ops.SvcPersistent, 120, 0xffffffff)}},
		{"-a -f 7 -r 10.0.0.5 -m -w 2", ops.Change{Action: ops.AddDestination, Service: svc(fw, "", 0, 0, 0), Destination: dst("10.0.0.5", 0, ops.FwdMasq, 2)}},
		{"-A -f 8 -6 -s rr -p 60 -M 64", ops.Change{Action: ops.AddService, Service: svc(fw6, "rr", ops.SvcPersistent, 60, 64)}},
		{"-a -f 8 -6 -r 2001:db8:1::5 -g -w 1", ops.Change{Action: ops.AddDestination, Service: svc(fw6, "", 0, 0, 0), Destination: dst("2001:db8:1::5", 0, ops.FwdRoute, 1)}},
		{"-A -t [2001:db8::1]:80 -s mh -b mh-port", ops.Change{Action: ops.AddService, Service: svc(v6, "mh", ops.SvcSchedFlag2, 0, 128)}},
		{"-a -t [2001:db8::1]:80 -r [2001:db8:1::2]:8080 -m -w 5", ops.Change{Action: ops.AddDestination, Service: svc(v6, "", 0, 0, 0), Destination: dst("2001:db8:1::2", 8080, ops.FwdMasq, 5)}},
	}
}

// editSteps change and remove what ruleSteps made. ipvsadm -E merges its
// options into the service it reads first; these steps give it nothing to
// merge that the Change does not spell out.
func editSteps() []step {
	web := tcp("10.1.0.1", 80)
	return []step{
		{"-E -t 10.1.0.1:80 -s wlc -p 30", ops.Change{Action: ops.EditService, Service: svc(web, "wlc", ops.SvcPersistent, 30, 0xffffffff)}},
		{"-E -f 7 -s rr -p 200 -M 255.255.0.0", ops.Change{Action: ops.EditService, Service: svc(ops.ServiceKey{Family: ops.AFInet, FWMark: 7}, "rr", ops.SvcPersistent, 200, 0xffff0000)}},
		{"-e -t 10.1.0.1:80 -r 10.0.0.2:8080 -m -w 7 -x 5", ops.Change{Action: ops.EditDestination, Service: svc(web, "", 0, 0, 0),
			Destination: ops.Destination{Family: ops.AFInet, Address: ip("10.0.0.2"), Port: 8080, Weight: 7, UThreshold: 5}}},
		{"-d -t 10.1.0.1:80 -r 10.0.0.3", ops.Change{Action: ops.DelDestination, Service: svc(web, "", 0, 0, 0), Destination: dst("10.0.0.3", 80, 0, 0)}},
		{"-d -t 10.1.0.1:80 -r 2001:db8:1::9", ops.Change{Action: ops.DelDestination, Service: svc(web, "", 0, 0, 0), Destination: dst("2001:db8:1::9", 80, 0, 0)}},
		{"-D -u 10.1.0.2:53", ops.Change{Action: ops.DelService, Service: svc(udp("10.1.0.2", 53), "", 0, 0, 0)}},
		{"-D -f 8 -6", ops.Change{Action: ops.DelService, Service: svc(ops.ServiceKey{Family: ops.AFInet6, FWMark: 8}, "", 0, 0, 0)}},
	}
}

// apply does one change through the ops.Kernel methods.
func apply(c context.Context, k *Kernel, ch ops.Change) error {
	switch ch.Action {
	case ops.AddService:
		return k.AddService(c, ch.Service)
	case ops.EditService:
		return k.EditService(c, ch.Service)
	case ops.DelService:
		return k.DelService(c, ch.Service.ServiceKey)
	case ops.AddDestination:
		return k.AddDestination(c, ch.Service.ServiceKey, ch.Destination)
	case ops.EditDestination:
		return k.EditDestination(c, ch.Service.ServiceKey, ch.Destination)
	case ops.DelDestination:
		return k.DelDestination(c, ch.Service.ServiceKey, ch.Destination)
	}
	return fmt.Errorf("unknown change %v", ch.Action)
}

func restoreText(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.args + "\n")
	}
	return b.String()
}

// oracleSave does steps with ipvsadm -R in a fresh namespace and returns
// the table there as tableText shows it.
func oracleSave(t *testing.T, steps ...[]step) string {
	var out string
	inNetns(t, func() {
		for _, s := range steps {
			ipvsadm(t, restoreText(s), "-R")
		}
		out = tableText(t)
	})
	return out
}

// tableText is ipvsadm -Sn, and ipvsadm -Ln --thresholds for what -S
// leaves out (the thresholds).
func tableText(t *testing.T) string {
	return ipvsadm(t, "", "-Sn") + "--thresholds\n" + ipvsadm(t, "", "-Ln", "--thresholds")
}

func TestVMInfo(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		info, err := k.Info(vctx(t))
		if err != nil {
			t.Fatal(err)
		}
		first := strings.SplitN(ipvsadm(t, "", "-Ln"), "\n", 2)[0]
		want := fmt.Sprintf("IP Virtual Server version %d.%d.%d (size=%d)",
			info.Version>>16, info.Version>>8&0xff, info.Version&0xff, info.ConnTabSize)
		if first != want {
			t.Errorf("ipvsadm says %q, we read %q", first, want)
		}
	})
}

// Rules made through the ops.Kernel methods read back with ipvsadm -Sn
// exactly as when ipvsadm makes them; edits and deletions too.
func TestVMRulesMatchIpvsadm(t *testing.T) {
	want := oracleSave(t, ruleSteps())
	wantEdited := oracleSave(t, ruleSteps(), editSteps())
	if want == "" || want == wantEdited {
		t.Fatalf("oracle output unusable:\n%s", want)
	}
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		for _, s := range ruleSteps() {
			if err := apply(c, k, s.c); err != nil {
				t.Fatalf("%s: %v", s.args, err)
			}
		}
		if got := tableText(t); got != want {
			t.Errorf("after adds, ipvsadm -Sn:\n%s\nwant (as ipvsadm made it):\n%s", got, want)
		}
		for _, s := range editSteps() {
			if err := apply(c, k, s.c); err != nil {
				t.Fatalf("%s: %v", s.args, err)
			}
		}
		if got := tableText(t); got != wantEdited {
			t.Errorf("after edits, ipvsadm -Sn:\n%s\nwant (as ipvsadm made it):\n%s", got, wantEdited)
		}
		if err := k.Flush(c); err != nil {
			t.Fatal(err)
		}
		if got := ipvsadm(t, "", "-Sn"); got != "" {
			t.Errorf("after flush: %q", got)
		}
	})
	t.Logf("ipvsadm -Sn of the rules:\n%s", want)
}

// A table of 2,000 services with two destinations each: ipvsadm -R against
// one call per rule; the tables must match.
func TestVMLargeRestore(t *testing.T) {
	const n = 2000
	var text strings.Builder
	var changes []ops.Change
	for i := range n {
		a := fmt.Sprintf("10.%d.%d.1", 100+i/250, i%250)
		key := tcp(a, 80)
		fmt.Fprintf(&text, "-A -t %s:80 -s wrr\n", a)
		changes = append(changes, ops.Change{Action: ops.AddService, Service: svc(key, "wrr", 0, 0, 0xffffffff)})
		for j := range 2 {
			d := fmt.Sprintf("10.0.%d.%d", i%250, 2+j)
			fmt.Fprintf(&text, "-a -t %s:80 -r %s:8080 -m -w %d\n", a, d, j+1)
			changes = append(changes, ops.Change{Action: ops.AddDestination, Service: svc(key, "", 0, 0, 0), Destination: dst(d, 8080, ops.FwdMasq, int32(j+1))})
		}
	}
	var want string
	var cDur time.Duration
	inNetns(t, func() {
		start := time.Now()
		ipvsadm(t, text.String(), "-R")
		cDur = time.Since(start)
		want = ipvsadm(t, "", "-Sn")
	})
	var callDur time.Duration
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		start := time.Now()
		for _, ch := range changes {
			if err := apply(c, k, ch); err != nil {
				t.Fatal(err)
			}
		}
		callDur = time.Since(start)
		if got := ipvsadm(t, "", "-Sn"); got != want {
			t.Errorf("per-call table differs from ipvsadm -R's")
		}
	})
	t.Logf("%d rules: ipvsadm -R %v, one call each %v (TCG-emulated CPU)", len(changes), cDur, callDur)
}

// The oracle makes the table, this package reads it.
func TestVMReadBack(t *testing.T) {
	inNetns(t, func() {
		ipvsadm(t, restoreText(ruleSteps()), "-R")
		k := openVM(t)
		c := vctx(t)
		got, err := k.Services(c)
		if err != nil {
			t.Fatal(err)
		}
		wantSvcs := map[string]ops.Service{}
		wantDests := map[string][]ops.Destination{}
		for _, s := range ruleSteps() {
			id := keyID(s.c.Service.ServiceKey)
			switch s.c.Action {
			case ops.AddService:
				wantSvcs[id] = s.c.Service
			case ops.AddDestination:
				wantDests[id] = append(wantDests[id], s.c.Destination)
			}
		}
		if len(got) != len(wantSvcs) {
			t.Fatalf("%d services, want %d", len(got), len(wantSvcs))
		}
		for _, s := range got {
			id := keyID(s.ServiceKey)
			w, ok := wantSvcs[id]
			if !ok {
				t.Errorf("unexpected service %s", id)
				continue
			}
			s.Flags &^= ops.SvcHashed
			if !sameService(s, w) {
				t.Errorf("service %s:\n got %s\nwant %s", id, svcString(s), svcString(w))
			}
			one, err := k.Service(c, s.ServiceKey)
			if err != nil || keyID(one.ServiceKey) != id || one.Scheduler != s.Scheduler {
				t.Errorf("Service(%s) = %+v, %v", id, one, err)
			}
			ds, err := k.Destinations(c, s.ServiceKey)
			if err != nil {
				t.Fatal(err)
			}
			if gs, ws := destIDs(ds), destIDs(wantDests[id]); gs != ws {
				t.Errorf("destinations of %s:\n got %s\nwant %s", id, gs, ws)
			}
		}
	})
}

func svcString(s ops.Service) string {
	return fmt.Sprintf("%s sched=%q pe=%q flags=%#x timeout=%d netmask=%#x", keyID(s.ServiceKey), s.Scheduler, s.PEName, s.Flags, s.Timeout, s.Netmask)
}

func keyID(k ops.ServiceKey) string {
	if k.FWMark != 0 {
		return fmt.Sprintf("fwm%d/%d", k.FWMark, k.Family)
	}
	return fmt.Sprintf("%d/%d/%s/%d", k.Family, k.Protocol, k.Address, k.Port)
}

func destIDs(ds []ops.Destination) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%d/%s/%d fwd%d w%d u%d l%d tun%d/%d/%d", d.Family, d.Address, d.Port,
			d.ConnFlags&ops.FwdMask, d.Weight, d.UThreshold, d.LThreshold, d.TunType, d.TunPort, d.TunFlags))
	}
	sort.Strings(s)
	return strings.Join(s, "; ")
}

func TestVMErrors(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		web := svc(tcp("10.1.0.1", 80), "rr", 0, 0, 0xffffffff)
		if err := k.AddService(c, web); err != nil {
			t.Fatal(err)
		}
		d := dst("10.0.0.2", 80, ops.FwdMasq, 1)
		missing := tcp("10.1.0.99", 80)
		for _, tc := range []struct {
			name  string
			op    ops.Op
			errno syscall.Errno
			err   error
		}{
			{"duplicate service", ops.OpAddService, syscall.EEXIST, k.AddService(c, web)},
			{"unknown scheduler", ops.OpAddService, syscall.ENOENT, k.AddService(c, svc(tcp("10.1.0.2", 80), "nosuch", 0, 0, 0xffffffff))},
			{"delete missing service", ops.OpDelService, syscall.ESRCH, k.DelService(c, missing)},
			{"dest on missing service", ops.OpAddDest, syscall.ESRCH, k.AddDestination(c, missing, d)},
			{"edit missing dest", ops.OpEditDest, syscall.ENOENT, k.EditDestination(c, web.ServiceKey, d)},
			{"delete missing dest", ops.OpDelDest, syscall.ENOENT, k.DelDestination(c, web.ServiceKey, d)},
			{"zero missing service", ops.OpZero, syscall.ESRCH, k.Zero(c, &missing)},
			{"get missing service", ops.OpGetService, syscall.ESRCH, func() error { _, err := k.Service(c, missing); return err }()},
			{"stop missing daemon", ops.OpStopDaemon, syscall.ESRCH, k.StopDaemon(c, ops.DaemonMaster)},
		} {
			var ke *ops.KernelError
			if !errors.As(tc.err, &ke) || ke.Op != tc.op || ke.Errno != tc.errno {
				t.Errorf("%s: got %v, want %s %v", tc.name, tc.err, tc.op, tc.errno)
			}
		}
		// The kernel reports no destinations, not an error, for a missing
		// service.
		if ds, err := k.Destinations(c, missing); err != nil || len(ds) != 0 {
			t.Errorf("destinations of a missing service: %v %v", ds, err)
		}
		if err := k.AddDestination(c, web.ServiceKey, d); err != nil {
			t.Fatal(err)
		}
		if err := k.AddDestination(c, web.ServiceKey, d); !errors.Is(err, syscall.EEXIST) {
			t.Errorf("duplicate destination: %v", err)
		}
	})
}

func TestVMTimeouts(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		if err := k.SetTimeouts(c, ops.Timeouts{TCP: 901, TCPFin: 121, UDP: 301}); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(ipvsadm(t, "", "-L", "--timeout")); got != "Timeout (tcp tcpfin udp): 901 121 301" {
			t.Errorf("ipvsadm -L --timeout: %q", got)
		}
		ipvsadm(t, "", "--set", "100", "20", "30")
		to, err := k.Timeouts(c)
		if err != nil || to != (ops.Timeouts{TCP: 100, TCPFin: 20, UDP: 30}) {
			t.Errorf("after ipvsadm --set: %+v %v", to, err)
		}
		// Zero leaves a timeout alone.
		if err := k.SetTimeouts(c, ops.Timeouts{UDP: 45}); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(ipvsadm(t, "", "-L", "--timeout")); got != "Timeout (tcp tcpfin udp): 100 20 45" {
			t.Errorf("ipvsadm -L --timeout: %q", got)
		}
	})
}

func TestVMZero(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		key := udp("10.1.0.5", 53)
		if err := k.AddService(c, svc(key, "rr", 0, 0, 0xffffffff)); err != nil {
			t.Fatal(err)
		}
		if err := k.Zero(c, &key); err != nil {
			t.Error(err)
		}
		if err := k.Zero(c, nil); err != nil {
			t.Error(err)
		}
	})
}

// Daemons started here show in ipvsadm -L --daemon as when ipvsadm starts
// them, and ipvsadm's show up here.
func TestVMDaemons(t *testing.T) {
	master := ops.Daemon{State: ops.DaemonMaster, McastIfn: "lvs0", SyncID: 5, SyncMaxLen: 1400,
		McastGroup: ip("239.1.2.3"), McastPort: 8850, McastTTL: 2}
	var want string
	inNetns(t, func() {
		ipvsadm(t, "", "--start-daemon", "master", "--mcast-interface", "lvs0", "--syncid", "5",
			"--sync-maxlen", "1400", "--mcast-group", "239.1.2.3", "--mcast-port", "8850", "--mcast-ttl", "2")
		want = ipvsadm(t, "", "-L", "--daemon")
	})
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		if err := k.StartDaemon(c, master); err != nil {
			t.Fatal(err)
		}
		waitSyncThreads(t)
		if got := ipvsadm(t, "", "-L", "--daemon"); got != want {
			t.Errorf("ipvsadm -L --daemon:\n%s\nwant:\n%s", got, want)
		}
		ipvsadm(t, "", "--start-daemon", "backup", "--mcast-interface", "lvs0", "--syncid", "7")
		waitSyncThreads(t)
		ds, err := k.Daemons(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 {
			t.Fatalf("daemons %+v", ds)
		}
		m, b := ds[0], ds[1]
		if !m.McastGroup.Equal(master.McastGroup) || m.SyncMaxLen != 1400 || m.McastPort != 8850 || m.McastTTL != 2 ||
			m.State != ops.DaemonMaster || m.McastIfn != "lvs0" || m.SyncID != 5 {
			t.Errorf("master %+v", m)
		}
		if b.State != ops.DaemonBackup || b.McastIfn != "lvs0" || b.SyncID != 7 {
			t.Errorf("backup %+v", b)
		}
		for _, state := range []uint32{ops.DaemonMaster, ops.DaemonBackup} {
			start := time.Now()
			if err := k.StopDaemon(c, state); err != nil {
				t.Fatalf("stop %d after %v: %v", state, time.Since(start), err)
			}
			t.Logf("stopping daemon %d took %v", state, time.Since(start))
		}
		if got := ipvsadm(t, "", "-L", "--daemon"); got != "" {
			t.Errorf("daemons left: %q", got)
		}
	})
	t.Logf("ipvsadm -L --daemon:\n%s", want)
}

// waitSyncThreads waits until every IPVS sync thread runs its loop. A stop
// that comes before a new thread first runs makes kthread_stop return
// -EINTR, which netlink_rcv_skb takes for "dump in progress" and never
// acknowledges: the request gets no answer at all (ipvsadm would hang; this
// package times out).
func waitSyncThreads(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		busy := ""
		pids, _ := os.ReadDir("/proc")
		for _, p := range pids {
			comm, err := os.ReadFile("/proc/" + p.Name() + "/comm")
			if err != nil || !strings.HasPrefix(string(comm), "ipvs-") {
				continue
			}
			stat, err := os.ReadFile("/proc/" + p.Name() + "/stat")
			if err != nil {
				continue
			}
			// pid (comm) state ...
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] != 'S' {
				busy = fmt.Sprintf("%s (%s) in state %c", p.Name(), strings.TrimSpace(string(comm)), stat[i+2])
			}
		}
		if busy == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync thread %s", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Connections made from inside the namespace to a virtual service (IPVS
// schedules local clients at LOCAL_OUT) show in /proc as ipvsadm -Lnc
// shows them.
func TestVMConnections(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		c := vctx(t)
		web := tcp("10.1.0.9", 80)
		dns := udp("10.1.0.9", 53)
		dns6 := udp("2001:db8::9", 53)
		for _, s := range []ops.Service{svc(web, "rr", 0, 0, 0xffffffff), svc(dns, "rr", 0, 0, 0xffffffff), svc(dns6, "rr", 0, 0, 128)} {
			if err := k.AddService(c, s); err != nil {
				t.Fatal(err)
			}
			d := dst("10.0.0.2", s.Port, ops.FwdMasq, 1)
			if s.Family == ops.AFInet6 {
				d = dst("2001:db8:1::2", s.Port, ops.FwdMasq, 1)
			}
			if err := k.AddDestination(c, s.ServiceKey, d); err != nil {
				t.Fatal(err)
			}
		}
		if conn, err := net.DialTimeout("tcp", "10.1.0.9:80", 300*time.Millisecond); err == nil {
			conn.Close()
		}
		for _, to := range []string{"10.1.0.9:53", "[2001:db8::9]:53"} {
			if conn, err := net.Dial("udp", to); err == nil {
				conn.Write([]byte("x"))
				conn.Close()
			}
		}
		_ = c
		conns, err := collectKernelConns(k)
		if err != nil {
			t.Fatal(err)
		}
		out := ipvsadm(t, "", "-Lnc")
		var want []string
		for _, line := range strings.Split(out, "\n")[2:] {
			f := strings.Fields(line)
			if len(f) == 6 { // pro expire state source virtual destination
				want = append(want, strings.Join([]string{f[0], f[2], f[3], f[4], f[5]}, " "))
			}
		}
		var got []string
		for _, cn := range conns {
			got = append(got, fmt.Sprintf("%s %s %s %s %s", cn.Protocol, cn.State,
				net.JoinHostPort(cn.Client.String(), fmt.Sprint(cn.CPort)),
				net.JoinHostPort(cn.Virtual.String(), fmt.Sprint(cn.VPort)),
				net.JoinHostPort(cn.Dest.String(), fmt.Sprint(cn.DPort))))
		}
		sort.Strings(got)
		sort.Strings(want)
		if len(want) != 3 {
			t.Fatalf("want three connections to compare; ipvsadm -Lnc:\n%s", out)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("connections:\n%s\nipvsadm -Lnc:\n%s", strings.Join(got, "\n"), out)
		}
		t.Logf("ipvsadm -Lnc:\n%s", out)
	})
}

// A service with many destinations: the dump spans several datagrams.
func TestVMManyDestinations(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		key := tcp("10.1.0.1", 80)
		c := vctx(t)
		if err := k.AddService(c, svc(key, "wlc", 0, 0, 0xffffffff)); err != nil {
			t.Fatal(err)
		}
		for i := range 600 {
			if err := k.AddDestination(c, key, dst(fmt.Sprintf("10.2.%d.%d", i/200, 1+i%200), 8080, ops.FwdMasq, int32(i))); err != nil {
				t.Fatal(err)
			}
		}
		ds, err := k.Destinations(vctx(t), key)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(ipvsadm(t, "", "-Ln"), "  -> ") - 1 // minus the header
		if len(ds) != 600 || lines != 600 {
			t.Fatalf("%d destinations read, ipvsadm lists %d", len(ds), lines)
		}
		seen := map[int32]bool{} // the kernel lists the newest first
		for _, d := range ds {
			if d.Weight < 0 || d.Weight >= 600 || seen[d.Weight] || d.Port != 8080 ||
				d.Address.String() != fmt.Sprintf("10.2.%d.%d", d.Weight/200, 1+d.Weight%200) {
				t.Fatalf("destination %+v", d)
			}
			seen[d.Weight] = true
		}
	})
}

// Stopping a sync daemon right after starting it races the new thread's
// first run; when the stop wins, the kernel sends no answer at all (see
// waitSyncThreads). Without the barrier such a request only ends by its
// timeout; StopDaemon, with it, answers at once, and the daemon is gone
// either way.
func TestVMStopDaemonRace(t *testing.T) {
	inNetns(t, func() {
		k := openVM(t)
		silent := 0
		for i := range 20 {
			c := vctx(t)
			if err := k.StartDaemon(c, ops.Daemon{State: ops.DaemonBackup, McastIfn: "lvs0", SyncID: uint32(i)}); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if i%2 == 0 {
				if err := k.StopDaemon(c, ops.DaemonBackup); err != nil {
					t.Fatalf("StopDaemon: %v", err)
				}
				if el := time.Since(start); el > 5*time.Second {
					t.Errorf("StopDaemon took %v", el)
				}
			} else {
				// The bare command, without the barrier.
				sc, cancel := context.WithTimeout(context.Background(), time.Second)
				err := k.set(sc, ops.OpStopDaemon, cmdDelDaemon, func(e *encoder) error {
					n := e.beginNest(cmdAttrDaemon)
					e.putU32(daemonAttrState, ops.DaemonBackup)
					e.endNest(n)
					return nil
				})
				cancel()
				if errors.Is(err, context.DeadlineExceeded) {
					silent++
				} else if err != nil {
					t.Fatalf("bare stop: %v", err)
				}
			}
			if ds, err := k.Daemons(c); err != nil || len(ds) != 0 {
				t.Fatalf("after stop: %+v %v", ds, err)
			}
		}
		t.Logf("%d of 10 bare stops got no answer from the kernel", silent)
	})
}
