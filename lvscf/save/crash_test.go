package save

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

// The crash test re-executes this test binary as a writer that saves two
// contents in turn, forever, and SIGKILLs it at random moments. After each
// kill the file must be exactly one of the two (never torn, never empty,
// never missing), and so must the backup.

const crashEnv = "LVSCF_SAVE_CRASH_WRITER"

// crashContents are two valid configurations, made large (comment lines)
// so that a kill often lands in the middle of writing one.
func crashContents() (a, b string) {
	pad := strings.Repeat("# padding so that writing takes a while, and a kill can land inside it\n", 4000)
	return cfgA + pad, cfgB + pad
}

// TestCrashWriter is the child; it does nothing in a normal run.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashLeavesOldOrNew")
	}
	a, b := crashContents()
	for i := 0; ; i++ {
		data := a
		if i%2 == 1 {
			data = b
		}
		if err := Write(context.Background(), path, []byte(data), Options{KeepBackup: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCrashLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary many times")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "lvs.cf")
	a, b := crashContents()
	if err := os.WriteFile(path, []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	rounds := 60
	changed, midWrite := 0, 0
	prev := a
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most kills land after the writer is running: a few milliseconds
		// for the process to start, then anywhere in its save loop.
		time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		for _, p := range []string{path, path + BackupSuffix} {
			got, err := os.ReadFile(p)
			if os.IsNotExist(err) && p != path {
				continue // no backup yet: the writer had not saved once
			}
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if string(got) != a && string(got) != b {
				t.Fatalf("round %d: %s is torn: %d bytes, neither old nor new", round, p, len(got))
			}
			if diags := lvscf.Lint(p, got, lvscf.LintOptions{}); lvscf.HasErrors(diags) {
				t.Fatalf("round %d: %s does not lint: %v", round, p, diags)
			}
			if p == path && string(got) != prev {
				changed++
				prev = string(got)
			}
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".lvs.cf.tmp*")); len(m) != 0 {
			midWrite++ // killed between creating the temporary file and renaming it
		}
	}
	t.Logf("%d kills: the file changed between %d of them; %d landed in the middle of a save", rounds, changed, midWrite)
	if changed == 0 {
		t.Fatal("the writer never saved: the test proves nothing")
	}
	// The next save clears the temporary files killed writers left behind.
	if err := Write(context.Background(), path, []byte(a), Options{}); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".lvs.cf.tmp*")); len(m) != 0 {
		t.Errorf("temporary files left after a clean save: %v", m)
	}
}
