package keepalived

import (
	"errors"
	"strings"
	"testing"
)

// dump prints a tree as "key args {children}" for comparisons.
func dump(nodes []*Node) string {
	var b strings.Builder
	for i, n := range nodes {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n.Key)
		for _, a := range n.Args {
			b.WriteString(" " + a)
		}
		if n.HasBlock {
			b.WriteString(" {" + dump(n.Children) + "}")
		}
		b.WriteString("@" + n.Pos.String())
	}
	return b.String()
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"statement", "delay_loop 6\n", "delay_loop 6@k:1"},
		{"block", "a {\n b 1\n}\n", "a {b 1@k:2}@k:1"},
		{"comments anywhere", "! c\na 1 # x\nb 2 ! y\n# z\n", "a 1@k:2; b 2@k:3"},
		{"quoted", `misc_path "/bin/chk 10.0.0.1 '# not a comment'"` + "\n", "misc_path /bin/chk 10.0.0.1 '# not a comment'@k:1"},
		{"adjacent quoted parts", `x 'ab"c d" e'f` + "\n", `x ab"c d" ef@k:1`},
		{"escapes in quotes", `x "a\"b\\c\td"` + "\n", "x a\"b\\c\td@k:1"},
		{"quoted brace is a word", `x "{" '}'` + "\n", "x { }@k:1"},
		{"braces without blanks", "url{path /}\n", "url {path /@k:1}@k:1"},
		{"block on the next line", "vs 1 80\n{\n weight 2\n}\n", "vs 1 80 {weight 2@k:3}@k:1"},
		{"one-line blocks", "a { b { c } }\n", "a {b {c@k:1}@k:1}@k:1"},
		{"crlf", "a 1\r\nb {\r\n}\r\n", "a 1@k:1; b {}@k:2"},
		{"no final newline", "a 1", "a 1@k:1"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("k", []byte(tc.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(cfg.Nodes); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unclosed", "a {\n b 1\n", "k:1: unclosed '{'"},
		{"stray brace", "a 1\n}\n", "k:2: unexpected '}'"},
		{"unterminated quote", "a \"b\n", "k:1: unterminated quoted string"},
		{"brace without statement", "{\n}\n", "k:1: unexpected '{'"},
		{"deep nesting", strings.Repeat("a {\n", MaxNesting+2) + strings.Repeat("}\n", MaxNesting+2), "blocks nested deeper than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("k", []byte(tc.src), Options{})
			var el ErrorList
			if !errors.As(err, &el) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestInclude(t *testing.T) {
	fs := MapFS{
		"/etc/k/main.conf":      "a 1\ninclude conf.d/*.conf\ninclude 'other/{x,y}.conf' # braces\nz 9\n",
		"/etc/k/conf.d/1.conf":  "b {\n",
		"/etc/k/conf.d/2.conf":  "}\n",
		"/etc/k/other/x.conf":   "x 1\ninclude ../leaf.conf\n",
		"/etc/k/other/y.conf":   "y 1\n",
		"/etc/k/leaf.conf":      "leaf 1\n",
		"/etc/k/loop.conf":      "include loop2.conf\n",
		"/etc/k/loop2.conf":     "include /etc/k/loop.conf\n",
		"/etc/k/missing.conf":   "include nothing/*.conf\n",
		"/etc/k/self-glob.conf": "include *.conf\n",
	}
	cfg, err := Parse("/etc/k/main.conf", []byte(fs["/etc/k/main.conf"]), Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	// A block may span files: includes splice tokens in place.
	want := "a 1@/etc/k/main.conf:1; b {}@/etc/k/conf.d/1.conf:1; x 1@/etc/k/other/x.conf:1; leaf 1@/etc/k/leaf.conf:1; y 1@/etc/k/other/y.conf:1; z 9@/etc/k/main.conf:4"
	if got := dump(cfg.Nodes); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(cfg.Files) != 6 {
		t.Errorf("files %v", cfg.Files)
	}
	for _, tc := range []struct{ file, want string }{
		{"/etc/k/loop.conf", "include loop"},
		{"/etc/k/self-glob.conf", "include loop"},
	} {
		_, err := Parse(tc.file, []byte(fs[tc.file]), Options{FS: fs})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.file, err, tc.want)
		}
	}
	cfg, err = Parse("/etc/k/missing.conf", []byte(fs["/etc/k/missing.conf"]), Options{FS: fs})
	if err != nil || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].String(), "/etc/k/missing.conf:1: include: /etc/k/nothing/*.conf matches no file") {
		t.Errorf("missing include: %v %v", err, cfg.Warnings)
	}
	cfg, _ = Parse("k", []byte("include x.conf\n"), Options{})
	if len(cfg.Warnings) != 1 {
		t.Errorf("include without FS: %v", cfg.Warnings)
	}
}

func TestExpandBraces(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a.conf", "a.conf"},
		{"{a,b}.conf", "a.conf b.conf"},
		{"d/{x,y/{1,2}}/f", "d/x/f d/y/1/f d/y/2/f"},
		{"{,cat,dog}", " cat dog"},
		{"a{b", "a{b"},
	} {
		if got := strings.Join(expandBraces(tc.in), " "); got != tc.want {
			t.Errorf("expandBraces(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len(expandBraces(strings.Repeat("{a,b}", 20))); n > maxBraceExpansions {
		t.Errorf("%d expansions", n)
	}
}
