package lvscf

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// generate writes a configuration with nv virtual servers of ns real
// servers each, in piranha's GUI layout.
func generate(nv, ns int) []byte {
	var b bytes.Buffer
	b.WriteString("serial_no = 1\nprimary = 10.255.0.1\nservice = lvs\nbackup_active = 1\nbackup = 10.255.0.2\n" +
		"heartbeat = 1\nheartbeat_port = 539\nkeepalive = 6\ndeadtime = 18\nnetwork = direct\ndebug_level = NONE\n")
	for v := 0; v < nv; v++ {
		fmt.Fprintf(&b, "virtual vs%d {\n     active = 1\n     address = 10.%d.%d.%d eth%d:%d\n     vip_nmask = 255.255.255.0\n",
			v, 100+v>>16, v>>8&255, v&255, v/1000, v%1000)
		b.WriteString("     port = 80\n     send = \"GET / HTTP/1.0\\r\\n\\r\\n\"\n     expect = \"HTTP\"\n     use_regex = 0\n" +
			"     load_monitor = none\n     scheduler = wlc\n     protocol = tcp\n     timeout = 6\n     reentry = 15\n     quiesce_server = 0\n")
		for s := 0; s < ns; s++ {
			fmt.Fprintf(&b, "     server rs%d {\n         address = 172.16.%d.%d\n         active = 1\n         weight = 1\n     }\n",
				s, s, v&255)
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

func TestGeneratedIsClean(t *testing.T) {
	src := generate(2000, 3)
	if ds := Lint("gen.cf", src, LintOptions{}); len(ds) > 0 {
		t.Fatalf("generated config:\n%s", FormatDiagnostics(ds[:min(len(ds), 10)]))
	}
}

// BenchmarkParseLint10kx10 parses and lints a configuration with 10,000
// virtual servers of 10 real servers each (about 15 MB).
func BenchmarkParseLint10kx10(b *testing.B) {
	src := generate(10000, 10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ds := Lint("gen.cf", src, LintOptions{}); len(ds) != 0 {
			b.Fatalf("unexpected diagnostics: %v", ds[0])
		}
	}
}

func BenchmarkParse10kx10(b *testing.B) {
	src := generate(10000, 10)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse("gen.cf", src)
	}
}

// TestBoundedMemory feeds big inputs to the linter: 100 MB (over the size
// cap: refused after one copy), one 30 MB line (over MaxLineLen: kept but
// not tokenized), and 30 MB of repeated keys in one block (parsed in full;
// diagnostics are capped and key lookups indexed, so it stays linear).
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates hundreds of MB")
	}
	cases := []struct {
		name   string
		src    []byte
		code   string
		factor uint64 // allowed allocation, in multiples of the input size
	}{
		{"100MB of lines", bytes.Repeat([]byte("keepalive = 6\n"), 100<<20/14), "file-too-large", 2},
		{"one 30MB line", append(bytes.Repeat([]byte("x"), 30<<20), '\n'), "line-too-long", 2},
		{"30MB of duplicate keys", bytes.Repeat([]byte("keepalive = 6\n"), 30<<20/14), "too-many-diagnostics", 16},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			ds := Lint("big.cf", tt.src, LintOptions{})
			runtime.ReadMemStats(&after)
			if !hasCode(ds, tt.code) {
				t.Fatalf("want %s, got %v", tt.code, ds[:min(3, len(ds))])
			}
			if len(ds) > MaxDiagnostics+1 {
				t.Errorf("%d diagnostics, want at most %d", len(ds), MaxDiagnostics+1)
			}
			grown := after.TotalAlloc - before.TotalAlloc
			if limit := tt.factor * uint64(len(tt.src)); grown > limit {
				t.Errorf("allocated %d MB for a %d MB input (limit %d MB)", grown>>20, len(tt.src)>>20, limit>>20)
			}
			t.Logf("allocated %d MB for a %d MB input", grown>>20, len(tt.src)>>20)
		})
	}
}

// BenchmarkLoader is a daemon's reload of 2,000 virtual servers of 5 real
// servers, one weight changed (a line added) each time, against the
// whole file parsed, linted and decoded again.
func BenchmarkLoader(b *testing.B) {
	base := generate(2000, 5)
	one := bytes.Replace(base, []byte("     server rs2 {\n         address = 172.16.2.232\n"), []byte("     server rs2 {\n         address = 172.16.2.232\n         weight = 2\n"), 1)
	if bytes.Equal(one, base) {
		b.Fatal("no server changed")
	}
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			src := base
			if i%2 == 0 {
				src = one
			}
			if cfg, _ := LintDecode(Parse("gen.cf", src), LintOptions{}); cfg == nil {
				b.Fatal("errors")
			}
		}
	})
	b.Run("loader", func(b *testing.B) {
		ld := NewLoader(LintOptions{})
		ld.Load("gen.cf", base)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			src := base
			if i%2 == 0 {
				src = one
			}
			if cfg, _ := ld.Load("gen.cf", src); cfg == nil || ld.reused != 1999 {
				b.Fatalf("errors, or %d blocks taken", ld.reused)
			}
		}
	})
}
