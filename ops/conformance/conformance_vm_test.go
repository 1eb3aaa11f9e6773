//go:build vmtest

package conformance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestConformance is the differential test against the real ipvsadm. It
// runs only in the VM lab, where LVSADM names our binary, IPVSADM the real
// one and CASES the case directory (Makefile target vmtest sets them).
func TestConformance(t *testing.T) {
	conformance(t, mustEnv(t, "LVSADM"))
}

// TestConformanceDropIn runs the same cases through the drop-in build
// (cmd/ipvsadm), which the lvsadm-ipvsadm package installs as ipvsadm:
// the same ops/ipvsadm code under another main, so it must give the same
// bytes.
func TestConformanceDropIn(t *testing.T) {
	conformance(t, mustEnv(t, "LVSADM_DROPIN"))
}

func conformance(t *testing.T, lvsadm string) {
	oracle := envOr("IPVSADM", "/sbin/ipvsadm")
	cases, err := LoadCases(mustEnv(t, "CASES"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no conformance cases found")
	}
	work := t.TempDir()
	oracleDir := linkDir(t, work, "oracle", oracle)
	oursDir := linkDir(t, work, "ours", lvsadm)
	// The save and restore scripts: the real ones are bash scripts (the VM
	// has no bash; busybox sh runs them), ours are names of the binary.
	for _, name := range []string{"ipvsadm-save", "ipvsadm-restore"} {
		script := filepath.Join(filepath.Dir(oracle), name)
		wrapper := "#!/bin/sh\nexec sh " + script + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(oracleDir, name), []byte(wrapper), 0o755); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(lvsadm)
		if err := os.Symlink(abs, filepath.Join(oursDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	real := Runner{BinDir: oracleDir, Work: work}
	ours := Runner{BinDir: oursDir, Work: work, Env: []string{"LVSADM_IPVSADM_BANNER=1"}}

	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			want, got, err := runCase(ctx, c, real, ours)
			if err != nil {
				t.Fatalf("%s:%d: %v", c.File, c.Line, err)
			}
			if c.Shared && bytes.Count(want[0].Stdout, []byte("\n")) < 3 {
				t.Errorf("%s:%d: the oracle's first listing has no entries: the setup made no state to compare\n%s", c.File, c.Line, want[0].Stdout)
			}
			for i := range want {
				if d := Diff(want[i], got[i]); d != "" {
					t.Errorf("%s:%d: $ %s\n%s", c.File, c.Line, want[i].Cmd, d)
				}
			}
		})
	}
}

// runCase runs c with both implementations. A shared case reads live state
// (connection expiry counts down in seconds), so a second boundary can fall
// between the oracle's command and ours: such a case is tried up to three
// times and passes if one attempt matches throughout.
func runCase(ctx context.Context, c Case, real, ours Runner) (want, got []Result, err error) {
	if !c.Shared {
		if want, err = real.Run(ctx, c); err != nil {
			return nil, nil, fmt.Errorf("oracle: %w", err)
		}
		if got, err = ours.Run(ctx, c); err != nil {
			return nil, nil, fmt.Errorf("lvsadm: %w", err)
		}
		return want, got, nil
	}
	for attempt := 0; attempt < 3; attempt++ {
		if want, got, err = RunShared(ctx, c, real, ours); err != nil {
			return nil, nil, err
		}
		same := true
		for i := range want {
			if Diff(want[i], got[i]) != "" {
				same = false
			}
		}
		if same {
			break
		}
	}
	return want, got, nil
}

// linkDir makes dir/name/ipvsadm a symlink to bin, so both implementations
// run under the name "ipvsadm" and print the same program name.
func linkDir(t *testing.T, work, name, bin string) string {
	t.Helper()
	d := filepath.Join(work, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := os.Symlink(abs, filepath.Join(d, "ipvsadm")); err != nil {
		t.Fatal(err)
	}
	return d
}

func mustEnv(t *testing.T, k string) string {
	t.Helper()
	v := os.Getenv(k)
	if v == "" {
		t.Fatalf("%s is not set (this test runs in the VM lab: make vmtest)", k)
	}
	return v
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
