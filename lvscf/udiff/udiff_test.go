package udiff

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"a\nb\nc\n", "a\nb\nc\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "a\n", "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n"},
		{"a", "a\n", "--- x\n+++ y\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\n7\n8\nnine\n10\n", "--- x\n+++ y\n@@ -6,5 +6,5 @@\n 6\n 7\n 8\n-9\n+nine\n 10\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			"--- x\n+++ y\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n"},
	} {
		if got := Unified("x", "y", []byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("diff(%q, %q) =\n%s\nwant\n%s", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestDiffLinesRebuilds checks, on random inputs, that the edit script
// turns one side into the other.
func TestDiffLinesRebuilds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() []string {
		var out []string
		for range r.IntN(15) {
			out = append(out, string(rune('a'+r.IntN(4)))+"\n")
		}
		return out
	}
	for range 2000 {
		x, y := gen(), gen()
		var a, b []string
		for _, o := range diffLines(x, y) {
			if o.kind != '+' {
				a = append(a, o.text)
			}
			if o.kind != '-' {
				b = append(b, o.text)
			}
		}
		if strings.Join(a, "") != strings.Join(x, "") || strings.Join(b, "") != strings.Join(y, "") {
			t.Fatalf("diffLines(%q, %q) does not rebuild them", x, y)
		}
	}
}

// TestUnifiedDiffPatches feeds fmt -d's diffs of the corpus to patch(1),
// which checks the hunk headers as well as the lines.
func TestUnifiedDiffPatches(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Fatal("no patch(1): make unit installs it (testdata/host-deps.sh)")
	}
	if out, _ := exec.Command(patch, "--version").CombinedOutput(); !strings.Contains(string(out), "GNU patch") {
		// The lab VM's busybox patch lacks the options this needs; the
		// host run (make unit) is the one that checks the diffs.
		t.Skip("patch(1) is not GNU patch")
	}
	files, _ := filepath.Glob("../../testdata/lvscf/corpus/*.cf")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := lvscf.FormatSource(f, src)
		if err != nil {
			t.Fatal(err)
		}
		d := Unified("a", "b", src, want)
		if d == "" {
			continue
		}
		tmp := filepath.Join(t.TempDir(), "x.cf")
		if err := os.WriteFile(tmp, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(patch, "-s", tmp)
		cmd.Stdin = strings.NewReader(d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: patch: %v\n%s\n%s", f, err, out, d)
		}
		if got, _ := os.ReadFile(tmp); string(got) != string(want) {
			t.Errorf("%s: patched file differs from fmt's output", f)
		}
	}
}
