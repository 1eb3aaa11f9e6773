package keepalived

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

// sharedCorpus holds real-world keepalived.conf files collected for the
// project (outside this repository; skipped when absent).
const sharedCorpus = "/work/shared/corpus/keepalived"

// TestRoundTrip: for every keepalived.conf of testdata/keepalived and of
// the shared corpus, "cf import" gives an lvs.cf that "cf export --to
// keepalived" followed by "cf import" gives back byte for byte, so the
// directors (primary, backup: keepalived's state), the heartbeat, the
// timeouts and the checks survive. Issue 13 found a round trip that
// turned BACKUP into MASTER and changed a connect_timeout. Also: every
// warning has FILE:LINE, and exporting an import loses nothing but the
// placeholders.
func TestRoundTrip(t *testing.T) {
	var files []string
	for _, dir := range []string{testdataDir, sharedCorpus} {
		m, err := filepath.Glob(filepath.Join(dir, "*.conf"))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Logf("no *.conf in %s", dir)
		}
		files = append(files, m...)
	}
	if len(files) < 6 {
		t.Fatalf("only %d files: %v", len(files), files)
	}
	for _, path := range files {
		dir := filepath.Dir(path) // testdata/keepalived or corpus/keepalived
		t.Run(filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir), filepath.Base(path)), func(t *testing.T) {
			cfg, err := ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, err := Import(cfg, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkLocated(t, first.Warnings)
			if d := LintResult(first.Data); lvscf.HasErrors(d) {
				t.Errorf("lint:\n%s", lvscf.FormatDiagnostics(d))
			}
			if !bytes.Contains(first.Data, []byte("\nvirtual ")) {
				t.Errorf("no virtual server imported:\n%s", first.Data)
			}
			for _, opts := range []ExportOptions{{}, {Backup: true}} {
				exp, err := Export(lvscf.Parse("lvs.cf", first.Data), opts)
				if opts.Backup && errors.Is(err, ErrNoBackup) {
					continue // no backup director: only the primary's file
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range exp.Warnings {
					if w.Msg != msgPlaceholder {
						t.Errorf("exporting an import loses: %s", w)
					}
				}
				cfg2, err := Parse("exported.conf", exp.Data, Options{})
				if err != nil {
					t.Fatalf("%v\n%s", err, exp.Data)
				}
				second, err := Import(cfg2, ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				checkLocated(t, second.Warnings)
				if !bytes.Equal(first.Data, second.Data) {
					t.Errorf("import → export %+v → import differs:\n%s", opts, lineDiff(first.Data, second.Data))
				}
			}
		})
	}
}

// checkLocated: every warning names a file and a line (issue 13 found
// ": primary: …").
func checkLocated(t *testing.T, ws []Warning) {
	t.Helper()
	for _, w := range ws {
		if w.Pos.File == "" || w.Pos.Line <= 0 {
			t.Errorf("warning without FILE:LINE: %q", w.String())
		}
	}
}

// lineDiff lists the lines only one side has.
func lineDiff(a, b []byte) string {
	in := func(s []byte) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(string(s), "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(string(a), "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(string(b), "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRoundTripKeepsState: issue 13 found the backup director's
// keepalived.conf coming back as a MASTER. Exported --for backup, it comes
// back as the backup's file, with its own address and its peer.
func TestRoundTripKeepsState(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"03-tun-misc-check.conf", []string{"state BACKUP", "unicast_src_ip 172.16.0.3", "unicast_peer {\n        172.16.0.2\n    }"}},
		{"06-backup-groups.conf", []string{"state BACKUP", "mcast_src_ip 192.168.200.12"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cfg, err := ParseFile(filepath.Join(testdataDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(cfg, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			exp, err := Export(lvscf.Parse("lvs.cf", res.Data), ExportOptions{Backup: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(exp.Data), w) {
					t.Errorf("no %q in\n%s", w, exp.Data)
				}
			}
		})
	}
	// An lvs.cf without a backup has no backup's file.
	if _, err := Export(lvscf.Parse("lvs.cf", []byte(strings.NewReplacer("backup_active = 1", "backup_active = 0", "     %s\n", "").Replace(cfDR))), ExportOptions{Backup: true}); !errors.Is(err, ErrNoBackup) {
		t.Errorf("--for backup without a backup: %v", err)
	}
}
