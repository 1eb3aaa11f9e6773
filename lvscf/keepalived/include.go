package keepalived

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lvsadm/lvsadm/internal/regfile"
)

// FS is what includes need from a file system.
type FS interface {
	ReadFile(name string) ([]byte, error)
	Glob(pattern string) ([]string, error)
}

// OSFS is the real file system; reads stop at MaxFileSize.
type OSFS struct{}

// ReadFile reads at most MaxFileSize+1 bytes, so that a huge file is
// refused without being read whole.
// A FIFO or device is refused (regfile): a FIFO would block the open
// until a writer came.
func (OSFS) ReadFile(name string) ([]byte, error) {
	f, err := regfile.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// Glob is filepath.Glob; a pattern without meta characters matches the
// file only when it exists.
func (OSFS) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

// MapFS is an in-memory file system for tests and fuzzing: file names to
// contents, globbed with filepath.Match.
type MapFS map[string]string

// ReadFile returns the named content.
func (m MapFS) ReadFile(name string) ([]byte, error) {
	s, ok := m[filepath.Clean(name)]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	return []byte(s), nil
}

// Glob returns the sorted names matching pattern.
func (m MapFS) Glob(pattern string) ([]string, error) {
	var out []string
	for name := range m {
		ok, err := filepath.Match(filepath.Clean(pattern), name)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, name)
		}
	}
	sortStrings(out)
	return out, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// maxBraceExpansions bounds csh brace expansion ("{a,b}{c,d}..." grows
// exponentially); patterns with more than maxBraces braces are taken
// literally, which bounds the recursion too.
const (
	maxBraceExpansions = 256
	maxBraces          = 64
)

// expandBraces expands csh-style brace expressions, as glob(GLOB_BRACE)
// does for keepalived: "a/{b,c/{d,e}}.conf" is a/b.conf, a/c/d.conf,
// a/c/e.conf. Unbalanced braces are left as they are.
func expandBraces(s string) []string {
	if strings.Count(s, "{") > maxBraces {
		return []string{s}
	}
	out := []string{}
	var walk func(prefix, rest string)
	walk = func(prefix, rest string) {
		if len(out) >= maxBraceExpansions {
			return
		}
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			out = append(out, prefix+rest)
			return
		}
		depth, end := 0, -1
		var alts []string
		start := open + 1
		for i := open; i < len(rest) && end < 0; i++ {
			switch rest[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					alts = append(alts, rest[start:i])
					end = i
				}
			case ',':
				if depth == 1 {
					alts = append(alts, rest[start:i])
					start = i + 1
				}
			}
		}
		if end < 0 {
			out = append(out, prefix+rest)
			return
		}
		for _, a := range alts {
			// The alternative may hold braces of its own; expand it with
			// what follows.
			walk(prefix+rest[:open], a+rest[end+1:])
		}
	}
	walk("", s)
	return out
}
