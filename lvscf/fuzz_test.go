package lvscf

import (
	"bytes"
	"os"
	"testing"
)

// addSeeds gives the fuzzers the corpus, the round-trip cases and the lint
// golden inputs as a starting point.
func addSeeds(f *testing.F) {
	for _, path := range corpusFiles(f) {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	for _, tt := range roundTripCases {
		f.Add([]byte(tt.in))
	}
	f.Add([]byte(baseline))
}

// FuzzParse checks that no input makes the parser, the decoder, the linter,
// the formatter or the renderer panic.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		tree := Parse("fuzz.cf", src)
		for _, d := range LintTree(tree, LintOptions{Piranha: true}) {
			if d.Line < 1 || d.Col < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
		cfg, _ := Decode(tree)
		_, _ = Render(cfg)
		Format(tree)
		Flatten(cfg)
	})
}

// FuzzRoundTrip checks print(parse(x)) == x, that parsing the printed text
// again gives the same tree, and that Format is idempotent and keeps every
// non-blank line's words.
func FuzzRoundTrip(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		tree := Parse("fuzz.cf", src)
		out := tree.Bytes()
		if !bytes.Equal(out, src) {
			t.Fatalf("round trip: %s", firstDiff(src, out))
		}
		again := Parse("fuzz.cf", out)
		if len(again.Diags) != len(tree.Diags) || !sameShape(tree, again) {
			t.Fatalf("parse-print-parse is not stable")
		}
		if HasErrors(tree.Diags) {
			return
		}
		f1 := Format(tree)
		f2 := Format(Parse("fuzz.cf", f1))
		if !bytes.Equal(f1, f2) {
			t.Fatalf("format is not idempotent: %s", firstDiff(f1, f2))
		}
	})
}

func sameShape(a, b *File) bool {
	var sa, sb []string
	a.forEachLine(a.Root, func(i int) { sa = append(sa, string(rune('0'+a.Lines[i].Kind))+a.Lines[i].Text) })
	b.forEachLine(b.Root, func(i int) { sb = append(sb, string(rune('0'+b.Lines[i].Kind))+b.Lines[i].Text) })
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if sa[i] != sb[i] {
			return false
		}
	}
	return true
}

// FuzzEdit checks that Set on any parseable input either fails and leaves
// the file alone, or changes the file into one that still parses and
// returns the value.
func FuzzEdit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		tree := Parse("fuzz.cf", src)
		if HasErrors(tree.Diags) {
			return
		}
		for _, p := range []string{"keepalive", "virtual.a.port"} {
			before := tree.Bytes()
			if err := tree.Set(p, "7"); err != nil {
				if !bytes.Equal(before, tree.Bytes()) {
					t.Fatalf("failed Set %s changed the file", p)
				}
				continue
			}
			again := Parse("fuzz.cf", tree.Bytes())
			if got, err := again.Get(p); err != nil || got != "7" {
				t.Fatalf("Get %s after Set = %q, %v\n%q", p, got, err, tree.Bytes())
			}
		}
	})
}
