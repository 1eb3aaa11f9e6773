//go:build vmtest

package kernel

import (
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// The cases the in-memory IPVS of ops/opstest passes on the host, against
// Linux: where the two disagree, the fake is wrong.
func TestVMContract(t *testing.T) {
	opstest.Contract{
		With: func(t *testing.T, fn func(k ops.Kernel)) {
			inNetns(t, func() { fn(openVM(t)) })
		},
		Link:        "lvs0",
		SyncStarted: waitSyncThreads,
	}.Run(t)
}
