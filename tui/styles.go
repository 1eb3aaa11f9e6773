package tui

import "github.com/charmbracelet/lipgloss"

// styles are built by newStyles when a Model is made, never at package level:
// building a lipgloss style from the default renderer can query the
// terminal, and this package is linked into every lvsadm invocation.
//
// Nothing depends on color to be read: the selection also has a '>' marker,
// errors say "error:", and with NO_COLOR or a dumb terminal lipgloss drops
// the colors.
type styles struct {
	header   lipgloss.Style
	tabOn    lipgloss.Style
	tabOff   lipgloss.Style
	colHead  lipgloss.Style
	service  lipgloss.Style
	selected lipgloss.Style
	drained  lipgloss.Style
	detail   lipgloss.Style
	status   lipgloss.Style
	errStat  lipgloss.Style
	footer   lipgloss.Style
	prompt   lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	s := r.NewStyle
	return styles{
		header:   s().Bold(true),
		tabOn:    s().Bold(true).Reverse(true),
		tabOff:   s(),
		colHead:  s().Bold(true).Underline(true),
		service:  s().Bold(true),
		selected: s().Reverse(true),
		drained:  s().Faint(true),
		detail:   s(),
		status:   s().Foreground(lipgloss.Color("2")),
		errStat:  s().Bold(true).Foreground(lipgloss.Color("1")),
		footer:   s().Faint(true),
		prompt:   s().Bold(true),
	}
}
