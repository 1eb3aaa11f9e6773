package health

import (
	"syscall"
	"testing"
)

// TestRaiseFileLimit: from a soft limit under the hard one, the soft
// limit ends at the hard one; at the hard limit, a call changes nothing.
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	// Lowering the soft limit is always allowed; one under the hard limit
	// costs the tests in this process nothing.
	low := syscall.Rlimit{Cur: orig.Max - 1, Max: orig.Max}
	if orig.Cur < low.Cur {
		low.Cur = orig.Cur
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint64{low.Cur, orig.Max} { // the second call finds it raised
		old, raised, err := RaiseFileLimit()
		if err != nil {
			t.Fatal(err)
		}
		var now syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
			t.Fatal(err)
		}
		if old != want || raised != orig.Max || now.Cur != orig.Max || now.Max != orig.Max {
			t.Errorf("from %d: reported %d -> %d, limit now %+v; want %d -> %d", want, old, raised, now, want, orig.Max)
		}
	}
}
