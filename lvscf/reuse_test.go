package lvscf

import (
	"fmt"
	"math/rand"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// sameTree fails unless got is the tree Parse built in want: the same
// lines in file order (text, ending, number, kind, words), the same blocks
// in the same places, the same diagnostics. A Loader's lines are not
// stored in file order, so lines are compared through the trees.
func sameTree(t *testing.T, got, want *File) {
	t.Helper()
	sameLine := func(gi, wi int, where string) {
		g, w := &got.Lines[gi], &want.Lines[wi]
		if g.Text != w.Text || g.eol != w.eol || g.Num != w.Num || g.Kind != w.Kind || g.wrapped != w.wrapped || g.indent != w.indent || !reflect.DeepEqual(g.toks, w.toks) {
			t.Fatalf("%s: line %+v, Parse has %+v", where, *g, *w)
		}
	}
	var walk func(g, w *Block, path string)
	walk = func(g, w *Block, path string) {
		if g.Kind != w.Kind || g.Name != w.Name || (g.Open < 0) != (w.Open < 0) || (g.Close < 0) != (w.Close < 0) || len(g.Items) != len(w.Items) {
			t.Fatalf("block %s: %v %q open %d close %d, %d items; Parse has %v %q open %d close %d, %d items",
				path, g.Kind, g.Name, g.Open, g.Close, len(g.Items), w.Kind, w.Name, w.Open, w.Close, len(w.Items))
		}
		if w.Open >= 0 {
			sameLine(g.Open, w.Open, path+" open")
		}
		if w.Close >= 0 {
			sameLine(g.Close, w.Close, path+" close")
		}
		for i := range w.Items {
			gi, wi := g.Items[i], w.Items[i]
			if (gi.Block == nil) != (wi.Block == nil) {
				t.Fatalf("block %s item %d: %+v, Parse has %+v", path, i, gi, wi)
			}
			if wi.Block == nil {
				sameLine(gi.Line, wi.Line, fmt.Sprintf("%s item %d", path, i))
				continue
			}
			if gi.Block.Parent != g {
				t.Fatalf("block %s item %d: wrong parent", path, i)
			}
			walk(gi.Block, wi.Block, fmt.Sprintf("%s/%d", path, i))
		}
	}
	walk(got.Root, want.Root, "root")
	if !reflect.DeepEqual(got.Diags, want.Diags) {
		t.Fatalf("parse diagnostics:\n%v\nParse has\n%v", got.Diags, want.Diags)
	}
}

// checkLoad loads src with ld and fails unless the result is exactly
// LintDecode(Parse(...))'s; it returns how many top-level blocks ld took
// from the version before.
func checkLoad(t *testing.T, ld *Loader, src string) int {
	t.Helper()
	f, cfg, diags := ld.load("lvs.cf", []byte(src))
	want := Parse("lvs.cf", []byte(src))
	wantCfg, wantDiags := LintDecode(want, ld.opts)
	if string(f.Bytes()) != src {
		t.Fatalf("the tree does not print back the file")
	}
	sameTree(t, f, want)
	if !reflect.DeepEqual(diags, wantDiags) {
		t.Fatalf("diagnostics:\n%s\nLintDecode has\n%s", FormatDiagnostics(diags), FormatDiagnostics(wantDiags))
	}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Fatalf("configuration:\n%+v\nLintDecode has\n%+v", cfg, wantCfg)
	}
	return ld.reused
}

