package keepalived

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Limits that keep a hostile or runaway input bounded.
const (
	MaxFileSize     = 32 << 20 // bytes of one file, and of all files together
	MaxIncludeDepth = 16       // nested includes
	MaxFiles        = 1000     // files read through includes
	MaxNesting      = 64       // nested { } blocks
)

// Node is a statement: a keyword, its arguments, and the statements of its
// "{ }" block when it has one.
type Node struct {
	Pos      Pos
	Key      string
	Args     []string
	HasBlock bool
	Children []*Node
}

// Arg returns the i-th argument or "".
func (n *Node) Arg(i int) string {
	if i < len(n.Args) {
		return n.Args[i]
	}
	return ""
}

// Config is a parsed keepalived.conf with its includes spliced in.
type Config struct {
	Nodes    []*Node
	Files    []string  // every file read, in order
	Warnings []Warning // includes that matched nothing or could not be read
}

// Error is a syntax error at a place.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every syntax error of a parse, in order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// maxErrors bounds the error list of one parse.
const maxErrors = 50

// Options tell Parse how to follow includes.
type Options struct {
	// FS reads included files; nil means includes are not followed (each
	// one becomes a warning).
	FS FS
}

// ParseFile parses a keepalived.conf and the files it includes. A file
// that cannot be read is an error wrapping the os error; syntax errors are
// an ErrorList.
func ParseFile(path string) (*Config, error) {
	src, err := OSFS{}.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, Options{FS: OSFS{}})
}

// Parse parses src, named name in messages.
func Parse(name string, src []byte, opts Options) (*Config, error) {
	p := &parser{opts: opts, cfg: &Config{}}
	p.lexFile(name, src, nil)
	p.toks = append(p.toks, ptoken{eof: true, pos: p.lastPos})
	p.cfg.Nodes = p.block(0, nil)
	if len(p.errs) > 0 {
		return p.cfg, p.errs
	}
	return p.cfg, nil
}

// ptoken is a token with its place; nl marks the end of a line.
type ptoken struct {
	token
	pos Pos
	nl  bool
	eof bool
}

type parser struct {
	opts    Options
	cfg     *Config
	toks    []ptoken
	i       int
	errs    ErrorList
	total   int // bytes read through includes
	lastPos Pos
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	if len(p.errs) < maxErrors {
		p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
}

func (p *parser) warn(pos Pos, key, format string, args ...any) {
	p.cfg.Warnings = append(p.cfg.Warnings, Warning{Pos: pos, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// includeKeywords are "include" and its variants (they differ only in
// which failures keepalived reports).
var includeKeywords = map[string]bool{"include": true, "includer": true, "includem": true, "includew": true, "includeb": true, "includea": true}

// lexFile appends the tokens of one file. stack holds the files being
// included, outermost first, to refuse loops.
func (p *parser) lexFile(name string, src []byte, stack []string) {
	p.cfg.Files = append(p.cfg.Files, name)
	p.total += len(src)
	if len(src) > MaxFileSize || p.total > MaxFileSize {
		p.errorf(Pos{File: name}, "input too large (over %d bytes)", MaxFileSize)
		return
	}
	lines := strings.Split(string(src), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		pos := Pos{File: name, Line: i + 1}
		p.lastPos = pos
		if fields := strings.Fields(line); len(fields) > 0 && includeKeywords[fields[0]] {
			// keepalived recognises includes on the raw line, before
			// splitting it, so that brace expressions survive.
			pattern := strings.TrimSpace(stripComment(strings.TrimSpace(line)[len(fields[0]):]))
			p.include(pos, fields[0], unquoteWord(pattern), stack, name)
			continue
		}
		toks, err := lexLine(line)
		if err != nil {
			p.errorf(pos, "%v", err)
		}
		for _, t := range toks {
			p.toks = append(p.toks, ptoken{token: t, pos: pos})
		}
		p.toks = append(p.toks, ptoken{pos: pos, nl: true})
	}
}

func unquoteWord(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// include splices the files matching pattern. Relative patterns are
// relative to the directory of the including file (keepalived changes
// directory to it).
func (p *parser) include(pos Pos, kw, pattern string, stack []string, from string) {
	if pattern == "" {
		p.errorf(pos, "%s: missing file name", kw)
		return
	}
	if p.opts.FS == nil {
		p.warn(pos, kw, "%s not followed (no file system)", pattern)
		return
	}
	if len(stack) >= MaxIncludeDepth {
		p.errorf(pos, "%s %s: includes nested deeper than %d", kw, pattern, MaxIncludeDepth)
		return
	}
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(filepath.Dir(from), pattern)
	}
	var files []string
	for _, pat := range expandBraces(pattern) {
		m, err := p.opts.FS.Glob(pat)
		if err != nil {
			p.errorf(pos, "%s %s: %v", kw, pat, err)
			continue
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		p.warn(pos, kw, "%s matches no file", pattern)
		return
	}
	me := append(append([]string(nil), stack...), canonical(from))
	for _, f := range files {
		c := canonical(f)
		for _, s := range me {
			if s == c {
				p.errorf(pos, "%s %s: include loop (%s is already being read)", kw, f, f)
				return
			}
		}
		if len(p.cfg.Files) >= MaxFiles {
			p.errorf(pos, "%s: more than %d files", kw, MaxFiles)
			return
		}
		src, err := p.opts.FS.ReadFile(f)
		if err != nil {
			p.warn(pos, kw, "%s: %v", f, err)
			continue
		}
		p.lexFile(f, src, me)
	}
}

func canonical(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return filepath.Clean(path)
}

// block reads statements up to the matching "}" (open is the "{" token's
// place) or, at the top level, to the end of input.
func (p *parser) block(depth int, open *Pos) []*Node {
	var nodes []*Node
	for {
		t := p.toks[p.i]
		switch {
		case t.eof:
			if open != nil {
				p.errorf(*open, "unclosed '{'")
			}
			return nodes
		case t.nl:
			p.i++
		case t.is("}"):
			p.i++
			if open != nil {
				return nodes
			}
			p.errorf(t.pos, "unexpected '}'")
		case t.is("{"):
			// A block opened on the line after its keyword.
			p.i++
			if n := last(nodes); n != nil && !n.HasBlock {
				p.openBlock(n, depth, t.pos)
			} else {
				p.errorf(t.pos, "unexpected '{'")
				p.block(depth+1, &t.pos) // keep braces balanced
			}
		default:
			n := &Node{Pos: t.pos, Key: t.text}
			p.i++
			for {
				a := p.toks[p.i]
				if a.eof || a.nl || a.is("}") {
					break
				}
				p.i++
				if a.is("{") {
					p.openBlock(n, depth, a.pos)
					break
				}
				n.Args = append(n.Args, a.text)
			}
			nodes = append(nodes, n)
		}
	}
}

func (p *parser) openBlock(n *Node, depth int, at Pos) {
	n.HasBlock = true
	if depth+1 > MaxNesting {
		p.errorf(at, "blocks nested deeper than %d", MaxNesting)
		p.skipBlock()
		return
	}
	n.Children = p.block(depth+1, &at)
}

// skipBlock consumes tokens up to the "}" closing the current block,
// without recursion.
func (p *parser) skipBlock() {
	level := 1
	for level > 0 {
		t := p.toks[p.i]
		if t.eof {
			return
		}
		p.i++
		switch {
		case t.is("{"):
			level++
		case t.is("}"):
			level--
		}
	}
}

func last(nodes []*Node) *Node {
	if len(nodes) == 0 {
		return nil
	}
	return nodes[len(nodes)-1]
}
