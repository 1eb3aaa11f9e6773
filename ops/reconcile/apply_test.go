package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// loaded is the shared in-memory IPVS holding tab.
func loaded(tab Table) *opstest.Kernel {
	k := opstest.New()
	k.Load(tab)
	return k
}

// find returns the service of k's table with key's identity.
func find(k *opstest.Kernel, key ops.ServiceKey) (Service, bool) {
	for _, s := range k.Table() {
		if s.ID() == key.ID() {
			return s, true
		}
	}
	return Service{}, false
}

func TestApplyConverges(t *testing.T) {
	ctx := context.Background()
	k := loaded(rules(t,
		"-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1",
		"-A -u 10.0.0.9:53 -s rr"))
	desired := rules(t,
		"-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3", "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1",
		"-A -f 3 -s sh", "-a -f 3 -r 10.0.1.4:0 -g -w 1")
	actual, err := ops.Read(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, k, Plan(desired, actual)); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(k.Changes())
	if want := "[edit-service del-dest edit-dest add-dest add-service add-dest]"; got != want {
		t.Errorf("calls %q, want %q", got, want)
	}
	after, err := ops.Read(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if again := Plan(desired, after); len(again) != 0 {
		t.Errorf("second plan not empty: %q", formatAll(again))
	}
	if _, ok := find(k, rules(t, "-A -u 10.0.0.9:53")[0].ServiceKey); !ok {
		t.Error("a service the desired table does not name was removed")
	}
}

func TestApplyStopsAtFirstError(t *testing.T) {
	k := opstest.New()
	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		if op == ops.OpAddDest {
			return &ops.KernelError{Op: op, Errno: syscall.EINVAL}
		}
		return nil
	})
	err := Apply(context.Background(), k, Plan(rules(t, "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m", "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m"), nil))
	var ke *ops.KernelError
	var ce *ops.ChangeError
	if !errors.As(err, &ke) || !errors.As(err, &ce) || ce.Change.Action != AddDestination {
		t.Fatalf("err = %v", err)
	}
	if got := ipvsadm.ChangeErrorLine(err).Error(); !strings.HasPrefix(got, "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1: ") {
		t.Fatalf("as an ipvsadm line: %v", got)
	}
	if got := fmt.Sprint(k.Changes()); got != "[add-service add-dest]" {
		t.Errorf("calls after the failure: %q", got)
	}
}
