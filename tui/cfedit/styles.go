package cfedit

import (
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// style is an SGR attribute list, as in package tui (plain x/ansi, no Lip
// Gloss: see docs/tui.md "Start-up cost").
type style struct{ sgr ansi.Style }

func (st style) render(s string) string {
	if s == "" {
		return s
	}
	return st.sgr.Styled(s)
}

// styles are decoration only: the selection is also marked with '>',
// diagnostics say "error:" or "warning:", defaults say "(default)", diff
// lines start with '-' or '+'.
type styles struct {
	tabOn, heading, selected, dflt style
	errText, warnText, status      style
	footer, prompt, del, add       style
}

// newStyles follows package tui: NoTTY gets nothing, ASCII (NO_COLOR)
// attributes without colors, anything else attributes and basic colors.
func newStyles(p colorprofile.Profile) styles {
	if p == colorprofile.NoTTY {
		return styles{}
	}
	colors := p != colorprofile.ASCII
	fg := func(st ansi.Style, c ansi.BasicColor) style {
		if colors {
			st = st.ForegroundColor(c)
		}
		return style{st}
	}
	s := ansi.Style{}
	return styles{
		tabOn:    style{s.Bold().Reverse(true)},
		heading:  style{s.Bold().Underline(true)},
		selected: style{s.Reverse(true)},
		dflt:     style{s.Faint()},
		errText:  fg(s.Bold(), ansi.Red),
		warnText: fg(s, ansi.Yellow),
		status:   fg(s, ansi.Green),
		footer:   style{s.Faint()},
		prompt:   style{s.Bold()},
		del:      fg(s, ansi.Red),
		add:      fg(s, ansi.Green),
	}
}
