package cfedit

import (
	"context"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// emptyKernel is an IPVS table with nothing in it that records what is
// added: the only fake under KernelApply.
type emptyKernel struct {
	ops.Kernel
	added []string
}

func (k *emptyKernel) Close() error                                    { return nil }
func (k *emptyKernel) Services(context.Context) ([]ops.Service, error) { return nil, nil }
func (k *emptyKernel) AddService(_ context.Context, s ops.Service) error {
	k.added = append(k.added, "service "+s.ServiceKey.String())
	return nil
}
func (k *emptyKernel) AddDestination(_ context.Context, _ ops.ServiceKey, d ops.Destination) error {
	k.added = append(k.added, "server "+d.Address.String())
	return nil
}

func TestKernelApplyIsCfApply(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	k := &emptyKernel{}
	ap := KernelApply(p, func() (ops.Kernel, error) { return k, nil })
	plan, err := ap(context.Background(), true)
	if err != nil || len(plan) != 4 || len(k.added) != 0 {
		t.Fatalf("dry run: %v, plan %q, kernel %q", err, plan, k.added)
	}
	if !strings.HasPrefix(plan[0], "-A -t 172.16.0.1:80 -s wlc") {
		t.Errorf("plan %q", plan)
	}
	done, err := ap(context.Background(), false)
	if err != nil || strings.Join(done, "\n") != strings.Join(plan, "\n") || len(k.added) != 4 {
		t.Errorf("apply: %v, done %q, kernel %q", err, done, k.added)
	}
	bad := writeFile(t, "service = lvs\n")
	if _, err := KernelApply(bad, func() (ops.Kernel, error) { t.Fatal("opened the kernel for a refused file"); return nil, nil })(context.Background(), true); err == nil {
		t.Error("a file with lint errors was applied")
	}
}
