package daemon

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRemoveStaleSocket(t *testing.T) {
	dir := t.TempDir()

	// A stale socket (its listener gone without unlinking it) is removed.
	sock := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if err := removeStaleSocket(sock); err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Fatalf("stale socket still there: %v", err)
	}
	if err := removeStaleSocket(sock); err != nil {
		t.Fatalf("missing path: %v", err)
	}

	// A regular file, a directory and a symlink to a socket stay.
	file := filepath.Join(dir, "lvs.cf")
	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	ln2, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, "real.sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	link := filepath.Join(dir, "link.sock")
	if err := os.Symlink(filepath.Join(dir, "real.sock"), link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, says string }{
		{file, "a regular file"}, {sub, "a directory"}, {link, "a symbolic link"},
	} {
		err := removeStaleSocket(c.path)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want a refusal saying %q", c.path, err, c.says)
		}
		if _, err := os.Lstat(c.path); err != nil {
			t.Errorf("%s removed: %v", c.path, err)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Errorf("regular file changed: %q", b)
	}
}

// TestListenControlKeepsRegularFile: listenControl goes through
// removeStaleSocket.
func TestListenControlKeepsRegularFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := listenControl(file)
	if err == nil {
		srv.ln.Close()
		t.Fatal("control socket created over a regular file")
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Errorf("regular file changed: %q (%v)", b, err)
	}
}
