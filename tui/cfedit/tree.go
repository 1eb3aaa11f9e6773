package cfedit

import (
	"slices"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// tree is one version of the file being edited: its bytes, parsed, linted,
// and its diagnostics sorted by the key or block they are about. Every
// edit makes a new tree from the bytes of the last one, so a refused edit
// leaves the last one untouched and line numbers are always those of the
// file as it would be saved.
type tree struct {
	src   []byte
	f     *lvscf.File
	eff   map[string]string // effective values, defaults included (lvscf.Flatten)
	diags []lvscf.Diagnostic
	at    map[string][]lvscf.Diagnostic // by the path of the key or block on the diagnostic's line
	errs  int
	warns int
}

func newTree(name string, src []byte) *tree {
	t := &tree{src: src, f: lvscf.Parse(name, src)}
	t.diags = lvscf.LintTree(t.f, lvscf.LintOptions{})
	for _, d := range t.diags {
		if d.Severity == lvscf.SevError {
			t.errs++
		} else {
			t.warns++
		}
	}
	t.eff = map[string]string{}
	if cfg, _ := lvscf.Decode(t.f); cfg != nil {
		for _, fl := range lvscf.Flatten(cfg) {
			t.eff[fl.Path] = fl.Value
		}
	}
	t.index()
	return t
}

// index files each diagnostic under the path of what its line holds.
func (t *tree) index() {
	owner := map[int]string{}     // 1-based line number -> path
	opens := map[int]lvscf.Path{} // the line numbers that open a block
	var walk func(b *lvscf.Block, p lvscf.Path)
	walk = func(b *lvscf.Block, p lvscf.Path) {
		bp := p.String()
		if b.Open >= 0 {
			owner[t.f.Lines[b.Open].Num] = bp
			opens[t.f.Lines[b.Open].Num] = p
		}
		if b.Close >= 0 {
			owner[t.f.Lines[b.Close].Num] = bp
		}
		for _, it := range b.Items {
			if it.Block != nil {
				if c, ok := childPath(p, it.Block); ok {
					walk(it.Block, c)
				}
				continue
			}
			if l := &t.f.Lines[it.Line]; l.Kind == lvscf.LineKeyValue {
				k := p
				k.Key = l.Key()
				if _, seen := owner[l.Num]; !seen {
					owner[l.Num] = k.String()
				}
			}
		}
	}
	walk(t.f.Root, lvscf.Path{Kind: lvscf.BlockRoot})
	t.at = map[string][]lvscf.Diagnostic{}
	for _, d := range t.diags {
		p := owner[d.Line] // "" for comments, bad lines and the file as a whole
		if b, ok := opens[d.Line]; ok {
			p = missingKey(d, b, p)
		} else if d.Line == 1 && d.Col == 1 {
			// The global section has no line of its own: rules about
			// it report at the top of the file.
			p = missingKey(d, lvscf.Path{Kind: lvscf.BlockRoot}, p)
		}
		t.at[p] = append(t.at[p], d)
	}
}

// missingKey moves a diagnostic about a key a block lacks ("virtual "www"
// has no address", "no primary: ...") from the block to the field of that
// key, where it is fixed; other diagnostics stay at def.
func missingKey(d lvscf.Diagnostic, b lvscf.Path, def string) string {
	_, rest, ok := strings.Cut(" "+d.Message, " no ")
	if !ok {
		return def
	}
	key := strings.TrimRight(strings.Fields(rest + " x")[0], ":,")
	if !slices.Contains(lvscf.KeyNames(b.Kind), key) {
		return def
	}
	b.Key = key
	return b.String()
}

// childPath is the path of a block inside the block at p; unknown block
// kinds have none.
func childPath(p lvscf.Path, b *lvscf.Block) (lvscf.Path, bool) {
	switch {
	case p.Kind == lvscf.BlockRoot && (b.Kind == lvscf.BlockVirtual || b.Kind == lvscf.BlockFailover):
		return lvscf.Path{Kind: b.Kind, Block: b.Name}, true
	case p.Kind == lvscf.BlockVirtual && b.Kind == lvscf.BlockServer:
		return lvscf.Path{Kind: lvscf.BlockServer, Block: p.Block, Server: b.Name}, true
	}
	return lvscf.Path{}, false
}

// edit applies fn to a copy and returns the new version; the receiver is
// not changed, whatever fn does.
func (t *tree) edit(fn func(*lvscf.File) error) (*tree, error) {
	f := lvscf.Parse(t.f.Name, t.src)
	if err := fn(f); err != nil {
		return nil, err
	}
	return newTree(t.f.Name, f.Bytes()), nil
}

// value returns a key's value as written, and whether the file sets it.
func (t *tree) value(path string) (string, bool) {
	v, err := t.f.Get(path)
	return v, err == nil
}

// names lists the blocks of a kind, in file order, under the virtual
// named in (servers) or at the top.
func (t *tree) names(kind lvscf.BlockKind, in string) []string {
	parent := t.f.Root
	if kind == lvscf.BlockServer {
		parent = nil
		for _, b := range t.f.Root.Blocks(lvscf.BlockVirtual) {
			if b.Name == in {
				parent = b
				break
			}
		}
		if parent == nil {
			return nil
		}
	}
	var out []string
	for _, b := range parent.Blocks(kind) {
		out = append(out, b.Name)
	}
	return out
}

// within counts the errors and warnings of a block and everything in it.
func (t *tree) within(block string) (errs, warns int) {
	for p, ds := range t.at {
		if p != block && !(len(p) > len(block) && p[:len(block)] == block && p[len(block)] == '.') {
			continue
		}
		for _, d := range ds {
			if d.Severity == lvscf.SevError {
				errs++
			} else {
				warns++
			}
		}
	}
	return errs, warns
}
