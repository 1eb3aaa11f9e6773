package tui

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// helpSpelling is how the help may write key k: as the decoder names it,
// or shorter (^b for ctrl+b, pgdn, F1).
func helpSpelling(k string) []string {
	out := []string{k}
	switch {
	case k == "pgdown":
		out = append(out, "pgdn")
	case strings.HasPrefix(k, "ctrl+") && len(k) == 6:
		out = append(out, "^"+k[5:])
	}
	return append(out, keyLabel(k))
}

// bindings are every key.Binding field of the struct keymap v.
func bindings(v any) map[string]key.Binding {
	out := map[string]key.Binding{}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if b, ok := rv.Field(i).Interface().(key.Binding); ok {
			out[rv.Type().Field(i).Name] = b
		}
	}
	return out
}

// TestHelpNamesEveryKey holds the help to the code: every key a binding
// matches is written in the label its help line shows.
func TestHelpNamesEveryKey(t *testing.T) {
	km := newKeyMaps()
	all := map[string]key.Binding{}
	for prefix, v := range map[string]any{"global.": km.global, "services.": km.services, "conns.": km.conns,
		"director.": km.director, "prompt.": km.prompt} {
		for n, b := range bindings(v) {
			all[prefix+n] = b
		}
	}
	for i, b := range cfedit.HelpKeys() {
		all["cfedit."+string(rune('a'+i))] = b
	}
	for name, b := range all {
		if name == "global.ForceQuit" {
			continue // ctrl+c is written in Quit's label
		}
		words := strings.Fields(b.Help().Key)
		for _, k := range b.Keys() {
			found := false
			for _, sp := range helpSpelling(k) {
				for _, w := range words {
					found = found || w == sp
				}
			}
			if !found {
				t.Errorf("%s: key %q is not in its help label %q", name, k, b.Help().Key)
			}
		}
	}
}

// TestHintsNameTheirKeys: every key a hint shows is one its binding
// matches (PESCVD is six).
func TestHintsNameTheirKeys(t *testing.T) {
	for _, ro := range []bool{false, true} {
		m := NewModel(t.Context(), &fakeSource{}, Options{ReadOnly: ro})
		for v := viewID(0); v < numViews; v++ {
			m.view = v
			for _, h := range m.hints() {
				if len(h.b.Keys()) == 0 {
					continue // the read-only note
				}
				shown := strings.Fields(h.keys)
				if h.keys == "" {
					shown = []string{keyLabel(h.b.Keys()[0])}
				} else if !strings.Contains(h.keys, " ") && len(h.keys) > 2 && strings.ToUpper(h.keys) == h.keys {
					shown = strings.Split(h.keys, "")
				} else if h.keys == "+-" {
					shown = []string{"+"}
				}
				for _, s := range shown {
					ok := false
					for _, k := range h.b.Keys() {
						ok = ok || keyLabel(k) == s
					}
					if !ok {
						t.Errorf("view %d: hint %q shows %q, which its binding does not match (%v)", v, h, s, h.b.Keys())
					}
				}
			}
		}
	}
}
