package lvscf

import "bytes"

// A Loader parses, lints and decodes successive versions of one file, as
// the daemon's reloads do, and reads again only what changed since the
// version before: a top-level block found again with the same bytes is
// taken with its lines and its meaning, renumbered, and only the other
// lines are lexed and decoded. A reload of a 10,000-server file that
// changes one server reads one virtual block and the global lines, not
// 36,000 lines (issue 10: one changed server in the kernel within 500 ms
// of the signal, where parsing and decoding the whole file took most of
// a second under the lab's emulator).
//
// What Load returns is exactly what LintDecode(Parse(name, src), opts)
// returns for the same bytes (reuse_test.go proves it on random files and
// edits): a block is taken only when it had no parse diagnostic, and its
// meaning only when decoding it reported nothing, so no message can name
// a line that moved; the cross-block rules always run on the whole file.
//
// Memory: the Loader keeps the last version's tree and meaning (about
// eight bytes per byte of the file). A version holds only its own new
// lines, each allocated alone, besides the blocks it took, so that old
// versions do not pile up; when the lines left behind by replaced blocks
// outnumber the file's own, the next load reads the whole file again. A
// Loader is not safe for concurrent use, and the configurations it returns
// must not be changed: the next version shares their virtual servers.
type Loader struct {
	opts LintOptions
	prev *prevVersion // nil before the first load, and after a file too large
	// reused is how many top-level blocks the last load took from the
	// version before.
	reused int
}

// prevVersion is the last version loaded: its bytes, its tree and the
// meaning of its virtual servers that decoded cleanly.
type prevVersion struct {
	f         *File
	src       []byte
	cfg       *Config
	infos     []virtualInfo
	virtualOf map[*Block]int // a cleanly decoded virtual block -> its index in cfg.Virtuals and infos
}

// NewLoader returns a Loader that lints with opts.
func NewLoader(opts LintOptions) *Loader { return &Loader{opts: opts} }

// Load is LintDecode(Parse(name, src), opts), taking what it can from the
// previous version. cfg is nil when the diagnostics hold an error. The
// Loader keeps src until the next load: it must not be changed.
func (r *Loader) Load(name string, src []byte) (cfg *Config, diags []Diagnostic) {
	_, cfg, diags = r.load(name, src)
	return cfg, diags
}

// load is Load, also returning the tree, valid until the next load.
func (r *Loader) load(name string, src []byte) (*File, *Config, []Diagnostic) {
	prev := r.prev
	if prev != nil && prev.f.Name != name {
		prev = nil
	}
	r.prev = nil // consumed, whatever happens
	f := parse(name, src, prev)
	f.crFree = bytes.IndexByte(src, '\r') < 0
	r.reused = 0
	if prev != nil {
		f.reuse = prev
		for _, t := range f.tops {
			if t.taken {
				r.reused++
			}
		}
	}
	a, diags := lintAnalyze(f, r.opts)
	f.reuse = nil
	// Too many lines left behind by replaced blocks: the next load reads
	// the whole file again.
	if a != nil && len(f.Lines) <= 2*f.lines+4096 {
		next := &prevVersion{f: f, src: src, cfg: a.cfg, infos: a.virtuals, virtualOf: make(map[*Block]int, len(a.virtuals))}
		for i := range a.virtuals {
			if a.virtuals[i].clean {
				next.virtualOf[a.virtuals[i].b] = i
			}
		}
		r.prev = next
	}
	if a == nil || HasErrors(diags) {
		return f, nil, diags
	}
	return f, a.cfg, diags
}

// topBlock is a top-level block of a parsed file and where its lines lie
// in the file's bytes.
type topBlock struct {
	b          *Block
	start, end int  // the bytes of its lines, line ends included (end 0 while unclosed)
	diags      int  // len(File.Diags) before its open line
	clean      bool // closed, and none of its lines has a diagnostic
	taken      bool // taken from the previous version
}

// matcher finds, at the top level of a new version, the blocks of the
// previous version that are there again with the same bytes.
type matcher struct {
	prev   *prevVersion
	byOpen map[string][]int // clean blocks by the text of their open line ("virtual web {")
	used   []bool           // taken already: a block's lines are numbered once
	next   int              // the block after the one taken last, tried first
}

func newMatcher(prev *prevVersion) *matcher {
	m := &matcher{prev: prev, byOpen: make(map[string][]int, len(prev.f.tops)), used: make([]bool, len(prev.f.tops))}
	for k := range prev.f.tops {
		if t := &prev.f.tops[k]; t.clean {
			s := prev.f.Lines[t.b.Open].Text
			m.byOpen[s] = append(m.byOpen[s], k)
		}
	}
	return m
}

// match returns the block of the previous version whose bytes are those
// of src at off, and their length, or nil. The same bytes parse the same
// way there: a clean block's open line is well-formed, which is read
// alike after any line (wrappedComment), every later line of it only
// depends on the lines before it in the block, and the line after it
// follows a "}" as it did before.
func (m *matcher) match(src []byte, off int) (*topBlock, int) {
	end, _ := nextLine(src, off)
	try := func(k int) (*topBlock, int) {
		t := &m.prev.f.tops[k]
		n := t.end - t.start
		if m.used[k] || !t.clean || off+n > len(src) || !bytes.Equal(src[off:off+n], m.prev.src[t.start:t.end]) {
			return nil, 0
		}
		if m.prev.f.Lines[t.b.Close].eol == eolNone && off+n != len(src) {
			return nil, 0 // its last line ended the file; here the line goes on
		}
		m.used[k], m.next = true, k+1
		return t, n
	}
	if m.next < len(m.prev.f.tops) {
		if t, n := try(m.next); t != nil {
			return t, n
		}
	}
	// A block moved, or one before it was added or removed. A hostile
	// file of thousands of blocks opened by the same line is not worth a
	// quadratic search: a few are tried.
	cands := m.byOpen[string(src[off:end])]
	for _, k := range cands[:min(len(cands), 4)] {
		if t, n := try(k); t != nil {
			return t, n
		}
	}
	return nil, 0
}

// reusedVirtual adds virtual block b with the meaning it had in the
// previous version, when the Loader took it from there and decoding it
// reported nothing; false otherwise. Its key lines keep their indexes
// (the block's lines are the same lines), and the configuration shares
// its servers with the previous one, which nobody changes.
func (a *analysis) reusedVirtual(b *Block) bool {
	prev := a.f.reuse
	if prev == nil {
		return false
	}
	i, ok := prev.virtualOf[b]
	if !ok {
		return false
	}
	a.cfg.Virtuals = append(a.cfg.Virtuals, prev.cfg.Virtuals[i])
	a.virtuals = append(a.virtuals, prev.infos[i])
	return true
}
