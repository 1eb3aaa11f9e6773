package lvscf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want Path
		err  bool
	}{
		{in: "primary", want: Path{Kind: BlockRoot, Key: "primary"}},
		{in: "virtual.www", want: Path{Kind: BlockVirtual, Block: "www"}},
		{in: "virtual.www.port", want: Path{Kind: BlockVirtual, Block: "www", Key: "port"}},
		{in: "virtual.www.server.web1", want: Path{Kind: BlockServer, Block: "www", Server: "web1"}},
		{in: "virtual.www.server.web1.weight", want: Path{Kind: BlockServer, Block: "www", Server: "web1", Key: "weight"}},
		{in: "failover.ftp.active", want: Path{Kind: BlockFailover, Block: "ftp", Key: "active"}},
		{in: "virtual.[www.example.com].server.[10.0.0.1].weight", want: Path{Kind: BlockServer, Block: "www.example.com", Server: "10.0.0.1", Key: "weight"}},
		{in: "virtual[a.b].port", want: Path{Kind: BlockVirtual, Block: "a.b", Key: "port"}},
		{in: "virtual.a.server[b.c]", want: Path{Kind: BlockServer, Block: "a", Server: "b.c"}},
		{in: "", err: true},
		{in: "virtual", err: true},
		{in: "virtual..port", err: true},
		{in: "virtual.[www", err: true},
		{in: "primary.x", err: true},
		{in: "server.a", err: true},
		{in: "virtual.a.server", err: true},
		{in: "virtual.a.port.x", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if tt.err {
				if err == nil || !errors.Is(err, ErrPath) {
					t.Fatalf("ParsePath(%q) = %+v, %v; want ErrPath", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePath(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			back, err := ParsePath(got.String())
			if err != nil || back != got {
				t.Errorf("String() = %q does not parse back: %+v %v", got.String(), back, err)
			}
		})
	}
}

func readCorpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changedLines returns the lines that differ between a and b, which must
// have the same number of lines.
func lineDiff(a, b string) (removed, added []string) {
	al, bl := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	seen := map[string]int{}
	for _, l := range al {
		seen[l]++
	}
	for _, l := range bl {
		if seen[l] > 0 {
			seen[l]--
		} else {
			added = append(added, l)
		}
	}
	for l, n := range seen {
		for ; n > 0; n-- {
			removed = append(removed, l)
		}
	}
	return removed, added
}

func TestSetGet(t *testing.T) {
	src := readCorpus(t, "01-seed-rhel5-apache-ftp.cf")
	tests := []struct {
		path, value    string
		removed, added string // the only changed lines
		getBack        string
	}{
		{"primary", "192.168.56.111", "primary = 192.168.56.101\n", "primary = 192.168.56.111\n", "192.168.56.111"},
		{"virtual.Apache.port", "8080", "     port = 80\n", "     port = 8080\n", "8080"},
		{"virtual.Apache.server.Apache_realserver2.weight", "5", "         weight = 1\n", "         weight = 5\n", "5"},
		{"virtual.FTP.send", `QUIT\r\n`, "     send = \"quit\"\n", "     send = \"QUIT\\r\\n\"\n", `QUIT\r\n`},
		{"virtual.Apache.address", "192.168.56.150 eth0:3", "     address = 192.168.56.100 eth0:1\n", "     address = 192.168.56.150 eth0:3\n", "192.168.56.150 eth0:3"},
		// new keys: after the block's last key, before the servers
		{"virtual.Apache.persistent", "300", "", "     persistent = 300\n", "300"},
		{"virtual.Apache.server.Apache_realserver1.port", "8080", "", "         port = 8080\n", "8080"},
		{"tcp_timeout", "900", "", "tcp_timeout = 900\n", "900"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f := Parse("lvs.cf", src)
			if err := f.Set(tt.path, tt.value); err != nil {
				t.Fatal(err)
			}
			out := string(f.Bytes())
			removed, added := lineDiff(string(src), out)
			if strings.Join(removed, "") != tt.removed || strings.Join(added, "") != tt.added {
				t.Errorf("Set changed:\n removed %q\n added %q\nwant removed %q added %q", removed, added, tt.removed, tt.added)
			}
			if tt.removed != "" && strings.Count(out, "\n") != strings.Count(string(src), "\n") {
				t.Errorf("line count changed")
			}
			got, err := Parse("lvs.cf", []byte(out)).Get(tt.path)
			if err != nil || got != tt.getBack {
				t.Errorf("Get after Set = %q, %v; want %q", got, err, tt.getBack)
			}
			if ds := Lint("lvs.cf", []byte(out), LintOptions{}); HasErrors(ds) {
				t.Errorf("edited file has errors:\n%s", FormatDiagnostics(ds))
			}
		})
	}
}

func TestSetPlacement(t *testing.T) {
	src := "primary = 10.0.0.1\n\nvirtual www {\n\tactive = 1\n\tserver a {\n\t\taddress = 10.0.1.1\n\t}\n}\n"
	f := Parse("t.cf", []byte(src))
	for _, kv := range [][2]string{{"virtual.www.port", "443"}, {"backup", "10.0.0.2"}, {"virtual.www.server.a.weight", "3"}} {
		if err := f.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	want := "primary = 10.0.0.1\nbackup = 10.0.0.2\n\nvirtual www {\n\tactive = 1\n\tport = 443\n\tserver a {\n\t\taddress = 10.0.1.1\n\t\tweight = 3\n\t}\n}\n"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestSetKeepsSpacingAndEOL(t *testing.T) {
	tests := []struct{ name, in, path, value, want string }{
		{"crlf", "a = 1\r\nkeepalive  =\t6 \r\n", "keepalive", "3", "a = 1\r\nkeepalive  =\t3 \r\n"},
		{"crlf new line", "primary = 1.1.1.1\r\n", "backup", "1.1.1.2", "primary = 1.1.1.1\r\nbackup = 1.1.1.2\r\n"},
		{"no final newline", "primary = 1.1.1.1", "backup", "1.1.1.2", "primary = 1.1.1.1\nbackup = 1.1.1.2"},
		{"no final newline replace", "primary = 1.1.1.1", "primary", "1.1.1.3", "primary = 1.1.1.3"},
		{"empty value", "primary =\n", "primary", "1.1.1.3", "primary = 1.1.1.3\n"},
		{"duplicate: last wins", "backup_active = 0\nbackup_active = 0\n", "backup_active", "1", "backup_active = 0\nbackup_active = 1\n"},
		{"empty file", "", "primary", "1.1.1.1", "primary = 1.1.1.1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.cf", []byte(tt.in))
			if err := f.Set(tt.path, tt.value); err != nil {
				t.Fatal(err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSetRejects(t *testing.T) {
	src := readCorpus(t, "01-seed-rhel5-apache-ftp.cf")
	tests := []struct {
		path, value string
		err         error
	}{
		{"primary", "not an ip!", ErrInvalidValue},
		{"keepalive", "soon", ErrInvalidValue},
		{"virtual.Apache.address", "192.168.56.100", ErrInvalidValue},
		{"virtual.Apache.protocol", "sctp", ErrInvalidValue},
		{"virtual.Apache.active", "2", ErrInvalidValue},
		{"virtual.Apache.prot", "80", ErrInvalidValue},
		{"virtual.Apache.server.Apache_realserver1.address", "10.0.0.1 eth0", ErrInvalidValue},
		{"virtual.Apache.send", `say "hi"`, ErrInvalidValue},
		{"virtual.Nope.port", "80", ErrNotFound},
		{"virtual.Apache.server.nope.weight", "1", ErrNotFound},
		{"virtual.Apache", "1", ErrPath},
	}
	for _, tt := range tests {
		t.Run(tt.path+"="+tt.value, func(t *testing.T) {
			f := Parse("lvs.cf", src)
			err := f.Set(tt.path, tt.value)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Set = %v, want %v", err, tt.err)
			}
			if string(f.Bytes()) != string(src) {
				t.Errorf("failed Set changed the file")
			}
		})
	}
}

func TestAddDelete(t *testing.T) {
	src := readCorpus(t, "01-seed-rhel5-apache-ftp.cf")
	f := Parse("lvs.cf", src)
	steps := []struct {
		op, path, value string
	}{
		{"add", "virtual.SMTP", ""},
		{"set", "virtual.SMTP.active", "1"},
		{"set", "virtual.SMTP.address", "192.168.56.201 eth0:3"},
		{"set", "virtual.SMTP.port", "25"},
		{"add", "virtual.SMTP.server.mx1", ""},
		{"set", "virtual.SMTP.server.mx1.address", "192.168.56.105"},
		{"set", "virtual.SMTP.server.mx1.active", "1"},
		{"delete", "virtual.Apache.server.Apache_realserver2", ""},
		{"delete", "virtual.FTP.persistent", ""},
	}
	for _, s := range steps {
		var err error
		switch s.op {
		case "add":
			err = f.Add(s.path)
		case "set":
			err = f.Set(s.path, s.value)
		case "delete":
			err = f.Delete(s.path)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", s.op, s.path, err)
		}
	}
	out := string(f.Bytes())
	wantTail := "virtual SMTP {\n     active = 1\n     address = 192.168.56.201 eth0:3\n     port = 25\n     server mx1 {\n         address = 192.168.56.105\n         active = 1\n     }\n}\n"
	if !strings.HasSuffix(out, wantTail) {
		t.Errorf("new block:\n%s", out[strings.Index(out, "virtual SMTP"):])
	}
	if strings.Contains(out, "Apache_realserver2") || strings.Contains(out, "persistent") {
		t.Errorf("delete left lines behind:\n%s", out)
	}
	if err := f.Add("virtual.SMTP"); !errors.Is(err, ErrExists) {
		t.Errorf("second Add = %v, want ErrExists", err)
	}
	if err := f.Delete("virtual.SMTP.fwmark"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a missing key = %v, want ErrNotFound", err)
	}
	if err := f.Add("virtual.Nope.server.x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Add under a missing virtual = %v, want ErrNotFound", err)
	}
	cfg, diags := Decode(Parse("x", []byte(out)))
	if HasErrors(diags) {
		t.Fatalf("edited file does not decode:\n%s", FormatDiagnostics(diags))
	}
	if v := cfg.Virtual("SMTP"); v == nil || v.Port != 25 || len(v.Servers) != 1 || !v.Servers[0].Active || v.Servers[0].Port != 25 {
		t.Errorf("decoded SMTP = %+v", v)
	}
}

func TestAddUsesFileStyle(t *testing.T) {
	src := "primary = 1.1.1.1\r\nvirtual a {\r\n\tactive = 1\r\n\tserver s {\r\n\t\tactive = 1\r\n\t}\r\n}"
	f := Parse("t.cf", []byte(src))
	if err := f.Add("virtual.b"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("virtual.b.active", "0"); err != nil {
		t.Fatal(err)
	}
	if err := f.Add("virtual.b.server.t"); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("virtual.b.server.t.weight", "2"); err != nil {
		t.Fatal(err)
	}
	want := src + "\r\nvirtual b {\r\n\tactive = 0\r\n\tserver t {\r\n\t\tweight = 2\r\n\t}\r\n}"
	if got := string(f.Bytes()); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestNewServerIndent(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"tabs", "virtual a {\n\tactive = 1\n}\n", "virtual a {\n\tactive = 1\n\tserver s {\n\t\tweight = 2\n\t}\n}\n"},
		{"piranha", "virtual a {\n     active = 1\n}\n", "virtual a {\n     active = 1\n     server s {\n         weight = 2\n     }\n}\n"},
		{"four", "virtual a {\n    active = 1\n}\n", "virtual a {\n    active = 1\n    server s {\n        weight = 2\n    }\n}\n"},
		{"empty virtual", "virtual a {\n}\n", "virtual a {\n     server s {\n         weight = 2\n     }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("t.cf", []byte(tt.in))
			if err := f.Add("virtual.a.server.s"); err != nil {
				t.Fatal(err)
			}
			if err := f.Set("virtual.a.server.s.weight", "2"); err != nil {
				t.Fatal(err)
			}
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
