package lvscf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusGolden pins what lint, render and fmt make of every real file
// (and holds the typed table builder to the render goldens) in
// testdata/lvscf/corpus (goldens in testdata/lvscf/golden, -update to
// rewrite them).
func TestCorpusGolden(t *testing.T) {
	for _, path := range corpusFiles(t) {
		base := strings.TrimSuffix(filepath.Base(path), ".cf")
		t.Run(base, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("../testdata/lvscf/golden", base)
			checkGolden(t, golden+".lint", FormatDiagnostics(Lint(base+".cf", src, LintOptions{})))
			checkGolden(t, golden+".piranha.lint", FormatDiagnostics(Lint(base+".cf", src, LintOptions{Piranha: true})))

			cfg, diags := Decode(Parse(base, src))
			if HasErrors(diags) {
				t.Fatalf("corpus file does not decode:\n%s", FormatDiagnostics(diags))
			}
			rules, err := Render(cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, golden+".render", strings.Join(rules, "\n")+"\n")
			if g, err := os.ReadFile(golden + ".render"); err == nil {
				checkBuildMatchesRules(t, cfg, string(g))
			}

			var flat strings.Builder
			for _, fl := range Flatten(cfg) {
				flat.WriteString(fl.Path + " = " + fl.Value + "\n")
			}
			checkGolden(t, golden+".flat", flat.String())

			out, err := FormatSource(base, src)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, golden+".fmt", string(out))
			// Formatting is idempotent and keeps the meaning.
			again, err := FormatSource(base, out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("format is not idempotent: %v\n%s", err, firstDiff(out, again))
			}
			cfg2, _ := Decode(Parse(base, out))
			if ch := Diff(cfg, cfg2); len(ch) > 0 {
				t.Errorf("format changed the meaning: %v", ch)
			}
		})
	}
}
