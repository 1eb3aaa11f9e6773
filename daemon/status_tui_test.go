package daemon

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui"
)

// TestTUIReadsTheControlSocket is the control protocol from lvsadm tui's
// side: a lone primary with one real server up and one down, read by the
// TUI's own client over the real socket, and drawn (lvsadm top -b) from the
// table the daemon built and the health it answered.
func TestTUIReadsTheControlSocket(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	rs2.stop() // refuses connections: down from its first check
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	cfg := fmt.Sprintf(cfgTemplate, 3, freeUDPPort(t), "rr", rs1.port, rs2.port)
	cfg = strings.Replace(cfg, "backup_active = 1", "backup_active = 0", 1)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startDirector(t, cfgPath, "127.0.0.1", "")
	waitUntil(t, "active with rs1 up and rs2 down", func() bool {
		st := a.d.Status()
		if st.Heartbeat.Role != "active" || len(st.Virtuals) != 1 || len(a.k.rules()) == 0 {
			return false
		}
		s := st.Virtuals[0].Servers
		return s[0].State == control.Up && s[1].State == control.Down
	}, func() string { return fmt.Sprint(a.d.Status()) })

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	st, err := control.New(a.sock).Status(ctx, control.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	down := st.Virtuals[0].Servers[1]
	if st.Heartbeat.Role != "active" || st.Heartbeat.Identity != "primary" || st.Serial != 3 || st.Digest == "" ||
		down.Name != "rs2" || down.State != "down" || down.LastCheck == nil || down.LastCheck.OK ||
		down.LastCheck.Reason == "" || down.LastCheck.Latency <= 0 || st.Since.IsZero() || len(st.Events) == 0 {
		t.Errorf("the TUI decoded %+v", st)
	}

	var out bytes.Buffer
	err = tui.Batch(ctx, tui.NewKernelSource(a.k), &out, tui.BatchOptions{
		Frames: 1, Width: 140, Height: 30, Daemon: control.New(a.sock)})
	if err != nil {
		t.Fatal(err)
	}
	frame := out.String()
	t.Log("\n" + frame)
	for _, want := range []string{
		"1 svc 1 rs 1 DOWN",
		"TCP 192.168.50.10:8080 rr",
		"1/2 up",
		fmt.Sprintf("-> 127.0.0.1:%d", rs1.port),
		fmt.Sprintf("-> 127.0.0.1:%d", rs2.port),
		"DOWN     not in the kernel table",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("frame lacks %q:\n%s", want, frame)
		}
	}
}
