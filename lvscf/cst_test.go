package lvscf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

const corpusDir = "../testdata/lvscf/corpus"

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.cf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s: %v", corpusDir, err)
	}
	return files
}

func TestRoundTripCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f := Parse(path, src)
			if got := f.Bytes(); !bytes.Equal(got, src) {
				t.Fatalf("round trip differs:\n%s", firstDiff(src, got))
			}
			if len(f.Diags) > 0 {
				t.Errorf("corpus file has syntax diagnostics:\n%s", FormatDiagnostics(f.Diags))
			}
		})
	}
}

// roundTripCases are inputs, valid or not, that must print back unchanged.
var roundTripCases = []struct {
	name, in string
}{
	{"empty", ""},
	{"only newline", "\n"},
	{"blanks only", "   \t  "},
	{"no final newline", "primary = 10.0.0.1\nservice = lvs"},
	{"crlf", "primary = 10.0.0.1\r\nvirtual a {\r\n     active = 1\r\n}\r\n"},
	{"mixed eol", "primary = 10.0.0.1\r\nservice = lvs\nbackup = 10.0.0.2\r\n"},
	{"bare cr", "primary = 10.0.0.1\rservice = lvs\n"},
	{"trailing spaces", "backup_active = 1 \t \nvirtual x { \n} \n"},
	{"tabs and spaces", "virtual x {\n\t  address = 1.2.3.4 eth0:1\n    \tserver y {\n\t\taddress = 1.2.3.5\n\t}\n}\n"},
	{"unclosed block", "virtual x {\n  active = 1\n  server y {\n"},
	{"stray brace", "}\n}\nprimary = 1.2.3.4\n"},
	{"unterminated quote", "virtual x {\n send = \"GET / \n}\n"},
	{"missing equals", "primary 10.0.0.1\nkeepalive=6\n"},
	{"inline comment", "primary = 10.0.0.1 # main\n"},
	{"odd bytes", "\x00prim\x01ary = \xff\xfe\n\x7f\n"},
	{"single quotes", "virtual x {\n expect = 'HTTP/1.1 200'\n}\n"},
	{"brace glued", "virtual x{\nserver y{}\n}\n"},
	{"comment variants", "#a\n   # b  \n\t#\tc\n"},
	{"deep nesting", "virtual a {\nvirtual b {\nserver c {\nserver d {\n}\n}\n}\n}\n"},
	{"quote at end", "send = \"\n"},
	{"lone cr eol", "\r"},
	{"crlf no final", "a = 1\r\nb = 2"},
}

func TestRoundTripCases(t *testing.T) {
	for _, tt := range roundTripCases {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.cf", []byte(tt.in))
			if got := string(f.Bytes()); got != tt.in {
				t.Fatalf("round trip:\n got %q\nwant %q", got, tt.in)
			}
		})
	}
}

func TestParseStructure(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(corpusDir, "06-piranha-upstream-sample.cf"))
	if err != nil {
		t.Fatal(err)
	}
	f := Parse("sample.cf", src)
	var got []string
	f.Root.Walk(func(b *Block) {
		if b.Kind != BlockRoot {
			got = append(got, fmt.Sprintf("%s:%s@%d", b.Kind, b.Name, b.Depth()))
		}
	})
	want := "virtual:server1@1 server:Real1@2 server:Real2@2 virtual:server2@1 server:Real1@2 server:Real2@2 failover:web1@1 failover:ftp@1"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("blocks:\n got %s\nwant %s", g, want)
	}
}

func TestParseDiagnostics(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // "line:col:code"
	}{
		{"clean", "primary = 1.2.3.4\nvirtual a {\n}\n", nil},
		{"unclosed", "virtual a {\n server b {\n }\n", []string{"1:1:unclosed-block"}},
		{"stray", "primary = 1.2.3.4\n}\n", []string{"2:1:stray-brace"}},
		{"close extra", "virtual a {\n} x\n", []string{"2:3:extra-args"}},
		{"missing equals", "primary 1.2.3.4\n", []string{"1:9:missing-equals"}},
		{"glued equals", "keepalive=6\n", []string{"1:1:missing-equals"}},
		{"bad quoting", "virtual a {\n send = \"GET\n}\n", []string{"2:9:bad-quoting"}},
		{"block syntax", "virtual {\n}\nvirtual a b {\n}\n", []string{"1:1:block-syntax", "3:1:block-syntax"}},
		{"glued brace", "virtual a{\n", []string{"1:9:block-syntax"}},
		{"unknown block", "frobnicate a {\n}\n", []string{"1:1:nested-block"}},
		{"server at top", "server a {\n}\n", []string{"1:1:nested-block"}},
		{"virtual in virtual", "virtual a {\n virtual b {\n }\n}\n", []string{"2:2:nested-block"}},
		{"long line", "# " + strings.Repeat("x", MaxLineLen) + "\n", []string{"1:1:line-too-long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.cf", []byte(tt.in))
			var got []string
			for _, d := range f.Diags {
				got = append(got, fmt.Sprintf("%d:%d:%s", d.Line, d.Col, d.Code))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("diagnostics:\n got %v\nwant %v", got, tt.want)
			}
			if string(f.Bytes()) != tt.in {
				t.Errorf("round trip failed")
			}
		})
	}
}

func TestLineAccessors(t *testing.T) {
	f := Parse("t.cf", []byte("virtual a {\n\taddress  =   10.0.0.1 eth0:1  \n send = \"GET / HTTP/1.0\\r\\n\"\n}\n"))
	v := f.Root.Blocks(BlockVirtual)[0]
	l := &f.Lines[v.Items[0].Line]
	if l.Key() != "address" || strings.Join(l.Values(), "|") != "10.0.0.1|eth0:1" || l.Indent() != "\t" || l.trailing() != "  " {
		t.Errorf("address line: key %q values %q indent %q trailing %q", l.Key(), l.Values(), l.Indent(), l.trailing())
	}
	if l.Col(2) != 15 {
		t.Errorf("Col(2) = %d, want 15", l.Col(2))
	}
	l = &f.Lines[v.Items[1].Line]
	if l.Value() != `GET / HTTP/1.0\r\n` || l.NumWords() != 3 {
		t.Errorf("send line: value %q words %d", l.Value(), l.NumWords())
	}
}

func TestOversizeInput(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxFileSize+1)
	f := Parse("big.cf", big)
	if len(f.Diags) != 1 || f.Diags[0].Code != "file-too-large" {
		t.Fatalf("diags = %v", f.Diags)
	}
	if !bytes.Equal(f.Bytes(), big) {
		t.Fatal("oversize input does not round-trip")
	}
	if ds := LintTree(f, LintOptions{}); len(ds) != 1 {
		t.Fatalf("lint of oversize input: %v", ds)
	}
}

// firstDiff describes where two byte slices first differ.
func firstDiff(want, got []byte) string {
	n := min(len(want), len(got))
	i := 0
	for i < n && want[i] == got[i] {
		i++
	}
	lo := max(0, i-20)
	return fmt.Sprintf("at byte %d: want %q, got %q", i, want[lo:min(len(want), i+20)], got[lo:min(len(got), i+20)])
}

// A running daemon keeps one Line per line of its file (reuse.go): a field
// added in the wrong place grows every one of them.
func TestLineSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are for 64-bit platforms")
	}
	if n := unsafe.Sizeof(Line{}); n != 56 {
		t.Errorf("a Line is %d bytes, want 56", n)
	}
}
