package cfedit

import (
	"context"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

func TestKernelApplyIsCfApply(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	k := opstest.New()
	ap := KernelApply(p, func() (ops.Kernel, error) { return k, nil })
	plan, err := ap(context.Background(), true)
	if err != nil || len(plan) != 4 || len(k.Changes()) != 0 {
		t.Fatalf("dry run: %v, plan %q, kernel %v", err, plan, k.Changes())
	}
	if !strings.HasPrefix(plan[0], "-A -t 172.16.0.1:80 -s wlc") {
		t.Errorf("plan %q", plan)
	}
	done, err := ap(context.Background(), false)
	if err != nil || strings.Join(done, "\n") != strings.Join(plan, "\n") || len(k.Changes()) != 4 {
		t.Errorf("apply: %v, done %q, kernel %v", err, done, k.Changes())
	}
	bad := writeFile(t, "service = lvs\n")
	if _, err := KernelApply(bad, func() (ops.Kernel, error) { t.Fatal("opened the kernel for a refused file"); return nil, nil })(context.Background(), true); err == nil {
		t.Error("a file with lint errors was applied")
	}
}
