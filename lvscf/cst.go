package lvscf

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// MaxFileSize is the largest input Parse interprets. Bigger inputs are kept
// as one opaque line (they still print back unchanged) and reported as an
// error, so that a runaway or hostile file cannot make lint use memory far
// beyond its own size: a parsed line costs about ten times its bytes. A
// generated configuration with 10,000 virtual servers of 10 real servers
// each is about 13 MB.
const MaxFileSize = 32 << 20

// MaxDiagnostics bounds the diagnostics of one lint run, so that a file of
// a million bad lines does not produce a million messages.
const MaxDiagnostics = 1000

// LineKind classifies a line of the concrete syntax tree.
type LineKind uint8

const (
	LineBlank    LineKind = iota // only blanks
	LineComment                  // first non-blank byte is '#'
	LineKeyValue                 // key = value...
	LineOpen                     // virtual|server|failover|neighbor NAME {, bgp {
	LineClose                    // }
	LineBad                      // anything else; kept verbatim
)

// BlockKind says what a Block is.
type BlockKind uint8

const (
	BlockRoot BlockKind = iota
	BlockVirtual
	BlockServer
	BlockFailover
	BlockUnknown // "something NAME {": kept so braces still balance
	// lvsadm extensions (after BlockUnknown, so the older kinds keep
	// their values): "bgp {" at top level, "neighbor ADDR {" inside it.
	BlockBGP
	BlockNeighbor
)

func (k BlockKind) String() string {
	switch k {
	case BlockRoot:
		return "global"
	case BlockVirtual:
		return "virtual"
	case BlockServer:
		return "server"
	case BlockFailover:
		return "failover"
	case BlockBGP:
		return "bgp"
	case BlockNeighbor:
		return "neighbor"
	}
	return "unknown"
}

// Line is one physical line. Text plus EOL is exactly the input; the word
// structure is derived from Text and never printed, which is what makes the
// tree lossless by construction.
type Line struct {
	Text string // the line without its ending
	Num  int    // 1-based line number in the parsed input; 0 if added by an edit
	Kind LineKind

	// The small fields sit together after Kind, so that a Line is 56
	// bytes: the daemon keeps one per line of a running file (66,000 at
	// 10,000 real servers).
	wrapped bool    // the tail of a comment wrapped onto this line (see classify)
	eol     lineEnd // see EOL
	indent  uint32
	toks    []tok
}

// lineEnd is a line's ending, an index in lineEnds.
type lineEnd uint8

const (
	eolNone lineEnd = iota // a last line with no line end
	eolLF
	eolCRLF
)

var lineEnds = [...]string{eolNone: "", eolLF: "\n", eolCRLF: "\r\n"}

// EOL is the line's ending: "\n", "\r\n", or "" for a last line with no
// newline.
func (l *Line) EOL() string { return lineEnds[l.eol] }

// NumWords is the number of blank-separated words after the indentation.
func (l *Line) NumWords() int { return len(l.toks) }

// Word returns word i as written (quotes included), or "".
func (l *Line) Word(i int) string {
	if i < 0 || i >= len(l.toks) {
		return ""
	}
	t := l.toks[i]
	return l.Text[t.start:t.end]
}

// Col returns the 1-based byte column of word i (or of the end of the line).
func (l *Line) Col(i int) int {
	if i < 0 || i >= len(l.toks) {
		return len(l.Text) + 1
	}
	return int(l.toks[i].start) + 1
}

// Indent returns the leading blanks of the line.
func (l *Line) Indent() string { return l.Text[:l.indent] }

// Key returns the first word of a key = value or block-opening line.
func (l *Line) Key() string { return l.Word(0) }

// Values returns the words after '=' of a key = value line, as written.
func (l *Line) Values() []string {
	if l.Kind != LineKeyValue || len(l.toks) < 3 {
		return nil
	}
	out := make([]string, 0, len(l.toks)-2)
	for i := 2; i < len(l.toks); i++ {
		out = append(out, l.Word(i))
	}
	return out
}

