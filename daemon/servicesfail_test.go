package daemon

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

func TestServicesWatch(t *testing.T) {
	var w servicesWatch
	lost := &ops.KernelError{Op: ops.OpGetServices, Err: errors.New("netlink: no answer")}
	refused := &ops.ChangeError{Err: &ops.KernelError{Op: ops.OpAddService, Errno: syscall.ENOENT}}
	for range servicesFailedAfter - 1 {
		w.result(lost)
	}
	w.result(refused) // the kernel answers: the run of failures ends
	for range servicesFailedAfter - 1 {
		w.result(lost)
	}
	if why, ok := w.failed(); ok {
		t.Fatalf("failed after a refusal broke the run: %s", why)
	}
	w.result(lost)
	why, ok := w.failed()
	if !ok || !strings.Contains(why, "no answer") {
		t.Fatalf("failed() = %q, %v", why, ok)
	}
	if _, again := w.failed(); again {
		t.Error("reported twice for one run of failures")
	}
}

// TestServicesFailedGivesUp: an active director whose kernel table can no
// longer be read gives up (pulse's lvs child dying): standby, VIPs
// released, services_failed in the status, and it takes nothing over
// again on its own.
func TestServicesFailedGivesUp(t *testing.T) {
	a := startDirector(t, lonePrimaryConfig(t, newRS(t)), "127.0.0.1", "", func(o *Options) { o.ResyncInterval = 20 * time.Millisecond })
	state := func() string { return fmt.Sprintf("%+v; table %q", a.d.Status().Heartbeat, a.k.rules()) }
	waitUntil(t, "lone primary active", func() bool { return a.role() == "active" && len(a.k.rules()) > 0 }, state)
	// IPVS goes away: every call fails without an answer from the kernel.
	a.k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		return &ops.KernelError{Op: op, Err: ops.ErrNoIPVS}
	})
	waitUntil(t, "gave up", func() bool {
		st := a.d.Status()
		return st.Heartbeat.Role != "active" && st.Heartbeat.ChildFail && len(a.vips.Held()) == 0
	}, state)
	var text strings.Builder
	st := a.d.Status()
	WriteText(&text, &st, time.Now())
	if !strings.Contains(text.String(), "services FAILED here") {
		t.Errorf("status does not say so:\n%s", text.String())
	}
}
