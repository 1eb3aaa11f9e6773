// Package goldenfile is test support: it compares a test's output with a
// committed golden file, or rewrites the file when the test runs with
// -update. Nothing in the lvsadm binary imports it.
package goldenfile

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with the file at path; with update it writes got
// there instead (creating the directory). A golden file is a spec read by
// eye: regenerate, then read the diff before committing.
func Check(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it; read the diff before committing):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
