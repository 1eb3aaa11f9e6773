package cfedit

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// textInput is a one-line editor with a cursor, with the readline keys a
// shell user expects; values such as send strings are long enough to
// want them.
type textInput struct {
	r   []rune
	pos int
}

func (t *textInput) set(s string) { t.r = []rune(s); t.pos = len(t.r) }

func (t *textInput) String() string { return string(t.r) }

// insert types s at the cursor, without control characters (a pasted
// newline or tab would break the line), up to maxInput runes.
func (t *textInput) insert(s string) {
	add := []rune(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
	if len(t.r)+len(add) > maxInput {
		return
	}
	t.r = append(t.r[:t.pos], append(add, t.r[t.pos:]...)...)
	t.pos += len(add)
}

// key edits for a key press with the keys of lk and reports whether the
// key was an editing key; printable keys are typed.
func (t *textInput) key(k tea.KeyPressMsg, lk lineKeyMap) bool {
	switch {
	case key.Matches(k, lk.Left):
		t.pos = max(t.pos-1, 0)
	case key.Matches(k, lk.Right):
		t.pos = min(t.pos+1, len(t.r))
	case key.Matches(k, lk.Home):
		t.pos = 0
	case key.Matches(k, lk.End):
		t.pos = len(t.r)
	case key.Matches(k, lk.Erase):
		if t.pos > 0 {
			t.r = append(t.r[:t.pos-1], t.r[t.pos:]...)
			t.pos--
		}
	case key.Matches(k, lk.Delete):
		if t.pos < len(t.r) {
			t.r = append(t.r[:t.pos], t.r[t.pos+1:]...)
		}
	case key.Matches(k, lk.KillStart):
		t.r, t.pos = t.r[t.pos:], 0
	case key.Matches(k, lk.KillEnd):
		t.r = t.r[:t.pos]
	case key.Matches(k, lk.KillWord):
		i := t.pos
		for i > 0 && t.r[i-1] == ' ' {
			i--
		}
		for i > 0 && t.r[i-1] != ' ' {
			i--
		}
		t.r, t.pos = append(t.r[:i], t.r[t.pos:]...), i
	default:
		if k.Text == "" {
			return false
		}
		t.insert(k.Text)
	}
	return true
}

// view shows the text with the cursor: '_' after the end, or the
// character under it in cur's style.
func (t *textInput) view(cur style) string {
	if t.pos >= len(t.r) {
		return string(t.r) + "_"
	}
	return string(t.r[:t.pos]) + cur.render(string(t.r[t.pos])) + string(t.r[t.pos+1:])
}
