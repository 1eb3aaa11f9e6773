package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedDocsFresh regenerates the man pages and completions and
// fails when the committed ones differ: run "make docs" and commit.
func TestCommittedDocsFresh(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"man", "completions"} {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(dir, sub, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("..", "..", sub, f.Name()))
			if err != nil {
				t.Errorf("%s/%s is not committed (run make docs): %v", sub, f.Name(), err)
				continue
			}
			if string(got) != string(want) {
				t.Errorf("%s/%s is stale: run make docs and commit the result", sub, f.Name())
			}
		}
	}
}
