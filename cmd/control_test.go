package cmd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/ops"
)

// idleKernel is a kernel a standby daemon never calls (it holds no table and
// runs no sync daemon): any call panics through the nil interface.
type idleKernel struct{ ops.Kernel }

// noVIPs holds no address.
type noVIPs struct{}

func (noVIPs) Takeover(context.Context, []vip.VIP) error  { return nil }
func (noVIPs) Announce(context.Context)                   {}
func (noVIPs) Release() error                             { return nil }
func (noVIPs) Update(context.Context, []vip.VIP) error    { return nil }
func (noVIPs) Held() []vip.VIP                            { return nil }
func (noVIPs) RemoveStale(v []vip.VIP) ([]vip.VIP, error) { return nil, nil }
func (noVIPs) Wait()                                      {}
func (noVIPs) SetQuiet(bool)                              {}

// standbyCf is a primary whose partner never answers and whose deadtime
// outlasts the test: the daemon stays standby, so no kernel is needed.
const standbyCf = `serial_no = %d
primary = 127.0.0.1
backup_active = 1
backup = 127.0.0.2
heartbeat_port = %d
keepalive = 1
deadtime = 3600
network = direct
virtual web {
     active = 1
     address = 192.168.50.10 eth0:1
     port = 8080
     timeout = 10
     server rs1 {
         address = 127.0.0.1
         port = 9
         active = 1
         weight = 3
     }
     server rs2 {
         address = 127.0.0.2
         port = 9
         active = 1
     }
}
`

// startStandby runs a daemon on a temp control socket and returns the
// socket and the function that rewrites its lvs.cf.
func startStandby(t *testing.T) (sock string, write func(serial int, extra string)) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	dir := t.TempDir()
	cfg, sock := filepath.Join(dir, "lvs.cf"), filepath.Join(dir, "ctl.sock")
	write = func(serial int, extra string) {
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf(standbyCf, serial, port)+extra), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(1, "")
	d, err := daemon.New(daemon.Options{ConfigPath: cfg, SocketPath: sock, Role: "primary",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Kernel: idleKernel{}, VIPs: noVIPs{},
		LocalAddrs: func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil },
		Notify:     func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the daemon's control socket never answered")
		}
	}
	return sock, write
}

// TestReloadCommand: lvsadm reload prints the daemon's verdict; a broken
// file is refused with its lint errors and exit status 1.
func TestReloadCommand(t *testing.T) {
	out, errOut, code := runLvsadm(t, "", "reload", "--socket", filepath.Join(t.TempDir(), "none.sock"))
	if code != 1 || out != "" || !strings.Contains(errOut, "no daemon at") || !strings.Contains(errOut, "systemctl start lvsadm") {
		t.Errorf("no daemon: %d %q %q", code, out, errOut)
	}

	sock, write := startStandby(t)
	write(2, "")
	out, errOut, code = runLvsadm(t, "", "reload", "--socket", sock)
	if code != 0 || out != "reloaded: serial_no 2, 0 kernel edits (standby: it holds no table)\n" || errOut != "" {
		t.Errorf("good reload: %d %q %q", code, out, errOut)
	}
	write(3, "wieght = 2\n")
	out, errOut, code = runLvsadm(t, "", "reload", "--socket", sock)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 1 || out != "" || len(lines) < 2 || !strings.HasPrefix(lines[0], "refused: ") || !strings.Contains(lines[0], "lint errors") ||
		!strings.Contains(lines[1], "lvs.cf:") || !strings.Contains(lines[1], "wieght") || strings.Contains(errOut, "lvsadm: ") {
		t.Errorf("broken file: %d %q %q", code, out, errOut)
	}
	// The refusal shows in status, and the running serial is kept.
	out, _, code = runLvsadm(t, "", "status", "--socket", sock)
	if code != 0 || !strings.Contains(out, "serial_no 2") || !strings.Contains(out, "last reload refused") {
		t.Errorf("status after the refusal: %d %q", code, out)
	}
}

// TestOverrideCommands: SERVER as the daemon reads it, what the commands
// print, and their usage errors.
func TestOverrideCommands(t *testing.T) {
	sock, _ := startStandby(t)
	for _, c := range []struct {
		args []string
		code int
		out  string // the whole standard output
		err  string // in standard error
	}{
		{[]string{"drain", "web/rs1"}, 0, "web/rs1 127.0.0.1:9: drained (weight 0), was lvs.cf's weight 3\n", ""},
		{[]string{"drain", "web/rs1"}, 0, "nothing changed: the 1 real servers named are already so\n", ""},
		{[]string{"weight", "127.0.0.2", "5"}, 0, "web/rs2 127.0.0.2:9: weight 5, was lvs.cf's weight 1\n", ""},
		{[]string{"undrain", "web"}, 0, "web/rs1 127.0.0.1:9: lvs.cf's weight 3, was drained (weight 0)\nweb/rs2 127.0.0.2:9: lvs.cf's weight 1, was weight 5\n", ""},
		{[]string{"out", "127.0.0.1:9"}, 0, "web/rs1 127.0.0.1:9: taken out of the table, was lvs.cf's weight 3\n", ""},
		{[]string{"undrain", "web/rs1"}, 0, "nothing changed: the 1 real servers named are already so\n", ""},
		{[]string{"in", "web/rs1"}, 0, "web/rs1 127.0.0.1:9: lvs.cf's weight 3, was taken out of the table\n", ""},
		{[]string{"drain", "web/nosuch"}, 1, "", `virtual server "web" has no real server named "nosuch"`},
		{[]string{"drain", "10.9.9.9"}, 1, "", "no real server on 10.9.9.9"},
		{[]string{"weight", "web/rs1", "heavy"}, 2, "", `weight "heavy": expected a number from 0 to 2147483647`},
		{[]string{"weight", "web/rs1", "2147483648"}, 2, "", "expected a number from 0 to 2147483647"},
		{[]string{"weight", "web/rs1"}, 2, "", "accepts 2 arg(s)"},
		{[]string{"drain"}, 2, "", "accepts 1 arg(s)"},
	} {
		out, errOut, code := runLvsadm(t, "", append(c.args, "--socket", sock)...)
		if code != c.code || out != c.out || !strings.Contains(errOut, c.err) {
			t.Errorf("lvsadm %s: exit %d, stdout %q, stderr %q; want %d, %q, %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.out, c.err)
		}
	}
	runLvsadm(t, "", "drain", "web/rs2", "--socket", sock)
	out, _, _ := runLvsadm(t, "", "status", "--socket", sock)
	if !strings.Contains(out, "OVERRIDE: drained (weight 0) since") {
		t.Errorf("status does not show the drain:\n%s", out)
	}
	out, errOut, code := runLvsadm(t, "", "status", "--state", "sideways", "--socket", sock)
	if code != 2 || !strings.Contains(errOut, `unknown state "sideways"`) {
		t.Errorf("status --state sideways: %d %q %q", code, out, errOut)
	}
}