// Value returns the first value word with its quotes removed.
func (l *Line) Value() string { return unquote(l.Word(2)) }

// trailing returns the blanks after the last word.
func (l *Line) trailing() string {
	if len(l.toks) == 0 {
		return l.Text[l.indent:]
	}
	t := l.toks[len(l.toks)-1]
	return l.Text[t.end:t.wsEnd]
}

// Item is an entry of a block: either a line or a nested block.
type Item struct {
	Line  int    // index into File.Lines when Block is nil
	Block *Block // a nested block, printed with its own open and close lines
}

// Block is the global section, or a virtual, server or failover block.
type Block struct {
	Kind   BlockKind
	Name   string
	Open   int // index of the "kind NAME {" line, -1 for the global section
	Close  int // index of the "}" line, -1 when missing
	Items  []Item
	Parent *Block
}

// File is a parsed lvs.cf.
type File struct {
	Name  string
	Lines []Line // storage in parse order; the tree under Root gives the order
	Root  *Block
	Diags []Diagnostic // syntax problems found by Parse

	arena []tok // backing store for Line.toks
	// items is the backing store of the first blockItems items of each
	// block: a block's items grown one append at a time from nothing were
	// four allocations per server block, 48,000 at a reload of 10,000.
	items []Item
	// blocks is where Parse's blocks are cut from (newBlock): one
	// allocation per block was 12,000 at a reload of 10,000 real servers.
	blocks []Block
	// tops is where each top-level block lies in the input, lines is the
	// number of lines of the file, and small says the tree is a Loader's:
	// a version of the file built on the one before, whose new lines and
	// blocks are allocated one by one, so that what a later version keeps
	// of this one is those lines, not shared slabs (reuse.go).
	tops  []topBlock
	lines int
	small bool
	// crFree: the file has no carriage return at all (a Loader's files
	// say so; ruleLineEndings has nothing to find then).
	crFree bool
	// reuse is the previous version, whose virtual servers' meaning the
	// analysis may take (set by a Loader while it analyses the file).
	reuse *prevVersion
}

// blockItems is the room each block's items start with (a server block
// of the usual four to six keys fits).
const blockItems = 8

// newItems returns an empty slice with room for blockItems items, cut
// from f.items; past that room an append moves the items elsewhere and
// never overwrites another block's.
func (f *File) newItems() []Item {
	if f.small {
		return nil
	}
	if cap(f.items)-len(f.items) < blockItems {
		f.items = make([]Item, 0, 512*blockItems)
	}
	n := len(f.items)
	f.items = f.items[:n+blockItems]
	return f.items[n : n : n+blockItems]
}

// newBlock returns a new block, cut from f.blocks. The blocks of one
// File live and die together, so sharing their storage keeps nothing
// alive longer.
func (f *File) newBlock() *Block {
	if f.small {
		return new(Block)
	}
	if len(f.blocks) == cap(f.blocks) {
		f.blocks = make([]Block, 0, 1024)
	}
	f.blocks = f.blocks[:len(f.blocks)+1]
	return &f.blocks[len(f.blocks)-1]
}

// Parse builds the concrete syntax tree of src. It never fails: problems are
// recorded in File.Diags with their line and column, and every input, valid
// or not, prints back unchanged with File.Bytes.
func Parse(name string, src []byte) *File {
	return parse(name, src, nil)
}

// nextLine finds the line starting at off: its text ends at end, and its
// line end is eol bytes long (0 for a last line with no line end). A line
// ends at "\n"; a "\r" before it belongs to the line end, so CRLF and LF
// are remembered per line. A lone "\r" is not a line break here; lint
// reports it, because piranha's own parser treats it as one.
func nextLine(src []byte, off int) (end, eol int) {
	k := bytes.IndexByte(src[off:], '\n')
	switch {
	case k < 0:
		return len(src), 0
	case k > 0 && src[off+k-1] == '\r':
		return off + k - 1, 2
	}
	return off + k, 1
}

