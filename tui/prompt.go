package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// inputKey edits the filter or weight being typed.
func (m *Model) inputKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.keys.prompt
	// The reason a value was refused is about that value.
	m.inputErr = ""
	switch {
	case key.Matches(k, p.Cancel):
		// Esc in the filter prompt clears the filter, as it does
		// outside the prompt; in the weight prompt it cancels.
		md := m.mode
		m.mode, m.input = modeNormal, ""
		if md == modeFilter {
			return m.clearFilter()
		}
		return nil
	case key.Matches(k, p.Apply):
		in := strings.TrimSpace(m.input)
		md := m.mode
		m.mode, m.input = modeNormal, ""
		if md == modeWeight {
			return m.weightEntered(in)
		}
		return m.filterEntered(in)
	case key.Matches(k, p.Erase):
		if r := []rune(m.input); len(r) > 0 {
			m.input = string(r[:len(r)-1])
		}
	case key.Matches(k, p.Clear):
		m.input = ""
	default:
		// Text is set for printable keys (space too), with or without
		// shift, and empty for other keys and combinations.
		m.typed(k.Text)
		return nil
	}
	m.inputChanged()
	return nil
}

// typed adds text to the prompt's input.
func (m *Model) typed(text string) {
	if text != "" && len(m.input) < 200 {
		m.input += text
	}
	m.inputChanged()
}

// inputChanged applies the services filter as it is typed: it is cheap.
func (m *Model) inputChanged() {
	if m.mode == modeFilter && m.view == viewServices {
		m.filter = m.input
		m.resort()
	}
}

func (m *Model) filterEntered(in string) tea.Cmd {
	if m.view == viewServices {
		m.filter = in
		m.resort()
		return nil
	}
	f, err := ParseConnFilter(in)
	if err != nil {
		// Open, as the weight prompt stays: esc gives up.
		m.mode, m.input, m.inputErr = modeFilter, in, err.Error()
		return nil
	}
	m.connFilter = f
	m.connState = ""
	m.connOffset = 0
	m.setStatus("", false)
	return m.startFetch()
}
