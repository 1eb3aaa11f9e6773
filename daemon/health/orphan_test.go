package health

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/proctest"
)

// TestProgramLeavesNoProcess is issue 11 item 9: a send_program that
// starts a helper in the background, and one whose helper leaves the
// process group with setsid, each left one process per check. After the
// check, neither helper runs.
func TestProgramLeavesNoProcess(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid(1)")
	}
	for _, tc := range []struct{ name, body string }{
		// Same group, stdout not held: the check ends at once.
		{"background", "sleep 3600 >/dev/null &\necho $! > PIDS\necho OK"},
		// Own session, holding stdout.
		{"setsid", "setsid sh -c 'echo $$ > PIDS; exec sleep 3600' &\nwhile [ ! -s PIDS ]; do sleep 0.01; done\necho OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pids := filepath.Join(t.TempDir(), "pids")
			tg := Target{Addr: netip.MustParseAddr("127.0.0.1"), Port: 80, Interval: 20 * time.Second, Expect: "OK",
				// Run by /bin/sh: exec of a file just written can fail
				// with ETXTBSY while another goroutine forks.
				Program: []string{"/bin/sh", script(t, strings.ReplaceAll(tc.body, "PIDS", pids))}}
			r := Check(context.Background(), &tg)
			if !r.OK && tc.name == "background" {
				t.Errorf("check failed: %+v", r)
			}
			b, err := os.ReadFile(pids)
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("helper pid %q", b)
			}
			proctest.WaitGone(t, pid, 15*time.Second, "the helper of a finished check") // expected: at once
		})
	}
}
