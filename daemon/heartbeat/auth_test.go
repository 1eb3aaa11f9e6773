package heartbeat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestParseKeys(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keys int
		err  string
	}{
		{"one key", "0123456789abcdef\n", 1, ""},
		{"comments and blanks", "# rollover: new first\n\nnew-key-0123456789\n  old-key-0123456789  \n", 2, ""},
		{"too short", "short\n", 0, "shorter than 16"},
		{"duplicate", "0123456789abcdef\n0123456789abcdef\n", 0, "duplicate"},
		{"empty", "# nothing\n", 0, "no key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kr, err := ParseKeys([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || kr.Len() != tc.keys {
				t.Fatalf("got %d keys, %v; want %d", kr.Len(), err, tc.keys)
			}
		})
	}
	kr, _ := ParseKeys([]byte("new-key-0123456789\nold-key-0123456789\n"))
	if ids := kr.IDs(); len(ids) != 2 || ids[0] != NewKey([]byte("new-key-0123456789")).ID.String() {
		t.Errorf("ids %v: the first line must sign", ids)
	}
}

func TestLoadKeyFileMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hb.key")
	os.WriteFile(p, []byte("0123456789abcdef\n"), 0o644)
	if _, err := LoadKeyFile(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file accepted: %v", err)
	}
	os.Chmod(p, 0o600)
	if kr, err := LoadKeyFile(p); err != nil || kr.Len() != 1 {
		t.Fatalf("LoadKeyFile: %v", err)
	}
	if _, err := LoadKeyFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing key file accepted")
	}
	big := filepath.Join(t.TempDir(), "big.key")
	os.WriteFile(big, bytes.Repeat([]byte("0123456789abcdef\n"), 5000), 0o600)
	if _, err := LoadKeyFile(big); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("an 85 kB key file: %v", err)
	}
}

// A FIFO as the key file is refused at once: reading it would hang the
// daemon's start (or reload) until something wrote to it.
func TestLoadKeyFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "hb.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	_, err := LoadKeyFile(fifo)
	if err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("FIFO key file: %v", err)
	}
}
