package tui

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// Update turns a message into the next state and the commands to run.
//
// Bubble Tea v2 delivers one KeyPressMsg per key, also for characters that
// arrive together (fast typing, tmux send-keys, a terminal's input buffer
// over a slow link), so "jj" moves twice and "/est" opens the filter and
// types "est". Pasted text (bracketed paste) comes as one PasteMsg.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// A terminal that does not know its size (a serial console,
		// a pty nobody sized) says 0x0: keep 80x24 then.
		if msg.Width > 0 && msg.Height > 0 {
			m.width, m.height = msg.Width, msg.Height
		}
		m.clampServices()
		m.clampConns()
		m.clampDirector()
		m.sizeConfig()
		return m, nil
	case tea.ColorProfileMsg:
		// The program's profile (Run passes the detected one): the
		// styles follow it, the Config view's too.
		m.st = newStyles(msg.Profile)
		m.cfg.Update(msg)
		return m, nil
	case cfedit.AppliedMsg:
		// The Config view changed the kernel's table or reloaded the
		// daemon: show the result now rather than at the next tick.
		return m, m.startFetch()
	case cfedit.SavedMsg:
		// Nothing the other views show comes from the file until the
		// daemon reloads it (AppliedMsg).
		return m, nil
	case snapshotMsg:
		return m, m.gotSnapshot(msg)
	case tickMsg:
		if msg.gen != m.gen || m.paused {
			return m, nil
		}
		return m, m.startFetch()
	case editMsg:
		return m, m.gotEdit(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		if m.help {
			// The wheel scrolls a help taller than the screen;
			// drawing keeps the offset in range.
			switch msg.Button {
			case tea.MouseWheelUp:
				m.helpOffset = max(m.helpOffset-wheelStep, 0)
			case tea.MouseWheelDown:
				m.helpOffset += wheelStep
			}
			return m, nil
		}
		if m.mode != modeNormal {
			return m, nil
		}
		if m.view == viewConfig {
			return m, m.configWheel(msg)
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-wheelStep)
		case tea.MouseWheelDown:
			m.move(wheelStep)
		}
		return m, nil
	case tea.PasteMsg:
		return m, m.paste(msg)
	}
	// Everything else is the Config view's: its commands' results come
	// back this way, whichever view is shown.
	_, cmd := m.cfg.Update(msg)
	return m, cmd
}

// configWheel scrolls the Config view, which takes no mouse messages, as
// its arrow keys do. While it captures keys (a prompt, a question, the
// diff) the wheel does nothing: an arrow there would answer or edit.
func (m *Model) configWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.cfg.Captures() {
		return nil
	}
	k := tea.KeyPressMsg{Code: tea.KeyDown}
	if msg.Button == tea.MouseWheelUp {
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	} else if msg.Button != tea.MouseWheelDown {
		return nil
	}
	var cmds []tea.Cmd
	for range wheelStep {
		_, cmd := m.cfg.Update(k)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// configKey gives a key to the Config view when it is its: every key
// while the view captures them, and otherwise all but those that work in
// every view (q, ?, the digits). ok is false when the key is the top
// level's.
func (m *Model) configKey(k tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if !m.cfg.Captures() {
		g := m.keys.global
		if key.Matches(k, g.Quit, g.Help, g.Views, g.ConfigView) {
			return nil, false
		}
	}
	_, cmd = m.cfg.Update(k)
	return cmd, true
}

// quit ends the TUI, after asking when the Config view holds unsaved
// edits: they would be lost.
func (m *Model) quit() tea.Cmd {
	if m.cfg.Dirty() {
		m.mode = modeQuit
		return nil
	}
	return tea.Quit
}

// paste handles pasted text: in a prompt it is typed text, even if it holds
// key letters; in the Config view it is the view's (its prompts type it);
// elsewhere it is no key, but like any key it closes the help and answers
// a confirmation with "no".
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	if m.help {
		m.help = false
		return nil
	}
	text := msg.Content
	switch m.mode {
	case modeFilter, modeWeight:
		// Control characters (a pasted newline or tab) would break
		// the prompt's line: they go, printable text stays.
		text = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, text)
		m.typed(text)
	case modeConfirm, modeQuit:
		return m.confirm(false)
	default:
		if m.view == viewConfig {
			_, cmd := m.cfg.Update(msg)
			return cmd
		}
	}
	return nil
}

