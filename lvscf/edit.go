package lvscf

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound is wrapped when a path names a block or key that the file
	// does not contain.
	ErrNotFound = errors.New("not found")
	// ErrExists is wrapped when Add names a block that already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalidValue is wrapped when Set is given a value piranha or lvsadm
	// would not accept.
	ErrInvalidValue = errors.New("invalid value")
)

// piranhaIndent is the indentation piranha's GUI writes (parse.php: a
// 4-space $gap1 followed by a space, and an 8-space $gap2 followed by a
// space): 5 spaces inside virtual and failover blocks, 9 inside servers.
var piranhaIndent = [3]string{"", "     ", "         "}

// findBlock returns the first block named by p (ignoring p.Key).
func (f *File) findBlock(p Path) (*Block, error) {
	switch p.Kind {
	case BlockRoot:
		return f.Root, nil
	case BlockVirtual, BlockFailover:
		for _, b := range f.Root.Blocks(p.Kind) {
			if b.Name == p.Block {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s %q: %w", p.Kind, p.Block, ErrNotFound)
	case BlockServer:
		v, err := f.findBlock(Path{Kind: BlockVirtual, Block: p.Block})
		if err != nil {
			return nil, err
		}
		for _, b := range v.Blocks(BlockServer) {
			if b.Name == p.Server {
				return b, nil
			}
		}
		return nil, fmt.Errorf("server %q in virtual %q: %w", p.Server, p.Block, ErrNotFound)
	case BlockBGP:
		if bs := f.Root.Blocks(BlockBGP); len(bs) > 0 {
			return bs[0], nil
		}
		return nil, fmt.Errorf("bgp block: %w", ErrNotFound)
	case BlockNeighbor:
		bgp, err := f.findBlock(Path{Kind: BlockBGP})
		if err != nil {
			return nil, err
		}
		for _, b := range bgp.Blocks(BlockNeighbor) {
			if sameNeighbor(b.Name, p.Neighbor) {
				return b, nil
			}
		}
		return nil, fmt.Errorf("neighbor %q: %w", p.Neighbor, ErrNotFound)
	}
	return nil, fmt.Errorf("%w: %v", ErrPath, p)
}

// keyLines returns the item indices of b's lines that set key.
func (f *File) keyLines(b *Block, key string) []int {
	var out []int
	for i, it := range b.Items {
		if it.Block == nil {
			if l := &f.Lines[it.Line]; l.Kind == LineKeyValue && l.Key() == key {
				out = append(out, i)
			}
		}
	}
	return out
}

// Get returns the value of a key as written in the file, without quotes
// ("192.168.56.100 eth0:1" for an address). Keys the file leaves out are
// ErrNotFound; Config.Get gives values with piranha's defaults applied.
func (f *File) Get(path string) (string, error) {
	p, err := ParsePath(path)
	if err != nil {
		return "", err
	}
	if p.Key == "" {
		return "", fmt.Errorf("get %s: %w: the path names a block, not a key", path, ErrPath)
	}
	b, err := f.findBlock(p)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", path, err)
	}
	idx := f.keyLines(b, p.Key)
	if len(idx) == 0 {
		return "", fmt.Errorf("get %s: key %q: %w", path, p.Key, ErrNotFound)
	}
	l := &f.Lines[b.Items[idx[len(idx)-1]].Line] // the last one wins
	vals := l.Values()
	for i, v := range vals {
		vals[i] = unquote(v)
	}
	return strings.Join(vals, " "), nil
}

// Set gives a key a value. An existing line keeps its indentation, its
// spacing around '=', its trailing blanks and its line ending; only the
// value changes. A missing key gets a new line after the block's last key
// (before any server block, since piranha copies the virtual's port into
// servers as they are read), indented like its neighbours. Values of
// string keys (send, expect, send_program, start_cmd, stop_cmd...) are
// quoted when they are not already. The value is checked first; Set
// refuses values Lint would report as errors.
func (f *File) Set(path, value string) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	if p.Key == "" {
		return fmt.Errorf("set %s: %w: the path names a block, not a key", path, ErrPath)
	}
	b, err := f.findBlock(p)
	if err != nil {
		return fmt.Errorf("set %s: %w", path, err)
	}
	spec, ok := keysFor(b.Kind)[p.Key]
	if !ok || spec.origin == OriginGUIOnly {
		msg := fmt.Sprintf("unknown key %q in a %s block", p.Key, b.Kind)
		if s := didYouMean(p.Key, keysFor(b.Kind)); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return fmt.Errorf("set %s: %w: %s", path, ErrInvalidValue, msg)
	}
	value = strings.TrimSpace(value)
	if spec.kind == vQuoted && !isQuoted(value) {
		if strings.ContainsAny(value, "\"\r\n") {
			return fmt.Errorf("set %s: %w: a piranha string cannot contain a double quote or a line break", path, ErrInvalidValue)
		}
		value = `"` + value + `"`
	}
	if err := checkValue(b.Kind, p.Key, value); err != nil {
		return fmt.Errorf("set %s: %w", path, err)
	}
	final := f.hasFinalNewline()
	if idx := f.keyLines(b, p.Key); len(idx) > 0 {
		l := &f.Lines[b.Items[idx[len(idx)-1]].Line]
		eq := l.toks[1]
		switch {
		case len(l.toks) > 2:
			l.Text = l.Text[:eq.wsEnd] + value + l.trailing()
		case eq.wsEnd > eq.end: // "key = " with no value yet
			l.Text = l.Text[:eq.wsEnd] + value
		default:
			l.Text = l.Text[:eq.end] + " " + value
		}
		f.relex(l)
		return nil
	}
	text := f.indentFor(b) + p.Key + " = " + value
	at := f.insertPoint(b)
	f.insertLine(b, at, text)
	f.fixEOLs(final)
	return nil
}