// parse is Parse. With prev, it is a Loader's: every top-level block of
// prev whose bytes are found again at the top level is taken as it is,
// lines and all, and only the other lines are read (reuse.go). prev is
// consumed: its lines are renumbered, and the new lines appended to them.
func parse(name string, src []byte, prev *prevVersion) *File {
	f := &File{Name: name, Root: &Block{Kind: BlockRoot, Open: -1, Close: -1}}
	if len(src) > MaxFileSize {
		f.Lines = []Line{{Text: string(src), Num: 1, Kind: LineBad}}
		f.Root.Items = []Item{{Line: 0}}
		f.lines = 1
		f.diag(1, 1, SevError, "file-too-large",
			fmt.Sprintf("file is %d bytes; lvscf interprets at most %d", len(src), MaxFileSize))
		return f
	}
	// Parse cuts every line from one copy of the input; a Loader copies
	// each new line on its own, so that a later version, keeping a few of
	// this version's lines, does not keep all of its text alive.
	var s string
	var m *matcher
	if prev == nil {
		s = string(src)
		f.Lines = make([]Line, 0, bytes.Count(src, []byte{'\n'})+1)
	} else {
		f.small = true
		f.Lines = prev.f.Lines
		m = newMatcher(prev)
	}
	stack := []*Block{f.Root}
	var scratch []tok
	num := 0   // the number of the last line
	last := -1 // the index of the last line (the line before, in the file)
	top0 := -1 // the top-level block being read, an index into f.tops
	for off := 0; off < len(src); {
		if m != nil && len(stack) == 1 {
			if t, n := m.match(src, off); t != nil {
				for j := t.b.Open; j <= t.b.Close; j++ {
					num++
					f.Lines[j].Num = num
				}
				t.b.Parent = f.Root
				f.Root.Items = append(f.Root.Items, Item{Block: t.b})
				f.tops = append(f.tops, topBlock{b: t.b, start: off, end: off + n, diags: len(f.Diags), clean: true, taken: true})
				last = t.b.Close
				off += n
				continue
			}
		}
		end, eol := nextLine(src, off)
		var text string
		if prev == nil {
			text = s[off:end]
		} else {
			text = string(src[off:end])
		}
		num++
		f.Lines = append(f.Lines, Line{Text: text, eol: lineEnd(eol), Num: num})
		i := len(f.Lines) - 1
		top := stack[len(stack)-1]
		d0 := len(f.Diags)
		b := f.classify(i, last, top, &scratch)
		l := &f.Lines[i]
		switch {
		case b != nil:
			top.Items = append(top.Items, Item{Block: b})
			if len(stack) == 1 {
				top0 = len(f.tops)
				f.tops = append(f.tops, topBlock{b: b, start: off, diags: d0})
			}
			stack = append(stack, b)
		case l.Kind == LineClose && len(stack) > 1:
			top.Close = i
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				t := &f.tops[top0]
				t.end = end + eol
				// Clean: no diagnostic from any of its lines, and none
				// dropped at the cap.
				t.clean = len(f.Diags) == t.diags && len(f.Diags) < MaxDiagnostics
			}
		default:
			top.Items = append(top.Items, Item{Line: i})
		}
		last = i
		off = end + eol
	}
	f.lines = num
	for _, b := range stack[1:] {
		l := &f.Lines[b.Open]
		f.diag(l.Num, l.Col(0), SevError, "unclosed-block",
			fmt.Sprintf("%s block %q is never closed with '}'", b.Kind, b.Name))
	}
	f.keepalivedSyntax()
	return f
}

