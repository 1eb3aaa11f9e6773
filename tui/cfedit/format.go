package cfedit

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// cut shortens s to w cells, marking the cut with '~' as package tui does.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "~")
}

// padRight cuts or pads s to exactly w cells.
func padRight(s string, w int) string {
	s = cut(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// counts says "2 errors, 1 warning", or "" for none.
func counts(errs, warns int) string {
	var parts []string
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	if warns > 0 {
		parts = append(parts, plural(warns, "warning"))
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// wrap breaks s into lines of at most w cells at blanks, the first line
// starting with first, the others with rest. A word longer than a line is
// cut.
func wrap(s string, w int, first, rest string) []string {
	if s == "" {
		return nil
	}
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = first + word
		case ansi.StringWidth(cur)+1+ansi.StringWidth(word) <= w:
			cur += " " + word
		default:
			out = append(out, cut(cur, w))
			cur = rest + word
		}
	}
	return append(out, cut(cur, w))
}
