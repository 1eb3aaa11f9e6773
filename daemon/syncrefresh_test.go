package daemon

import (
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

func TestSyncRefreshPeriod(t *testing.T) {
	for _, c := range []struct {
		tcp  lvscf.Seconds
		want time.Duration
	}{
		{0, 10 * time.Second},   // the kernel's 900 s: the cap
		{900, 10 * time.Second}, // a quarter would be 225 s
		{40, 10 * time.Second},
		{10, 2 * time.Second}, // 2.5 s, in whole seconds
		{4, time.Second},
		{1, time.Second}, // never 0: that would turn the refresh off
		{0.5, time.Second},
	} {
		cfg := &lvscf.Config{TCPTimeout: c.tcp}
		if got := syncRefreshPeriod(cfg); got != c.want {
			t.Errorf("tcp_timeout %v: refresh %v, want %v", c.tcp, got, c.want)
		}
		if got, want := failbackMinWait(cfg), c.want+4*time.Second; got != want {
			t.Errorf("tcp_timeout %v: failback minimum wait %v, want %v", c.tcp, got, want)
		}
	}
}