// classify lexes line i, which follows line prev in the file (-1: none),
// and sets its kind. It returns a new block when the line opens one.
func (f *File) classify(i, prev int, parent *Block, scratch *[]tok) *Block {
	l := &f.Lines[i]
	if len(l.Text) > MaxLineLen {
		l.Kind = LineBad
		f.diag(l.Num, 1, SevError, "line-too-long",
			fmt.Sprintf("line is %d bytes long; lvscf reads at most %d", len(l.Text), MaxLineLen))
		return nil
	}
	r := lexLine(l.Text, *scratch)
	*scratch = r.toks
	l.indent = uint32(r.indent)
	if len(r.toks) == 0 {
		l.Kind = LineBlank
		return nil
	}
	if l.Text[r.indent] == '#' {
		// piranha only knows whole-line comments: '#' as the first
		// non-blank byte (lvsconfig.c getNextToks). A '#' after a value is
		// an extra argument, which lint reports.
		l.Kind = LineComment
		return nil
	}
	l.toks = f.keep(r.toks)
	if r.unterminated >= 0 {
		f.diag(l.Num, l.Col(r.unterminated), SevError, "bad-quoting",
			"quoted string is not closed on this line")
	}
	w0 := l.Word(0)
	n := len(l.toks)
	if f.wrappedComment(i, prev, parent) {
		// An editor wrapped a comment: this line is prose. Reading its
		// words as structure ("{", "}") would misplace every later line.
		l.Kind, l.wrapped = LineBad, true
		f.diag(l.Num, l.Col(0), SevError, "wrapped-comment",
			fmt.Sprintf("this line looks like the rest of the comment on line %d: start it with '#' too (piranha only knows whole-line comments)", f.Lines[prev].Num))
		return nil
	}
	switch {
	case w0 == "}":
		l.Kind = LineClose
		if n > 1 {
			f.diag(l.Num, l.Col(1), SevError, "extra-args", "unexpected words after '}'")
		}
		if parent.Kind == BlockRoot {
			f.diag(l.Num, l.Col(0), SevError, "stray-brace", "'}' closes no block")
		}
		return nil
	case l.Word(n-1) == "{" && l.Word(1) != "=":
		l.Kind = LineOpen
		b := f.newBlock()
		*b = Block{Open: i, Close: -1, Parent: parent, Kind: blockKind(w0), Items: f.newItems()}
		if b.Kind == BlockBGP {
			if n != 2 {
				f.diag(l.Num, l.Col(0), SevError, "block-syntax", `expected "bgp {": the bgp block has no name`)
			}
		} else if n == 3 {
			b.Name = l.Word(1)
		} else {
			f.diag(l.Num, l.Col(0), SevError, "block-syntax",
				fmt.Sprintf("expected %q, one name, then '{'", w0+" NAME {"))
			if n > 2 {
				b.Name = l.Word(1)
			}
		}
		f.checkNesting(l, b, parent)
		return b
	case n >= 2 && l.Word(1) == "=":
		l.Kind = LineKeyValue
		return nil
	}
	l.Kind = LineBad
	switch {
	case strings.Contains(w0, "="):
		f.diag(l.Num, l.Col(0), SevError, "missing-equals",
			"'=' must be separated from the key and value by blanks (piranha splits words on blanks)")
	case blockKind(w0) != BlockUnknown && strings.HasSuffix(l.Word(n-1), "{"):
		f.diag(l.Num, l.Col(n-1), SevError, "block-syntax", "'{' must be separated from the name by a blank")
	default:
		f.diag(l.Num, l.Col(min(1, n-1)), SevError, "missing-equals",
			fmt.Sprintf("expected '=' after %q", w0))
	}
	return nil
}

// wrappedComment reports whether line i, already lexed, continues the
// comment on the line before: that line is a comment (or such a
// continuation), and line i is neither "key = value", nor a key of its
// block, nor a lone closing brace, nor a well-formed "virtual NAME {" (or
// server, failover). A "}" followed by words is prose: read as a brace it
// would close the block early and leave every later key in the wrong one.
func (f *File) wrappedComment(i, previ int, parent *Block) bool {
	if previ < 0 {
		return false
	}
	prev, l := &f.Lines[previ], &f.Lines[i]
	if prev.Kind != LineComment && !prev.wrapped {
		return false
	}
	w0, n := l.Word(0), len(l.toks)
	switch {
	case n >= 2 && l.Word(1) == "=", w0 == "}" && n == 1, strings.Contains(w0, "="):
		return false
	case blockKind(w0) != BlockUnknown && n == openWords(blockKind(w0)) && l.Word(n-1) == "{":
		return false
	}
	_, key := keysFor(parent.Kind)[w0]
	return !key
}