// genFile is a random lvs.cf: globals, virtual servers with a variety of
// keys and real servers, comments, now and then a failover or bgp block.
func genFile(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("serial_no = 1\nprimary = 10.0.0.1\nservice = lvs\nbackup_active = 1\nbackup = 10.0.0.2\nheartbeat = 1\nnetwork = nat\nnat_router = 192.168.1.254 eth1:1\n")
	if r.Intn(3) == 0 {
		b.WriteString("# the farm\n\n")
	}
	nv := 2 + r.Intn(7)
	for v := 0; v < nv; v++ {
		fmt.Fprintf(&b, "virtual v%d {\n     active = 1\n     address = 10.1.0.%d eth0:%d\n     port = %d\n", v, v+1, v+1, 80+r.Intn(3))
		opts := []string{
			"     send = \"GET / HTTP/1.0\\r\\n\\r\\n\"\n", "     expect = \"HTTP\"\n", "     scheduler = wlc\n",
			"     scheduler = mh\n     sched_flags = mh-port\n", "     protocol = tcp\n", "     timeout = 6\n",
			"     reentry = 15\n", "     persistent = 300\n", "     # a comment\n", "\n", "     quiesce_server = 1\n",
			"     fwmark = 7\n     fwmark_match = tcp:80,443\n", "     load_monitor = none\n",
		}
		for k := r.Intn(4); k > 0; k-- {
			b.WriteString(opts[r.Intn(len(opts))])
		}
		for s := r.Intn(4); s > 0; s-- {
			fmt.Fprintf(&b, "     server s%d {\n         address = 192.168.1.%d\n         active = 1\n", s, 10*v+s)
			if r.Intn(2) == 0 {
				fmt.Fprintf(&b, "         weight = %d\n", r.Intn(5))
			}
			b.WriteString("     }\n")
		}
		if r.Intn(4) == 0 {
			b.WriteString("     port = 8080\n")
		}
		b.WriteString("}\n")
	}
	if r.Intn(4) == 0 {
		b.WriteString("failover f1 {\n     active = 1\n     address = 10.2.0.1 eth0:9\n     port = 25\n}\n")
	}
	if r.Intn(5) == 0 {
		b.WriteString("bgp {\n     local_as = 65001\n     neighbor 10.0.0.254 {\n         peer_as = 65000\n     }\n}\n")
	}
	return b.String()
}

// blockSpan returns the lines [i, j) of a top-level block starting at a
// line "virtual ..." or "failover ...", or ok false.
func blockSpan(lines []string, i int) (int, int, bool) {
	if !strings.HasPrefix(lines[i], "virtual ") && !strings.HasPrefix(lines[i], "failover ") {
		return 0, 0, false
	}
	for j := i + 1; j < len(lines); j++ {
		if strings.HasPrefix(lines[j], "}") {
			return i, j + 1, true
		}
	}
	return 0, 0, false
}

var insertions = []string{
	"         weight = 3\n", "# comment\n", "\n", "this is prose after a comment\n", "}\n", "virtual zz {\n",
	"     server new {\n", "     port = 81\n", "serial_no = 7\n", "\t\tactive = 1\r\n", "bgp {\n",
	"     scheduler = \"rr\" \n", "     address = 10.9.9.9\n", "server s1 {\n", "}}\n", "     weight = 2\n",
	"virtual v1 {\n", "director_mode = ecmp\n", "     nonsense = 1\n", "     active = 1 # on\n",
}

// mutate makes one random edit of src, of the kinds an admin or a broken
// editor makes: a value changed, lines added, removed, doubled, line ends
// changed, whole blocks moved, doubled or renamed.
func mutate(r *rand.Rand, src string) string {
	lines := strings.SplitAfter(src, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return insertions[r.Intn(len(insertions))]
	}
	i := r.Intn(len(lines))
	switch r.Intn(10) {
	case 0: // a value
		if k := strings.Index(lines[i], " = "); k >= 0 {
			vals := []string{"1", "2", "0", "x", "10.0.0.9", "", "1 2", "\"q\""}
			end := "\n"
			if !strings.HasSuffix(lines[i], "\n") {
				end = ""
			}
			lines[i] = lines[i][:k+3] + vals[r.Intn(len(vals))] + end
		}
	case 1, 2:
		lines = append(lines[:i], append([]string{insertions[r.Intn(len(insertions))]}, lines[i:]...)...)
	case 3:
		lines = append(lines[:i], lines[i+1:]...)
	case 4:
		lines = append(lines[:i], append([]string{lines[i]}, lines[i:]...)...)
	case 5: // a line end
		switch {
		case strings.HasSuffix(lines[i], "\r\n"):
			lines[i] = strings.TrimSuffix(lines[i], "\r\n") + "\n"
		case strings.HasSuffix(lines[i], "\n"):
			lines[i] = strings.TrimSuffix(lines[i], "\n") + "\r\n"
		default:
			lines[i] += "\n"
		}
	case 6: // the end of the file
		last := len(lines) - 1
		if strings.HasSuffix(lines[last], "\n") {
			lines[last] = strings.TrimSuffix(lines[last], "\n")
		} else {
			lines[last] += "x\n"
		}
	case 7, 8: // move or double a block
		for k := 0; k < len(lines); k++ {
			a, b, ok := blockSpan(lines, (i+k)%len(lines))
			if !ok {
				continue
			}
			block := append([]string(nil), lines[a:b]...)
			rest := lines
			if r.Intn(2) == 0 {
				rest = append(append([]string(nil), lines[:a]...), lines[b:]...)
			}
			at := r.Intn(len(rest) + 1)
			lines = append(append(append([]string(nil), rest[:at]...), block...), rest[at:]...)
			break
		}
	case 9: // rename
		if strings.HasPrefix(lines[i], "virtual ") || strings.HasPrefix(lines[i], "     server ") {
			lines[i] = strings.Replace(lines[i], " {", fmt.Sprintf("%d {", r.Intn(3)), 1)
		}
	}
	return strings.Join(lines, "")
}

