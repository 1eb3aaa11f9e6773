package tui

import (
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// style is an SGR (Select Graphic Rendition) attribute list; the zero style
// renders text unchanged.
//
// The TUI draws with plain SGR sequences from x/ansi, which Bubble Tea v2
// links anyway, rather than with Lip Gloss v2: lipgloss v2 has a
// package-level variable (lipgloss.Writer) whose initialiser detects the
// color profile of os.Stdout at every start of the binary, which on a
// terminal loads the terminfo entry and, inside tmux, runs "tmux info". This
// package is linked into every lvsadm invocation; see docs/tui.md.
type style struct{ sgr ansi.Style }

// Render returns s wrapped in the style's attributes and a reset.
func (st style) Render(s string) string { return st.sgr.Styled(s) }

// styles are built by newStyles when a Model is made, never at package level:
// this package is linked into every lvsadm invocation.
//
// Nothing depends on color to be read: the selection also has a '>' marker,
// errors say "error:", and without color (NO_COLOR, a terminal without
// colors) the styles keep only their attributes, or nothing at all when the
// output is no terminal.
type styles struct {
	header   style
	tabOn    style
	tabOff   style
	colHead  style
	service  style
	selected style
	drained  style
	bad      style // a real server or service that is down
	detail   style
	status   style
	errStat  style
	footer   style
	prompt   style
}

// newStyles returns the styles for a terminal of profile p: NoTTY (and
// TERM=dumb) gets none, ASCII (NO_COLOR) attributes without colors, ANSI and
// better attributes and the basic colors. Unknown is treated as color: Bubble
// Tea's renderer downsamples to the terminal's profile anyway.
func newStyles(p colorprofile.Profile) styles {
	if p == colorprofile.NoTTY {
		return styles{}
	}
	colors := p != colorprofile.ASCII
	s := func() ansi.Style { return ansi.Style{} }
	fg := func(st ansi.Style, c ansi.BasicColor) ansi.Style {
		if colors {
			return st.ForegroundColor(c)
		}
		return st
	}
	return styles{
		header:   style{s().Bold()},
		tabOn:    style{s().Bold().Reverse(true)},
		tabOff:   style{},
		colHead:  style{s().Bold().Underline(true)},
		service:  style{s().Bold()},
		selected: style{s().Reverse(true)},
		drained:  style{s().Faint()},
		bad:      style{fg(s().Bold(), ansi.Red)},
		detail:   style{},
		status:   style{fg(s(), ansi.Green)},
		errStat:  style{fg(s().Bold(), ansi.Red)},
		footer:   style{s().Faint()},
		prompt:   style{s().Bold()},
	}
}