func blockKind(w string) BlockKind {
	switch w {
	case "virtual":
		return BlockVirtual
	case "server":
		return BlockServer
	case "failover":
		return BlockFailover
	case "bgp":
		return BlockBGP
	case "neighbor":
		return BlockNeighbor
	}
	return BlockUnknown
}

// openWords is the number of words of a well-formed line opening a block
// of kind k: "virtual NAME {", but "bgp {" (there is one bgp block).
func openWords(k BlockKind) int {
	if k == BlockBGP {
		return 2
	}
	return 3
}

func (f *File) checkNesting(l *Line, b, parent *Block) {
	var msg string
	switch b.Kind {
	case BlockUnknown:
		msg = fmt.Sprintf("unknown block type %q (want virtual, server or failover)", l.Word(0))
	case BlockVirtual, BlockFailover:
		if parent.Kind != BlockRoot {
			msg = fmt.Sprintf("%s blocks belong at the top level, not inside a %s block", b.Kind, parent.Kind)
		}
	case BlockServer:
		// piranha parses failover blocks with the virtual server parser, so
		// it accepts (and ignores) server blocks there; lint warns.
		if parent.Kind != BlockVirtual && parent.Kind != BlockFailover {
			msg = "server blocks belong inside a virtual block"
		}
	case BlockBGP:
		if parent.Kind != BlockRoot {
			msg = fmt.Sprintf("the bgp block belongs at the top level, not inside a %s block", parent.Kind)
		}
	case BlockNeighbor:
		if parent.Kind != BlockBGP {
			msg = "neighbor blocks belong inside the bgp block"
		}
	}
	if msg != "" {
		f.diag(l.Num, l.Col(0), SevError, "nested-block", msg)
	}
}

// keep copies words into the file's arena so that lines share a few large
// allocations instead of one each.
func (f *File) keep(ts []tok) []tok {
	if f.small {
		return slices.Clone(ts)
	}
	if len(ts) > cap(f.arena)-len(f.arena) {
		f.arena = make([]tok, 0, max(4096, len(ts)))
	}
	n := len(f.arena)
	f.arena = append(f.arena, ts...)
	return f.arena[n : n+len(ts) : n+len(ts)]
}

func (f *File) diag(line, col int, sev Severity, code, msg string) {
	if len(f.Diags) >= MaxDiagnostics {
		return
	}
	f.Diags = append(f.Diags, Diagnostic{File: f.Name, Line: line, Col: col, Severity: sev, Code: code, Message: msg})
}

// relex recomputes the word structure of a line after its Text changed.
func (f *File) relex(l *Line) {
	r := lexLine(l.Text, nil)
	l.indent = uint32(r.indent)
	l.toks = r.toks
}

// Walk calls fn for every block, depth first, in file order.
func (b *Block) Walk(fn func(*Block)) {
	fn(b)
	for _, it := range b.Items {
		if it.Block != nil {
			it.Block.Walk(fn)
		}
	}
}

// Blocks returns the direct sub-blocks of kind k, in file order.
func (b *Block) Blocks(k BlockKind) []*Block {
	var out []*Block
	for _, it := range b.Items {
		if it.Block != nil && it.Block.Kind == k {
			out = append(out, it.Block)
		}
	}
	return out
}

// Depth is 0 for the global section, 1 for virtual and failover blocks and
// 2 for server blocks.
func (b *Block) Depth() int {
	d := 0
	for p := b.Parent; p != nil; p = p.Parent {
		d++
	}
	return d
}
