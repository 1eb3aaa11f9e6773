package cfedit

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/internal/goldenfile"
)

var update = flag.Bool("update", false, "rewrite the golden frames under testdata/golden")

// TestGoldenFrames draws every panel at 80x24 and 160x48, plain (no
// styles), and compares with testdata/golden. go test -update rewrites
// them; look at each before committing.
func TestGoldenFrames(t *testing.T) {
	plan := &fakeApply{ops: []string{"-E -t 172.16.0.1:80 -s rr", "-d -t 172.16.0.1:80 -r 172.16.0.8:80", "-a -t 172.16.0.1:80 -r 172.16.0.9:80 -g -w 1"}}
	frames := []struct {
		name, file string
		keys       []string
		deps       func(*Deps)
		opts       Options
	}{
		{"global", httpCf, nil, nil, Options{}},
		{"redundancy", httpCf, []string{"tab"}, nil, Options{}},
		{"virtuals", "01-seed-rhel5-apache-ftp.cf", []string{"tab", "tab"}, nil, Options{}},
		{"virtual", httpCf, []string{"tab", "tab", "enter"}, nil, Options{}},
		{"virtual-end", "05-sip-fwmark-udp-syncdaemon.cf", []string{"tab", "tab", "enter", "end"}, nil, Options{}},
		{"server", httpCf, []string{"tab", "tab", "enter", "end", "up", "up", "up", "up", "up", "up", "up", "enter"}, nil, Options{}},
		{"server-lint-error", httpCf, []string{"tab", "tab", "enter", "end", "up", "up", "up", "up", "up", "up", "up", "enter", "enter", "ctrl+u", "172.16.0.1", "enter"}, nil, Options{}},
		{"server-refused", httpCf, []string{"tab", "tab", "enter", "end", "up", "up", "up", "up", "up", "up", "up", "enter", "enter", "ctrl+u", "10.0.0.300", "enter"}, nil, Options{}},
		{"diff", httpCf, []string{"tab", "tab", "enter", "end", "up", "up", "up", "up", "up", "up", "up", "enter", "down", "down", "enter", "ctrl+u", "5", "enter", "D"}, nil, Options{}},
		{"save-confirm", httpCf, []string{"tab", "down", "enter", "ctrl+u", "172.16.2.4", "enter", "ctrl+s"}, nil, Options{}},
		{"delete-confirm", httpCf, []string{"tab", "tab", "x"}, nil, Options{}},
		{"new-virtual", httpCf, []string{"tab", "tab", "a", "www", "enter"}, nil, Options{}},
		{"apply-plan", httpCf, []string{"A"}, plan.deps, Options{}},
		{"read-only", httpCf, []string{"tab", "tab", "enter", "enter"}, nil, Options{ReadOnly: true}},
	}
	for _, fr := range frames {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			name := fmt.Sprintf("%s-%dx%d", fr.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				p := writeFile(t, readCorpus(t, fr.file))
				m := newTestModel(t, p, size[0], size[1], fr.opts, fr.deps)
				press(t, m, fr.keys...)
				got := strings.ReplaceAll(m.View(), filepath.Dir(p), "/etc/sysconfig/ha") + "\n"
				checkFrame(t, got, size[0], size[1])
				goldenfile.Check(t, filepath.Join("testdata", "golden", name+".txt"), got, *update)
			})
		}
	}
}

// checkFrame checks the frame's size: h lines, none wider than w.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(frame, "\n"), "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d wide: %q", i+1, n, l)
		}
	}
}
