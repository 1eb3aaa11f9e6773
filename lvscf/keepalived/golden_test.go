package keepalived

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/keepalived")

const testdataDir = "../../testdata/keepalived"

// TestGolden converts every testdata/keepalived/*.conf and compares with
//
//	NAME.lvs.cf.golden      the imported lvs.cf
//	NAME.import.golden      the import warnings
//	NAME.keepalived.golden  that lvs.cf exported back to keepalived.conf
//
// It also checks that the import lints clean (but for placeholders);
// TestRoundTrip checks export and the round trip on the same files.
func TestGolden(t *testing.T) {
	t.Chdir(testdataDir) // so that messages name files as the user would
	files, err := filepath.Glob("*.conf")
	if err != nil || len(files) < 4 {
		t.Fatalf("testdata: %v %v", files, err)
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(name, ".conf")
			cfg, err := ParseFile(name)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(cfg, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d := LintResult(res.Data); lvscf.HasErrors(d) {
				t.Errorf("lint:\n%s", lvscf.FormatDiagnostics(d))
			}
			golden(t, base+".lvs.cf.golden", res.Data)
			golden(t, base+".import.golden", warningText(res.Warnings))

			exp, err := Export(lvscf.Parse("lvs.cf", res.Data), ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, base+".keepalived.golden", exp.Data)
			// The round trip and export losses: TestRoundTrip.
		})
	}
}

func warningText(ws []Warning) []byte {
	var b bytes.Buffer
	for _, w := range ws {
		b.WriteString(w.String() + "\n")
	}
	return b.Bytes()
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestCorpusCopy: the seed file must stay byte-identical to the shared
// corpus it was copied from.
func TestCorpusCopy(t *testing.T) {
	const shared = "/work/shared/corpus/keepalived/01-seed-keepalived-dr.conf"
	want, err := os.ReadFile(shared)
	if err != nil {
		t.Skip("shared corpus not available")
	}
	got, err := os.ReadFile(filepath.Join(testdataDir, "01-seed-keepalived-dr.conf"))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("testdata copy differs from %s (%v)", shared, err)
	}
}