// TestLoaderIsLintDecode: on random files and random edits of them, each
// loaded in turn, a Loader gives exactly what Parse and LintDecode give.
func TestLoaderIsLintDecode(t *testing.T) {
	for seed := int64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewSource(seed))
		opts := LintOptions{Piranha: seed%5 == 0}
		ld := NewLoader(opts)
		src := genFile(r)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			for step := 0; step < 12; step++ {
				checkLoad(t, ld, src)
				if t.Failed() {
					return
				}
				for n := 1 + r.Intn(3); n > 0; n-- {
					src = mutate(r, src)
				}
			}
		})
	}
}

// TestLoaderTakesUnchangedBlocks: one weight changed in a farm of 50
// virtual servers re-reads that one block alone, and only blocks that
// were clean are taken.
func TestLoaderTakesUnchangedBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString("serial_no = 1\nprimary = 10.0.0.1\nnetwork = direct\n")
	for v := 0; v < 50; v++ {
		fmt.Fprintf(&b, "virtual v%d {\n     active = 1\n     address = 10.1.0.%d eth0:%d\n     port = 80\n", v, v+1, v+1)
		for s := 0; s < 3; s++ {
			fmt.Fprintf(&b, "     server s%d {\n         address = 10.2.%d.%d\n         active = 1\n     }\n", s, v, s+1)
		}
		b.WriteString("}\n")
	}
	base := b.String()
	ld := NewLoader(LintOptions{})
	if n := checkLoad(t, ld, base); n != 0 {
		t.Fatalf("the first load took %d blocks from nowhere", n)
	}
	oneWeight := strings.Replace(base, "         address = 10.2.25.2\n", "         address = 10.2.25.2\n         weight = 2\n", 1)
	if n := checkLoad(t, ld, oneWeight); n != 49 {
		t.Errorf("one weight added: %d blocks taken, want 49", n)
	}
	// A warning in a block (a key set twice) makes its meaning be
	// decoded again each time: the message names a line number, which may
	// have moved (checkLoad compares the messages).
	dup := strings.Replace(oneWeight, "     port = 80\n", "     port = 80\n     port = 80\n", 1)
	if n := checkLoad(t, ld, dup); n != 49 {
		t.Errorf("a key doubled in the first block: %d blocks taken, want 49", n)
	}
	if n := checkLoad(t, ld, "# moved\n"+dup); n != 50 {
		t.Errorf("a line added on top: %d blocks taken, want 50", n)
	}
	// A syntax error in a block (a line with no '=') makes it be read
	// again each time.
	bad := strings.Replace(dup, "     port = 80\n", "     port 80\n", 1)
	if n := checkLoad(t, ld, bad); n != 49 {
		t.Errorf("a syntax error in the first block: %d blocks taken, want 49", n)
	}
	if n := checkLoad(t, ld, "\n"+bad); n != 49 {
		t.Errorf("a line added on top: %d blocks taken, want 49 (the block with the error parsed again)", n)
	}
}

