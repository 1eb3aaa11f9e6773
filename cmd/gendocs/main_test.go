package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops/ipvsadm"
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

// The pages describe an installed lvsadm: -v is listed, completion has a
// page, and no page sends the reader into the source tree.
func TestPagesDescribeTheInstalledProgram(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "man", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	main := read("lvsadm.8")
	for _, want := range []string{`\fB-v\fP, \fB--version\fP`, "/etc/sysconfig/ha/lvs.cf", "/run/lvsadm/lvsadm.sock", "/usr/share/doc/lvsadm/", "lvsadm-completion(8)"} {
		if !strings.Contains(main, want) {
			t.Errorf("lvsadm.8 lacks %q", want)
		}
	}
	if strings.Contains(main, "v"+ipvsadm.Version) {
		t.Errorf("lvsadm.8 names the placeholder version %s", ipvsadm.Version)
	}
	if !strings.Contains(read("lvsadm-completion-bash.8"), "lvsadm completion bash") {
		t.Error("lvsadm-completion-bash.8 does not show its use")
	}
	repoPath := regexp.MustCompile(`(^|[\s(])(docs|dist|testdata|cmd|man|completions)/[a-z]`)
	pages, _ := os.ReadDir(filepath.Join(dir, "man"))
	for _, p := range pages {
		for i, l := range strings.Split(read(p.Name()), "\n") {
			if repoPath.MatchString(l) {
				t.Errorf("%s:%d names a path of the source tree: %s", p.Name(), i+1, l)
			}
		}
	}
}

// With -version (the package build), the pages name it: in the header
// and in ipvsadm's banner line.
func TestPagesNameTheBuildVersion(t *testing.T) {
	saved, savedPage := ipvsadm.Version, pageVersion
	t.Cleanup(func() { ipvsadm.Version, pageVersion = saved, savedPage })
	ipvsadm.Version, pageVersion = "1.2.3.4.gabcdef", "1.2.3.4.gabcdef"
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"lvsadm.8":  {`"lvsadm 1.2.3.4.gabcdef"`, "lvsadm v1.2.3.4.gabcdef (compiled with popt"},
		"ipvsadm.8": {`"lvsadm 1.2.3.4.gabcdef"`},
	} {
		b, err := os.ReadFile(filepath.Join(dir, "man", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
}
