package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/daemon/fwmark"
	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/internal/testwait"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// fixedKernel is the shared in-memory IPVS serving a fixed table, with
// counters; the daemon, given a Table, writes nothing to it.
func fixedKernel() *opstest.Kernel {
	k := opstest.New()
	k.Load(ops.Table{{
		Service:      ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP("192.168.50.10"), Port: 8080}, Scheduler: "rr", Stats: ops.Stats{Conns: 12}},
		Destinations: []ops.Destination{{Family: ops.AFInet, Address: net.ParseIP("127.0.0.1"), Port: 80, Weight: 3, ActiveConns: 2}},
	}})
	return k
}

type nopTable struct{}

func (nopTable) Sync(context.Context, ops.Table, ops.Timeouts, bool) (daemon.SyncResult, error) {
	return daemon.SyncResult{}, nil
}
func (nopTable) Update(context.Context, []ops.VirtualService) ([]ops.Change, error) { return nil, nil }
func (nopTable) Clear(context.Context) error                                        { return nil }

type nopVIPs struct{}

func (nopVIPs) Takeover(context.Context, []vip.VIP) error { return nil }
func (nopVIPs) Announce(context.Context)                  {}
func (nopVIPs) SetQuiet(bool)                             {}
func (nopVIPs) Release() error                            { return nil }
func (nopVIPs) Update(context.Context, []vip.VIP) error   { return nil }
func (nopVIPs) Held() []vip.VIP                           { return nil }
func (nopVIPs) RemoveStale([]vip.VIP) ([]vip.VIP, error)  { return nil, nil }
func (nopVIPs) Wait()                                     {}

type nopFwmarks struct{}

func (nopFwmarks) Install(context.Context, []fwmark.Rule) error { return nil }
func (nopFwmarks) Remove(context.Context) error                 { return nil }

const loneCfg = `serial_no = 5
primary = 127.0.0.1
backup = 127.0.0.2
backup_active = 0
heartbeat = 1
heartbeat_port = %d
keepalive = 0.1
deadtime = 0.3
network = direct
virtual web {
     active = 1
     address = 192.168.50.10 eth0:1
     port = 8080
     scheduler = rr
     timeout = 0.3
     server rs1 {
         address = 127.0.0.1
         port = %d
         active = 1
     }
}
`

// TestDaemonEndpoint runs a lone primary on loopback with --metrics-listen
// and scrapes it: role, real server health and the kernel's backend weight.
func TestDaemonEndpoint(t *testing.T) {
	rs, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	go func() {
		for {
			c, err := rs.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hbPort := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, loneCfg, hbPort, rs.Addr().(*net.TCPAddr).Port), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(daemon.Options{
		ConfigPath: cfgPath, MetricsListen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Kernel: fixedKernel(), Table: nopTable{}, VIPs: nopVIPs{}, Fwmarks: nopFwmarks{},
		LocalAddrs: func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil },
		Notify:     func(string) error { return nil },
		LinkUp:     func(netip.Addr) bool { return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	want := []string{
		`lvsadm_role{role="active"} 1`,
		`lvsadm_real_server_up{virtual="web",server="rs1",address="127.0.0.1",port="` + fmt.Sprint(rs.Addr().(*net.TCPAddr).Port) + `"} 1`,
		`lvsadm_ipvs_backend_weight{local_address="192.168.50.10",local_port="8080",remote_address="127.0.0.1",remote_port="80",proto="TCP",local_mark=""} 3`,
		`lvsadm_ipvs_connections_total 12`,
		`lvsadm_config_serial 5`,
		`lvsadm_failovers_total 1`,
	}
	var body, missing string
	testwait.Until(t, "every wanted metric", func() bool {
		if a := d.MetricsAddr(); a != nil {
			resp, err := http.Get("http://" + a.String() + "/metrics")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
			}
		}
		missing = ""
		for _, w := range want {
			if !strings.Contains(body, w+"\n") {
				missing = w
				break
			}
		}
		return missing == ""
	}, func() string { return fmt.Sprintf("no %s in:\n%s", missing, body) })
	addr := d.MetricsAddr().String()
	cancel()
	select {
	case err := <-done:
		done <- err
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testwait.Patience(t)):
		t.Fatal("daemon did not stop")
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("metrics endpoint still up after the daemon stopped")
	}
}
