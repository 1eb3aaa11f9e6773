package lvscf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileHelpers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lvs.cf")
	src := readCorpus(t, "02-nat-send-program-blank-lines.cf")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}

	ds, err := LintFile(path, LintOptions{})
	if err != nil || HasErrors(ds) || !hasCode(ds, "send-ignored") {
		t.Fatalf("LintFile = %v, %v", ds, err)
	}
	cfg, err := DecodeFile(path)
	if err != nil || cfg.Network != "nat" || len(cfg.Virtuals) != 1 {
		t.Fatalf("DecodeFile = %+v, %v", cfg, err)
	}
	out, err := FormatSource(path, src)
	if err != nil || string(out) == string(src) || !strings.Contains(string(out), "\n     server node1 {\n         address = 192.168.122.224\n") {
		t.Fatalf("FormatSource = %q, %v", out, err)
	}

	if err := Edit(path, func(f *File) error { return f.Set("virtual.http.server.node2.weight", "4") }); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(string(src), "        port = 80\n        weight = 1\n\n    }\n\n}", "        port = 80\n        weight = 4\n\n    }\n\n}", 1); string(got) != want {
		t.Errorf("Edit wrote:\n%s", got)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("Edit changed permissions: %v %v", st.Mode(), err)
	}
	// A failing edit writes nothing.
	if err := Edit(path, func(f *File) error { return f.Set("virtual.http.port", "x") }); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("Edit with a bad value = %v", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(got) {
		t.Errorf("failed Edit changed the file")
	}

	bad := filepath.Join(dir, "bad.cf")
	if err := os.WriteFile(bad, []byte("virtual x {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var se *SyntaxError
	if _, err := DecodeFile(bad); !errors.As(err, &se) {
		t.Errorf("DecodeFile of a broken file = %v, want *SyntaxError", err)
	}
	if err := Edit(bad, func(f *File) error { return nil }); !errors.As(err, &se) {
		t.Errorf("Edit of a broken file = %v, want *SyntaxError", err)
	}
	if _, err := FormatSource(bad, []byte("virtual x {\n")); !errors.As(err, &se) {
		t.Errorf("FormatSource of a broken file = %v, want *SyntaxError", err)
	}
	if _, err := LintFile(filepath.Join(dir, "missing.cf"), LintOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LintFile of a missing file = %v", err)
	}
}
