package keepalived

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

// FuzzParse: no input makes the parser, the importer or the exporter
// panic; every successful import lints without errors (but for its
// placeholders), has every warning located, and exports (as the
// primary's and the backup's file) to keepalived syntax that parses
// again. Includes go to an in-memory file system that includes itself and
// a second file.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(testdataDir, "*.conf"))
	more, _ := filepath.Glob(filepath.Join(testdataDir, "conf.d", "*.conf"))
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "{", "}", "a {", "\"", "'a", "a{b{c{d}}}", "include *", "include {a,b}/{c,d}",
		"virtual_server fwmark 0 {\n}", "virtual_server group G {\nreal_server 1.2.3.4 {\nMISC_CHECK {\n}\n}\n}",
		"vrrp_instance V {\nvirtual_ipaddress {\n1.2.3.4/33\n::1/128 dev\n}\nunicast_peer {\nx\n}\n}",
		vs("real_server 10.0.2.1 8080 {\nHTTP_GET {\nurl {\nstatus_code 100-599 200\npath \"/a b\"\n}\n}\n}"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := MapFS{"/k/main.conf": string(src), "/k/other.conf": "virtual_server 10.1.1.1 80 {\n}\n"}
		cfg, err := Parse("/k/main.conf", src, Options{FS: fs})
		if err != nil {
			return
		}
		res, err := Import(cfg, ImportOptions{})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		checkLocated(t, res.Warnings)
		if d := LintResult(res.Data); lvscf.HasErrors(d) {
			t.Fatalf("import does not lint:\n%s\n%s", lvscf.FormatDiagnostics(d), res.Data)
		}
		for _, opts := range []ExportOptions{{}, {Backup: true}} {
			exp, err := Export(lvscf.Parse("lvs.cf", res.Data), opts)
			if opts.Backup && errors.Is(err, ErrNoBackup) {
				continue
			}
			if err != nil {
				t.Fatalf("export %+v: %v", opts, err)
			}
			if _, err := Parse("out", exp.Data, Options{}); err != nil {
				t.Fatalf("export does not parse: %v\n%s", err, exp.Data)
			}
		}
	})
}
