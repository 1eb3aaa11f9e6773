package daemon

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/ops"
)

// servicesFailedAfter is how many applies in a row must fail to reach the
// kernel's table before an active director gives its services up.
const servicesFailedAfter = 3

// servicesWatch decides when the director's services have failed: pulse
// gave up when its lvs child died; lvsadm gives up when the kernel's IPVS
// table cannot be read or written several applies in a row (IPVS
// unloaded, netlink refusing or timing out, no permission). A change the
// kernel refuses with an errno (an unknown scheduler, an unroutable real
// server) is not a failure of the services: the rest of the table serves,
// and the partner, with the same file, would refuse it too.
type servicesWatch struct {
	mu       sync.Mutex
	failures int
	last     error
}

// result notes the outcome of one apply.
func (w *servicesWatch) result(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil || refusedChange(err) {
		w.failures, w.last = 0, nil
		return
	}
	w.failures++
	w.last = err
}

// failed reports, once per run of failures, that the services failed,
// with why; the count starts again, so a director that takes over later
// gives up only after new failures.
func (w *servicesWatch) failed() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failures < servicesFailedAfter {
		return "", false
	}
	why := fmt.Sprintf("the IPVS table could not be applied %d times in a row: %v", w.failures, w.last)
	w.failures, w.last = 0, nil
	return why, true
}

// refusedChange: the kernel answered one change with an errno.
func refusedChange(err error) bool {
	var ce *ops.ChangeError
	var ke *ops.KernelError
	return errors.As(err, &ce) && errors.As(err, &ke) && ke.Errno != 0
}

// giveUpIfServicesFailed tells the heartbeat state machine that the
// services failed, when they did: it deactivates and takes nothing over
// again until the partner has been heard running (pulse's CHILDFAIL). A
// director without heartbeat (ECMP) has no partner to hand over to and
// keeps trying.
func (d *Daemon) giveUpIfServicesFailed() {
	why, failed := d.servicesFail.failed()
	if !failed {
		return
	}
	d.mu.Lock()
	drv := d.driver
	d.mu.Unlock()
	if drv == nil {
		d.log.Error("services failed; no partner to hand over to, still trying", "why", why)
		return
	}
	drv.Inject(func(m *heartbeat.Machine, now time.Time) []heartbeat.Action { return m.ServicesFailed(now, why) })
}
