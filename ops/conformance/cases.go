package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one conformance case: shell command lines run in order in one
// fresh network namespace. Each command's stdout, stderr and exit status are
// compared.
type Case struct {
	File  string
	Line  int
	Name  string
	Setup []string // run before the commands, not compared (e.g. traffic)
	Cmds  []string
	// Shared cases run both implementations in one namespace, each command
	// by the oracle and then by lvsadm against the same table: for output
	// that depends on live state (connections made by traffic).
	Shared bool
}

// ParseCases reads the case format:
//
//	# comment
//	=== name of the case
//	ipvsadm -A -t 10.0.0.1:80 -s rr
//	ipvsadm -Ln
//	! /usr/sbin/ip addr add 10.9.0.1/32 dev d0    (setup: run, not compared)
//	@shared                                      (see Case.Shared)
//
// A command that contains "<<EOF" takes the following lines up to a line
// "EOF" as its here-document.
func ParseCases(file string, src []byte) ([]Case, error) {
	var cases []Case
	var cur *Case
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "==="):
			name := strings.TrimSpace(strings.TrimPrefix(line, "==="))
			if name == "" {
				return nil, fmt.Errorf("%s:%d: case without a name after ===", file, n)
			}
			cases = append(cases, Case{File: file, Line: n, Name: name})
			cur = &cases[len(cases)-1]
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case trimmed == "@shared" && cur != nil:
			cur.Shared = true
		case cur == nil:
			return nil, fmt.Errorf("%s:%d: command before the first '=== name' line", file, n)
		default:
			cmd := line
			if strings.Contains(line, "<<EOF") {
				var body []string
				closed := false
				for sc.Scan() {
					n++
					if sc.Text() == "EOF" {
						closed = true
						break
					}
					body = append(body, sc.Text())
				}
				if !closed {
					return nil, fmt.Errorf("%s:%d: here-document not closed by a line EOF", file, n)
				}
				cmd = line + "\n" + strings.Join(body, "\n") + "\nEOF"
			}
			if strings.HasPrefix(cmd, "!") {
				cur.Setup = append(cur.Setup, strings.TrimSpace(cmd[1:]))
			} else {
				cur.Cmds = append(cur.Cmds, cmd)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, c := range cases {
		if len(c.Cmds) == 0 {
			return nil, fmt.Errorf("%s:%d: case %q has no command", file, c.Line, c.Name)
		}
	}
	return cases, nil
}

// LoadCases reads every *.case file in dir, in name order, and checks that
// case names are unique.
func LoadCases(dir string) ([]Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.case"))
	if err != nil {
		return nil, fmt.Errorf("listing cases: %w", err)
	}
	sort.Strings(files)
	var all []Case
	seen := map[string]string{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading cases: %w", err)
		}
		cs, err := ParseCases(filepath.Base(f), src)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if prev, ok := seen[c.Name]; ok {
				return nil, fmt.Errorf("%s:%d: case name %q already used at %s", c.File, c.Line, c.Name, prev)
			}
			seen[c.Name] = fmt.Sprintf("%s:%d", c.File, c.Line)
		}
		all = append(all, cs...)
	}
	return all, nil
}
