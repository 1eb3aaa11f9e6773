package layers

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/lvsadm/lvsadm"

// rule forbids the packages under from (a module-relative directory) to
// depend, directly or not, on any package under one of deny, except those
// under one of allow.
type rule struct {
	from  string
	deny  []string
	allow []string
	// testsMay lists what the package's test files may import beyond
	// that: an end-to-end test reaches across, the program does not.
	testsMay []string
	why      string
}

var rules = []rule{
	{"tui", []string{"daemon", "cmd"}, []string{"daemon/control"}, nil,
		"the TUI talks to the daemon over its control socket only (daemon/control), so it links none of the daemon"},
	{"lvscf", []string{"tui", "daemon", "cmd"}, nil, nil,
		"lvscf is the configuration library the TUI, the daemon and cmd share"},
	{"daemon", []string{"tui", "cmd"}, nil, []string{"tui"}, // status_tui_test.go: the TUI's client on the daemon's real socket
		"the daemon is driven by cmd and watched by the TUI, never the other way round"},
	{"ops", []string{"lvscf", "tui", "daemon", "cmd"}, nil, nil,
		"ops is the bottom layer (the kernel and ipvsadm) and knows no configuration file"},
	{"daemon/control", []string{"lvscf", "tui", "daemon", "cmd"}, []string{"daemon/control"}, nil,
		"daemon/control is the wire protocol the TUI links: standard library and ops only"},
}

// under reports whether the module-relative path p is dir or below it.
func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// graph reads the imports inside the module of every package in root,
// with the build tags given, keyed by module-relative path: all counts
// the package's test files too (a test's import is an edge as well), prod
// only what importers of the package link.
func graph(t *testing.T, root string, tags []string) (all, prod map[string][]string) {
	t.Helper()
	ctx := build.Default
	ctx.BuildTags = tags
	all, prod = map[string][]string{}, map[string][]string{}
	inModule := func(imps ...[]string) []string {
		var deps []string
		for _, l := range imps {
			for _, imp := range l {
				if r, ok := strings.CutPrefix(imp, module+"/"); ok && !slices.Contains(deps, r) {
					deps = append(deps, r)
				}
			}
		}
		return deps
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir // what the go command leaves out too
		}
		pkg, err := ctx.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		all[rel] = inModule(pkg.Imports, pkg.TestImports, pkg.XTestImports)
		prod[rel] = inModule(pkg.Imports)
		return nil
	})
	if err != nil {
		t.Fatalf("reading the module's packages: %v", err)
	}
	return all, prod
}

// path returns a chain of imports from p to a package that rule r denies,
// or nil. A test's imports count only for its own package: a package's
// tests are not linked into what imports it, so the walk below the first
// step follows the packages' own imports (prod).
func (r rule) path(all, prod map[string][]string, p string) []string {
	seen := map[string]bool{}
	var walk func(q string, g map[string][]string, chain []string) []string
	walk = func(q string, g map[string][]string, chain []string) []string {
		for _, d := range g[q] {
			if seen[d] || (q == p && !slices.Contains(prod[q], d) && slices.ContainsFunc(r.testsMay, func(m string) bool { return under(d, m) })) {
				continue
			}
			seen[d] = true
			c := append(slices.Clone(chain), d)
			if r.denies(d) {
				return c
			}
			if found := walk(d, prod, c); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(p, all, []string{p})
}

func (r rule) denies(p string) bool {
	for _, a := range r.allow {
		if under(p, a) {
			return false
		}
	}
	for _, d := range r.deny {
		if under(p, d) {
			return true
		}
	}
	return false
}

// TestLayers fails on an import that crosses the layers, test files and
// the vmtest-tagged files included.
func TestLayers(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the test's directory: %v", err)
	}
	for _, tags := range [][]string{nil, {"vmtest"}} {
		all, prod := graph(t, root, tags)
		for _, p := range []string{"tui", "ops", "lvscf", "daemon", "daemon/control", "cmd"} {
			if _, ok := all[p]; !ok {
				t.Fatalf("package %s not found under %s (read %d packages): the walk missed the module", p, root, len(all))
			}
		}
		for p := range all {
			for _, r := range rules {
				if !under(p, r.from) || r.denies(p) {
					continue
				}
				if chain := r.path(all, prod, p); chain != nil {
					t.Errorf("tags %v: %s: %s (%s)", tags, strings.Join(chain, " -> "), "crosses the layers", r.why)
				}
			}
		}
	}
}