// TestLoaderDoesNotPileUpVersions: a daemon reloading for months,
// each time a different server changed, keeps about one version, not a
// piece of every version (a version's new lines cut from its whole text,
// or from shared slabs, would keep each of them whole).
func TestLoaderDoesNotPileUpVersions(t *testing.T) {
	const nv = 400
	weight := make([]int, nv) // server s1's weight in each virtual; 0: no weight line
	gen := func(serial int) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, "serial_no = %d\nprimary = 10.0.0.1\nnetwork = direct\n", serial)
		for v := 0; v < nv; v++ {
			fmt.Fprintf(&b, "virtual v%d {\n     active = 1\n     address = 10.1.%d.%d eth0:%d\n     port = 80\n", v, v/250, v%250+1, v+1)
			for s := 0; s < 3; s++ {
				fmt.Fprintf(&b, "     server s%d {\n         address = 10.2.%d.%d\n         active = 1\n", s, v/50, v%50*3+s+1)
				if s == 1 && weight[v] > 0 {
					fmt.Fprintf(&b, "         weight = %d\n", weight[v])
				}
				b.WriteString("     }\n")
			}
			b.WriteString("}\n")
		}
		return []byte(b.String())
	}
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	ld := NewLoader(LintOptions{})
	h0 := heap()
	if cfg, diags := ld.Load("lvs.cf", gen(1)); cfg == nil {
		t.Fatalf("the farm does not load:\n%s", FormatDiagnostics(diags))
	}
	one := heap() - h0
	runtime.KeepAlive(ld)
	whole := 0
	for i := 0; i < 3*nv; i++ {
		// Another server's weight each time, which stays; serial_no
		// bumped too. After a round every block is of another version.
		weight[i%nv] = 2 + i/nv
		cfg, _ := ld.Load("lvs.cf", gen(i+2))
		switch {
		case cfg == nil:
			t.Fatalf("load %d: refused", i)
		case ld.reused == 0:
			whole++
		case ld.reused < nv-1:
			t.Fatalf("load %d: %d blocks taken", i, ld.reused)
		}
	}
	after := heap() - h0
	runtime.KeepAlive(ld) // measured with what it holds
	if after > 3*one {
		t.Errorf("the loader holds %d KB after %d loads, %d KB after the first: versions pile up", after>>10, 3*nv, one>>10)
	}
	// The lines of replaced blocks (and the global lines, read each
	// time) are left behind; now and then the whole file is read again.
	if whole == 0 || whole > 3*nv/100 {
		t.Errorf("the whole file was read again %d times in %d loads", whole, 3*nv)
	}
}

// FuzzLoader: loading a, then b, then a again with one Loader gives what
// Parse and LintDecode give for each.
func FuzzLoader(f *testing.F) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 8; i++ {
		a := genFile(r)
		f.Add([]byte(a), []byte(mutate(r, a)))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ld := NewLoader(LintOptions{})
		checkLoad(t, ld, string(a))
		checkLoad(t, ld, string(b))
		checkLoad(t, ld, string(a))
		checkLoad(t, ld, string(b))
	})
}

// TestAppendVirtualFields: AppendVirtualFields writes exactly the lines
// EachVirtualFieldParts lists, on random files and their edits, the
// corpus, and names the path syntax must quote.
func TestAppendVirtualFields(t *testing.T) {
	check := func(cfg *Config) {
		t.Helper()
		for i := range cfg.Virtuals {
			v := &cfg.Virtuals[i]
			var want []byte
			EachVirtualFieldParts(v, func(prefix, key, value string) {
				want = append(append(append(append(append(want, prefix...), key...), '='), value...), '\n')
			})
			if got := AppendVirtualFields([]byte("x"), v); string(got) != "x"+string(want) {
				t.Fatalf("virtual %q:\n%s\nEachVirtualFieldParts:\n%s", v.Name, got, want)
			}
		}
	}
	r := rand.New(rand.NewSource(3))
	for range 200 {
		src := genFile(r)
		for range 4 {
			src = mutate(r, src)
		}
		cfg, _ := Decode(Parse("t.cf", []byte(src)))
		check(cfg)
	}
	for _, path := range corpusFiles(t) {
		if cfg, err := DecodeFile(path); err == nil {
			check(cfg)
		}
	}
	cfg, _ := Decode(Parse("t.cf", []byte("virtual a.b {\n address = 10.0.0.1 eth0:1\n server x.y {\n address = 10.0.0.2\n }\n}\n"+
		"virtual c {\n address = 10.0.0.3\n fwmark_match = tcp:80\n sched_flags = mh-port\n announce = 1\n server s[1] {\n address = 10.0.0.4\n }\n server s[1] {\n }\n}\n")))
	check(cfg)
	var many strings.Builder
	many.WriteString("virtual m {\n address = 10.0.0.5 eth0:2\n")
	for i := range 40 {
		fmt.Fprintf(&many, " server s%d {\n address = 10.0.1.%d\n weight = %d\n }\n", i%30, i+1, i)
	}
	many.WriteString("}\n")
	cfg, _ = Decode(Parse("t.cf", []byte(many.String())))
	check(cfg)
}
