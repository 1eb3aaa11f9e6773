package opstest

import (
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// The fake answers as the kernel does; ops/kernel TestVMContract runs the
// same cases against Linux.
func TestContract(t *testing.T) {
	Contract{
		With: func(t *testing.T, fn func(k ops.Kernel)) {
			k := New()
			k.Links = map[string]int{"lvs0": 1500}
			fn(k)
		},
		Link: "lvs0",
	}.Run(t)
}
