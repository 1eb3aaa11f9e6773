//go:build vmtest

package cmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo runs make demo's script (testdata/lab/demo.sh) as make demo
// runs it in the VM: two directors with the daemon, a real server
// failing, the active director dying. The script checks every step it
// shows and exits 1 at the first that does not hold, so a demo that no
// longer works fails here, in make test, rather than in front of a
// newcomer.
func TestDemo(t *testing.T) {
	lvsadm := vmBinary(t, "LVSADM")
	lab := os.Getenv("LAB")
	if lab == "" {
		t.Skip("$LAB is not set: run with testdata/vm/vmtest.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", filepath.Join(lab, "demo.sh"))
	cmd.Env = append(os.Environ(), "LVSADM="+lvsadm)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"== Demo done: every step checked", "lvsadm top -b -n 1 --director", "DIRECTOR"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
}
