// Package udiff makes unified diffs (diff -u) of lvs.cf files, for
// "lvsadm cf fmt -d" and the TUI's Config view, with Myers' O(ND)
// algorithm. Files whose difference is too large for it to be worth the
// memory (more than maxEdits changed lines) are shown as one hunk that
// replaces everything.
package udiff

import (
	"fmt"
	"strings"
)

const (
	diffContext = 3
	maxEdits    = 20000
)

// Unified returns the diff from a to b with the given file labels, or ""
// when they are equal.
func Unified(aName, bName string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	x, y := splitLines(string(a)), splitLines(string(b))
	ops := diffLines(x, y)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	// Group the edit script into hunks with diffContext lines around changes.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		writeHunk(&sb, ops[start:end])
		i = end
	}
	return sb.String()
}

type diffOp struct {
	kind byte // ' ', '-', '+'
	text string
	a, b int // 0-based line numbers in a and b before this line
}

func writeHunk(sb *strings.Builder, h []diffOp) {
	na, nb := 0, 0
	for _, o := range h {
		if o.kind != '+' {
			na++
		}
		if o.kind != '-' {
			nb++
		}
	}
	sa, sbb := h[0].a+1, h[0].b+1
	if na == 0 {
		sa--
	}
	if nb == 0 {
		sbb--
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(sa, na), hunkRange(sbb, nb))
	for _, o := range h {
		sb.WriteByte(o.kind)
		sb.WriteString(o.text)
		if !strings.HasSuffix(o.text, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits s after each newline; a last line without one is kept.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// diffLines returns an edit script turning x into y.
func diffLines(x, y []string) []diffOp {
	n, m := len(x), len(y)
	maxD := n + m
	if maxD > maxEdits {
		maxD = maxEdits
	}
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var i int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				i = v[off+k+1]
			} else {
				i = v[off+k-1] + 1
			}
			j := i - k
			for i < n && j < m && x[i] == y[j] {
				i, j = i+1, j+1
			}
			v[off+k] = i
			if i >= n && j >= m {
				found = true
				break
			}
		}
	}
	if !found {
		return replaceAll(x, y)
	}
	// Walk back through the trace (trace[d] is v before step d).
	var rev []diffOp
	i, j := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		pv := trace[d]
		k := i - j
		pk := k - 1
		if k == -d || k != d && pv[off+k-1] < pv[off+k+1] {
			pk = k + 1
		}
		pi := pv[off+pk]
		pj := pi - pk
		for i > pi && j > pj {
			i, j = i-1, j-1
			rev = append(rev, diffOp{kind: ' ', text: x[i], a: i, b: j})
		}
		if d == 0 {
			break
		}
		if i == pi {
			j--
			rev = append(rev, diffOp{kind: '+', text: y[j], a: i, b: j})
		} else {
			i--
			rev = append(rev, diffOp{kind: '-', text: x[i], a: i, b: j})
		}
	}
	out := make([]diffOp, len(rev))
	for k := range rev {
		out[len(rev)-1-k] = rev[k]
	}
	return out
}

func replaceAll(x, y []string) []diffOp {
	var out []diffOp
	for i, s := range x {
		out = append(out, diffOp{kind: '-', text: s, a: i, b: 0})
	}
	for j, s := range y {
		out = append(out, diffOp{kind: '+', text: s, a: len(x), b: j})
	}
	return out
}