// checkValue decodes "key = value" in a scratch file of the right block
// kind and returns the first error Lint would report for that line.
func checkValue(kind BlockKind, key, value string) error {
	line := key + " = " + value
	var src string
	switch kind {
	case BlockRoot:
		src = line + "\n"
	case BlockVirtual:
		src = "virtual v {\n" + line + "\n}\n"
	case BlockFailover:
		src = "failover v {\n" + line + "\n}\n"
	case BlockServer:
		src = "virtual v {\nserver s {\n" + line + "\n}\n}\n"
	case BlockBGP:
		src = "bgp {\n" + line + "\n}\n"
	case BlockNeighbor:
		src = "bgp {\nneighbor 192.0.2.1 {\n" + line + "\n}\n}\n"
	}
	f := Parse("value", []byte(src))
	a := analyze(f, LintOptions{})
	want := map[BlockKind]int{BlockRoot: 1, BlockVirtual: 2, BlockFailover: 2, BlockServer: 3, BlockBGP: 2, BlockNeighbor: 3}[kind]
	for _, d := range append(f.Diags, a.diags...) {
		if d.Line == want && d.Severity == SevError {
			return fmt.Errorf("%w: %s", ErrInvalidValue, d.Message)
		}
	}
	return nil
}

// Add creates an empty block: virtual.NAME, failover.NAME,
// virtual.NAME.server.NAME, bgp or bgp.neighbor.[ADDRESS] (the bgp block
// is created too when missing). The block goes after the last block of
// the same parent, indented in the file's style.
func (f *File) Add(path string) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	if p.Key != "" || p.Kind == BlockRoot {
		return fmt.Errorf("add %s: %w: the path must name a block (virtual.NAME, failover.NAME, virtual.NAME.server.NAME, bgp or bgp.neighbor.[ADDRESS])", path, ErrPath)
	}
	if _, err := f.findBlock(p); err == nil {
		return fmt.Errorf("add %s: %w", path, ErrExists)
	}
	parent := f.Root
	name := p.Block
	switch p.Kind {
	case BlockServer:
		if parent, err = f.findBlock(Path{Kind: BlockVirtual, Block: p.Block}); err != nil {
			return fmt.Errorf("add %s: %w", path, err)
		}
		name = p.Server
	case BlockBGP:
		name = ""
	case BlockNeighbor:
		if _, err := parseIP(p.Neighbor); err != nil {
			return fmt.Errorf("add %s: %w: a neighbor is named by its IP address", path, ErrInvalidValue)
		}
		if parent, err = f.findBlock(Path{Kind: BlockBGP}); err != nil {
			if err := f.Add("bgp"); err != nil {
				return err
			}
			parent, _ = f.findBlock(Path{Kind: BlockBGP})
		}
		name = p.Neighbor
	}
	if strings.ContainsAny(name, " \t{}\"'#") || strings.HasPrefix(name, "=") {
		return fmt.Errorf("add %s: %w: block names cannot contain blanks, quotes, braces or '#'", path, ErrInvalidValue)
	}
	final := f.hasFinalNewline()
	ind := ""
	if p.Kind == BlockServer || p.Kind == BlockNeighbor {
		// "server NAME {" sits at the virtual's key indentation.
		ind = f.indentFor(parent)
	}
	b := &Block{Kind: p.Kind, Name: name, Parent: parent}
	if name == "" {
		b.Open = f.newLine(ind + p.Kind.String() + " {")
	} else {
		b.Open = f.newLine(ind + p.Kind.String() + " " + name + " {")
	}
	b.Close = f.newLine(ind + "}")
	f.insertItem(parent, len(parent.Items), Item{Block: b})
	f.fixEOLs(final)
	return nil
}