// key handles a key press according to the mode.
func (m *Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.keys.global
	if key.Matches(k, g.ForceQuit) {
		return m, tea.Quit
	}
	if m.help {
		return m, m.helpKey(k)
	}
	switch m.mode {
	case modeFilter, modeWeight:
		return m, m.inputKey(k)
	case modeConfirm, modeQuit:
		return m, m.confirmKey(k)
	}
	if m.view == viewConfig {
		if cmd, ok := m.configKey(k); ok {
			return m, cmd
		}
	}
	switch {
	case key.Matches(k, g.Quit):
		return m, m.quit()
	case key.Matches(k, g.Help):
		m.help, m.helpOffset = true, 0
	case key.Matches(k, g.NextView):
		return m, m.switchView((m.view + 1) % tabViews)
	case key.Matches(k, g.PrevView):
		return m, m.switchView((m.view + tabViews - 1) % tabViews)
	case key.Matches(k, g.Views, g.ConfigView):
		return m, m.switchView(viewID(k.String()[0] - '1'))
	case key.Matches(k, g.Up):
		m.move(-1)
	case key.Matches(k, g.Down):
		m.move(1)
	case key.Matches(k, g.PageUp):
		m.move(-m.bodyHeight())
	case key.Matches(k, g.PageDown):
		m.move(m.bodyHeight())
	case key.Matches(k, g.HalfUp):
		m.move(-max(m.bodyHeight()/2, 1))
	case key.Matches(k, g.HalfDown):
		m.move(max(m.bodyHeight()/2, 1))
	case key.Matches(k, g.Slower):
		return m, m.changeInterval(1)
	case key.Matches(k, g.Faster):
		return m, m.changeInterval(-1)
	case key.Matches(k, g.Home):
		m.move(-1 << 30)
	case key.Matches(k, g.End):
		m.move(1 << 30)
	case key.Matches(k, g.Filter):
		if m.view == viewDirector {
			return m, nil
		}
		m.mode = modeFilter
		if m.view == viewConns {
			m.input = m.connFilter.String()
		} else {
			m.input = m.filter
		}
	case key.Matches(k, g.Pause):
		m.paused = !m.paused
		if m.paused {
			m.setGlobalStatus("paused (p resumes)", false)
			return m, nil
		}
		m.setGlobalStatus("", false)
		return m, m.startFetch()
	case key.Matches(k, g.Sync):
		return m, m.startFetch()
	case key.Matches(k, g.ClearFilter):
		return m, m.clearFilter()
	default:
		if p := m.page(); p != nil {
			return m, p.update(k)
		}
	}
	return m, nil
}

// helpKey scrolls the help overlay with the movement keys; any other key
// closes it.
func (m *Model) helpKey(k tea.KeyPressMsg) tea.Cmd {
	g := m.keys.global
	page := max(m.height-2, 1)
	if m.helpTotal <= page {
		// All of it is on the screen: the footer says any key closes.
		m.help = false
		return nil
	}
	switch {
	case key.Matches(k, g.Up):
		m.helpOffset--
	case key.Matches(k, g.Down):
		m.helpOffset++
	case key.Matches(k, g.PageUp):
		m.helpOffset -= page
	case key.Matches(k, g.PageDown):
		m.helpOffset += page
	case key.Matches(k, g.Home):
		m.helpOffset = 0
	case key.Matches(k, g.End):
		m.helpOffset = m.helpTotal // drawing clamps it
	default:
		m.help = false
	}
	return nil
}

// wheelStep is how many rows one notch of the mouse wheel scrolls.
const wheelStep = 3

func (m *Model) switchView(v viewID) tea.Cmd {
	if m.view == v {
		return nil
	}
	m.view = v
	if v == viewConfig && !m.cfgStarted {
		// Read when first shown, not at start: a TUI that never
		// shows it does not read lvs.cf, and the one it edits is
		// the file as it is now.
		m.cfgStarted = true
		return m.cfg.Init()
	}
	if v == viewConns {
		// The services view does not read the connection table (it
		// can be large), so the first look needs a refresh.
		return m.startFetch()
	}
	return nil
}

// move moves the current page's selection or scroll.
func (m *Model) move(delta int) {
	if p := m.page(); p != nil {
		p.move(delta)
	}
}

func (m *Model) clearFilter() tea.Cmd {
	if m.view == viewConns {
		if m.connFilter.Empty() && m.connState == "" {
			return nil
		}
		m.connFilter, m.connState = ConnFilter{}, ""
		return m.startFetch()
	}
	m.filter = ""
	m.buildRows()
	m.restoreSelection()
	return nil
}
