package cfedit

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/lvscf/udiff"
)

// openPreview shows lines (a diff, or apply's operations) in place of the
// screen.
func (m *Model) openPreview(title string, lines []string) {
	m.preview, m.prevTitle, m.prevOff = lines, title, 0
	m.mode = modePreview
}

func (m *Model) closePreview() {
	m.preview, m.prevTitle, m.prevOff = nil, "", 0
	m.mode = modeNormal
}

// openDiff shows the unified diff of the file as loaded against the
// edited one: only the lines the edits touched differ.
func (m *Model) openDiff() {
	if !m.Dirty() {
		m.setStatus("no changes", false)
		return
	}
	d := udiff.Unified(m.deps.Path+" (on disk)", m.deps.Path+" (edited)", m.orig.src, m.cur.src)
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	m.openPreview("Changes to save:", lines)
	if m.cur.errs > 0 {
		m.setStatus(fmt.Sprintf("the edited file has %s: it cannot be saved until they are fixed", counts(m.cur.errs, 0)), true)
	} else {
		m.setStatus("ctrl+s saves these changes", false)
	}
}

// askSave asks before saving what the diff shows; a file with lint errors
// is not offered (lvscf/save would refuse it anyway).
func (m *Model) askSave() {
	if m.readOnly("save") {
		return
	}
	if !m.Dirty() {
		m.setStatus("no changes", false)
		return
	}
	if m.cur.errs > 0 {
		m.setStatus(fmt.Sprintf("error: cannot save: the edited file has %s", counts(m.cur.errs, 0)), true)
		return
	}
	m.ask(fmt.Sprintf("Save to %s (serial_no bumped, previous version kept as .bak)? [y/N]", m.deps.Path), func() tea.Cmd {
		m.closePreview()
		return m.saveCmd()
	})
}

func (m *Model) previewKey(k tea.KeyPressMsg) tea.Cmd {
	if d, ok := m.keys.moveBy(k, m.bodyHeight()); ok {
		// Clamped after the move: the extremes must not overflow.
		m.prevOff = max(min(m.prevOff+d, len(m.preview)), -1)
		m.clampPreview()
		return nil
	}
	switch {
	case key.Matches(k, m.keys.PreviewSave):
		if m.Dirty() {
			m.askSave()
		}
	case key.Matches(k, m.keys.Apply):
		return m.startApply()
	case key.Matches(k, m.keys.PreviewClose):
		m.closePreview()
	}
	m.clampPreview()
	return nil
}

// startApply makes the saved file take effect: a daemon serving it is
// reloaded; without one, the kernel's table is changed as "lvsadm cf
// apply" would, after showing what would be done. Both ask first.
func (m *Model) startApply() tea.Cmd {
	switch {
	case m.readOnly("apply"):
		return nil
	case m.Dirty():
		m.setStatus("error: save first: apply uses the file on disk (ctrl+s)", true)
		return nil
	case m.deps.Daemon == nil && m.deps.Apply == nil:
		m.setStatus("applying is not available here: run lvsadm cf apply "+m.deps.Path, false)
		return nil
	}
	m.closePreview()
	return m.daemonCmd()
}

func (m *Model) clampPreview() {
	if last := len(m.preview) - m.bodyHeight(); m.prevOff > last {
		m.prevOff = last
	}
	if m.prevOff < 0 {
		m.prevOff = 0
	}
}
