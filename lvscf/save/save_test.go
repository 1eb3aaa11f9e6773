package save

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

const cfgA = `serial_no = 7
primary = 10.0.0.2
service = lvs
network = direct
virtual www {
     active = 1
     address = 10.0.0.1 eth0:1
     port = 80
     server web1 {
         address = 10.0.1.1
         active = 1
     }
}
`

var cfgB = strings.Replace(cfgA, "port = 80", "port = 8080", 1)

func TestWriteKeepsModeBackupAndBumps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lvs.cf")
	if err := os.WriteFile(path, []byte(cfgA), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, []byte(cfgB), Options{BumpSerial: true, KeepBackup: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(cfgB, "serial_no = 7", "serial_no = 8", 1); string(got) != want {
		t.Errorf("saved:\n%s\nwant:\n%s", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if bak, _ := os.ReadFile(path + BackupSuffix); string(bak) != cfgA {
		t.Errorf("backup:\n%s", bak)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".lvs.cf.tmp*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestBumpSerial(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"serial_no = 41\nprimary = 10.0.0.2\n", "serial_no = 42\nprimary = 10.0.0.2\n"},
		{"serial_no = 010\n", "serial_no = 9\n"}, // octal, as piranha reads it
		{"primary = 10.0.0.2\nvirtual v {\n}\n", "primary = 10.0.0.2\nserial_no = 1\nvirtual v {\n}\n"},
		{"serial_no = 3\r\n", "serial_no = 4\r\n"},
	} {
		got, err := BumpSerial("x", []byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("BumpSerial(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := BumpSerial("x", []byte("virtual v {\n")); err == nil {
		t.Error("BumpSerial of a broken file: no error")
	}
}

func TestWriteRefusesLintErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(cfgA), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(cfgA, "port = 80", "port = eighty", 1)
	err := Write(context.Background(), path, []byte(bad), Options{})
	var se *lvscf.SyntaxError
	var le *LintError
	if !errors.As(err, &se) || !errors.As(err, &le) || !strings.Contains(err.Error(), "lvs.cf:8:") {
		t.Fatalf("err = %v, want a SyntaxError at line 8", err)
	}
	if got, _ := os.ReadFile(path); string(got) != cfgA {
		t.Error("a refused save changed the file")
	}
	if err := Write(context.Background(), path, []byte(bad), Options{Force: true, BumpSerial: true}); err != nil {
		t.Fatalf("forced: %v", err)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), "eighty") || !strings.Contains(string(got), "serial_no = 8") {
		t.Errorf("forced save wrote:\n%s", got)
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.cf")
	link := filepath.Join(dir, "lvs.cf")
	if err := os.WriteFile(target, []byte(cfgA), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.cf", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), link, []byte(cfgB), Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	if got, _ := os.ReadFile(target); string(got) != cfgB {
		t.Error("the link's target was not written")
	}
}

func TestLockTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lvs.cf")
	l, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Write(ctx, path, []byte(cfgA), Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Write while locked: %v, want ErrLocked", err)
	}
	l.Unlock()
	if err := Write(context.Background(), path, []byte(cfgA), Options{}); err != nil {
		t.Fatalf("Write after unlock: %v", err)
	}
}

// TestConcurrentEdits runs editors in parallel, each bumping serial_no
// once: with the lock, none of the bumps is lost.
func TestConcurrentEdits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(cfgA), 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Edit(context.Background(), path, func(*lvscf.File) error { return nil }, Options{BumpSerial: true})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	if !bytes.HasPrefix(got, []byte("serial_no = 27\n")) {
		t.Errorf("after %d edits from serial 7:\n%s", n, got)
	}
}

func TestEditErrorsWriteNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(cfgA), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := Edit(context.Background(), path, func(*lvscf.File) error { return boom }, Options{BumpSerial: true}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if err := os.WriteFile(path, []byte("virtual v {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var se *lvscf.SyntaxError
	if err := Edit(context.Background(), path, func(*lvscf.File) error { return nil }, Options{}); !errors.As(err, &se) {
		t.Fatalf("edit of a broken file: %v", err)
	}
}

// TestWriteKeepsOwner needs root to give the file away first.
func TestWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	path := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(cfgA), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, []byte(cfgB), Options{KeepBackup: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + BackupSuffix} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		sys := st.Sys().(*syscall.Stat_t)
		if sys.Uid != 1234 || sys.Gid != 5678 || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: owner %d:%d mode %v, want 1234:5678 0600", p, sys.Uid, sys.Gid, st.Mode().Perm())
		}
	}
}