// Delete removes a key (every line that sets it in the block) or a whole
// block with everything inside it.
func (f *File) Delete(path string) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	b, err := f.findBlock(p)
	if err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	final := f.hasFinalNewline()
	if p.Key == "" {
		if b == f.Root {
			return fmt.Errorf("delete %s: %w", path, ErrPath)
		}
		parent := b.Parent
		for i, it := range parent.Items {
			if it.Block == b {
				parent.Items = append(parent.Items[:i], parent.Items[i+1:]...)
				break
			}
		}
		f.fixEOLs(final)
		return nil
	}
	idx := f.keyLines(b, p.Key)
	if len(idx) == 0 {
		return fmt.Errorf("delete %s: key %q: %w", path, p.Key, ErrNotFound)
	}
	for i := len(idx) - 1; i >= 0; i-- {
		b.Items = append(b.Items[:idx[i]], b.Items[idx[i]+1:]...)
	}
	f.fixEOLs(final)
	return nil
}

// insertPoint is where a new key goes in b: after the last key line that
// precedes b's first sub-block, or before the first sub-block.
func (f *File) insertPoint(b *Block) int {
	at := -1
	for i, it := range b.Items {
		if it.Block != nil {
			if at < 0 {
				at = i
			}
			break
		}
		if f.Lines[it.Line].Kind == LineKeyValue {
			at = i + 1
		}
	}
	if at < 0 {
		at = len(b.Items)
	}
	return at
}

// indentFor is the indentation of keys inside b: that of an existing key
// line of b, else that of keys in another block at the same depth, else
// piranha's own.
func (f *File) indentFor(b *Block) string {
	if ind, ok := f.keyIndent(b); ok {
		return ind
	}
	depth := b.Depth()
	var found string
	ok := false
	f.Root.Walk(func(o *Block) {
		if !ok && o != b && o.Depth() == depth {
			found, ok = f.keyIndent(o)
		}
	})
	if ok {
		return found
	}
	if depth >= 2 {
		// One level deeper than the parent, in the parent's style.
		p := f.indentFor(b.Parent)
		switch {
		case p == piranhaIndent[1]:
			return piranhaIndent[2]
		case p != "" && strings.Trim(p, "\t") == "":
			return p + "\t"
		case p != "":
			return p + p
		}
	}
	if depth < len(piranhaIndent) {
		return piranhaIndent[depth]
	}
	return strings.Repeat(" ", 4*depth+1)
}

func (f *File) keyIndent(b *Block) (string, bool) {
	for _, it := range b.Items {
		if it.Block == nil && f.Lines[it.Line].Kind == LineKeyValue {
			return f.Lines[it.Line].Indent(), true
		}
	}
	return "", false
}

// newLine stores a line and returns its index.
func (f *File) newLine(text string) int {
	f.Lines = append(f.Lines, Line{Text: text, eol: f.defaultEOL()})
	l := &f.Lines[len(f.Lines)-1]
	f.relex(l)
	switch {
	case len(l.toks) == 0:
		l.Kind = LineBlank
	case l.Word(0) == "}":
		l.Kind = LineClose
	case l.Word(len(l.toks)-1) == "{":
		l.Kind = LineOpen
	default:
		l.Kind = LineKeyValue
	}
	return len(f.Lines) - 1
}

func (f *File) insertLine(b *Block, at int, text string) {
	f.insertItem(b, at, Item{Line: f.newLine(text)})
}

func (f *File) insertItem(b *Block, at int, it Item) {
	b.Items = append(b.Items, Item{})
	copy(b.Items[at+1:], b.Items[at:])
	b.Items[at] = it
}

// defaultEOL is the line ending most lines of the file use ("\n" on ties).
func (f *File) defaultEOL() lineEnd {
	crlf, lf := 0, 0
	for i := range f.Lines {
		switch f.Lines[i].eol {
		case eolCRLF:
			crlf++
		case eolLF:
			lf++
		}
	}
	if crlf > lf {
		return eolCRLF
	}
	return eolLF
}

// lastLine is the index of the last printed line, or -1.
func (f *File) lastLine() int {
	last := -1
	f.forEachLine(f.Root, func(i int) { last = i })
	return last
}

func (f *File) hasFinalNewline() bool {
	last := f.lastLine()
	return last < 0 || f.Lines[last].eol != eolNone
}

// fixEOLs keeps the "no newline at end of file" property across edits:
// only the last printed line may lack a line ending, and it does exactly
// when the file's last line did before the edit.
func (f *File) fixEOLs(finalNewline bool) {
	last := f.lastLine()
	eol := f.defaultEOL()
	f.forEachLine(f.Root, func(i int) {
		l := &f.Lines[i]
		switch {
		case i == last && !finalNewline:
			l.eol = eolNone
		case l.eol == eolNone:
			l.eol = eol
		}
	})
}

// sameNeighbor reports whether a neighbor block's name is the address a
// path names: the same text, or the same IP address written differently
// (2001:DB8::1 and 2001:db8::1).
func sameNeighbor(name, want string) bool {
	if name == want {
		return true
	}
	a, errA := parseIP(name)
	b, errB := parseIP(want)
	return errA == nil && errB == nil && a == b
}
