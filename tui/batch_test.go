package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestBatchFrames(t *testing.T) {
	src := twoSnaps()
	var out bytes.Buffer
	err := Batch(context.Background(), src, &out, BatchOptions{Frames: 2, Interval: time.Millisecond, Width: 100, Height: 20})
	if err != nil {
		t.Fatal(err)
	}
	frames := strings.Split(out.String(), "\n\n")
	if len(frames) != 2 {
		t.Fatalf("got %d frames, want 2:\n%s", len(frames), out.String())
	}
	for i, f := range frames {
		if strings.Contains(f, "\x1b") {
			t.Errorf("frame %d has escape sequences", i)
		}
		lines := strings.Split(strings.TrimRight(f, "\n"), "\n")
		if len(lines) > 20 {
			t.Errorf("frame %d has %d lines, want at most 20", i, len(lines))
		}
		for _, l := range lines {
			if len([]rune(l)) > 100 {
				t.Errorf("frame %d line wider than 100: %q", i, l)
			}
		}
		if !strings.Contains(f, "lvsadm tui") || !strings.Contains(f, "->") {
			t.Errorf("frame %d lacks the header or real servers:\n%s", i, f)
		}
	}
	if len(src.queries) != 2 {
		t.Errorf("%d snapshots taken, want 2", len(src.queries))
	}
}

func TestBatchConnsView(t *testing.T) {
	src := twoSnaps()
	var out bytes.Buffer
	if err := Batch(context.Background(), src, &out, BatchOptions{Frames: 1, Conns: true}); err != nil {
		t.Fatal(err)
	}
	if len(src.queries) != 1 || !src.queries[0].Enabled {
		t.Errorf("the connections view did not ask for connections: %+v", src.queries)
	}
	if !strings.Contains(out.String(), "STATE") {
		t.Errorf("no connection table header:\n%s", out.String())
	}
}

func TestBatchDirectorView(t *testing.T) {
	var out bytes.Buffer
	d := &jsonDaemon{st: fixtureStatus()}
	if err := Batch(context.Background(), twoSnaps(), &out, BatchOptions{Frames: 1, Director: true, Daemon: d}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[3 Director]", "DIRECTOR", "role", "peer"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the director frame lacks %q:\n%s", want, out.String())
		}
	}
}
