package cmd

import (
	"runtime/debug"
	"testing"
)

// The daemon's own GC target applies only where the administrator has not
// chosen one with GOGC.
func TestSetDaemonGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GOGC" {
				return v
			}
			return ""
		}
	}
	if setDaemonGC(env("200")) {
		t.Error("GOGC=200 in the environment: setDaemonGC changed the target")
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC=200 in the environment: the target became %d", p)
	}
	if !setDaemonGC(env("")) {
		t.Error("no GOGC: setDaemonGC left the target alone")
	}
	if p := debug.SetGCPercent(100); p != daemonGCPercent {
		t.Errorf("no GOGC: the target is %d, want %d", p, daemonGCPercent)
	}
}
