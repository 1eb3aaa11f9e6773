package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/heartbeat"
)

// TestCfKeygen: the key file is created 0600 and loads as the daemon loads
// it; the printed lines name it; an existing file or a symbolic link is
// never written through, and --force replaces (not follows) it.
func TestCfKeygen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hb.key")
	out, errOut, code := runCf(t, "", "keygen", path)
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	st, err := os.Lstat(path)
	if err != nil || st.Mode() != 0o600 {
		t.Fatalf("key file %v, %v: want a regular file with mode 0600", st.Mode(), err)
	}
	kr, err := heartbeat.LoadKeyFile(path)
	if err != nil || kr.Len() != 1 {
		t.Fatalf("the daemon cannot load the key: %v", err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if key := lines[len(lines)-1]; len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" {
		t.Fatalf("key line %q: want 64 hex digits (32 random bytes)", key)
	}
	for _, want := range []string{"--heartbeat-key-file " + path, "LVSADM_DAEMON_ARGS=", kr.IDs()[0]} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Again: refused, the key kept.
	if _, errOut, code := runCf(t, "", "keygen", path); code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("second keygen: exit %d, %q: want refused", code, errOut)
	}
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Fatal("refused keygen changed the key")
	}

	// A symbolic link planted at FILE: never written through.
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep me\n"), 0o644)
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if _, _, code := runCf(t, "", "keygen", link); code == 0 {
		t.Fatal("keygen wrote through a symbolic link")
	}
	if _, _, code := runCf(t, "", "keygen", "--force", link); code != 0 {
		t.Fatal("keygen --force over a symbolic link failed")
	}
	if v, _ := os.ReadFile(victim); string(v) != "keep me\n" {
		t.Fatalf("the link's target was written: %q", v)
	}
	if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("after --force: %v %v, want a regular 0600 file in place of the link", st.Mode(), err)
	}

	// --force replaces the key.
	if _, _, code := runCf(t, "", "keygen", "--force", path); code != 0 {
		t.Fatal("keygen --force failed")
	}
	if kr2, err := heartbeat.LoadKeyFile(path); err != nil || kr2.IDs()[0] == kr.IDs()[0] {
		t.Fatalf("after --force: %v, want a new key", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Fatalf("directory holds %d entries, want 3 (no temporary file left)", len(ents))
	}
}
