package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedKeepalived = "../testdata/keepalived/01-seed-keepalived-dr.conf"

// lossless carries over exactly: cf import exits 0 only for such files.
const lossless = `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    advert_int 2
    unicast_src_ip 10.0.0.2
    unicast_peer {
        10.0.0.3
    }
    virtual_ipaddress {
        10.0.0.100/32 label eth0:1
    }
}
virtual_server 10.0.0.100 443 {
    delay_loop 6
    lb_algo wlc
    lb_kind DR
    protocol TCP
    real_server 10.0.1.1 443 {
        weight 1
        TCP_CHECK {
            connect_timeout 6
            retry 0
        }
    }
}
`

func TestCfImport(t *testing.T) {
	// Issue 13: an import that loses something does not exit 0, and
	// writes nothing unless --force.
	out, errOut, code := runCf(t, "", "import", seedKeepalived)
	if code != 3 || out != "" || !strings.Contains(errOut, "nothing written (--force writes it anyway)") {
		t.Fatalf("import with losses: code %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "01-seed-keepalived-dr.conf:3: notification_email: not carried over (lvs.cf has no equivalent)") {
		t.Errorf("warnings:\n%s", errOut)
	}
	out, errOut, code = runCf(t, "", "import", "--force", seedKeepalived)
	if code != 3 || !strings.Contains(out, "network = direct") || !strings.Contains(errOut, "written because of --force") {
		t.Fatalf("import --force: code %d\n%s\n%s", code, out, errOut)
	}
	// The seed file is multicast: it does not name the directors, and
	// the 0.0.0.0 placeholder written for primary is a lint error (issue
	// 13: it passed "cf lint --strict --piranha").
	if lintOut, _, code := runCf(t, out, "lint", "--strict", "--piranha", "-"); code != 1 || !strings.Contains(lintOut, "primary = 0.0.0.0 is a placeholder") {
		t.Errorf("lint of the import: %d\n%s", code, lintOut)
	}

	p := filepath.Join(t.TempDir(), "lvs.cf")
	if _, errOut, code := runCf(t, "", "import", seedKeepalived, "--out", p); code != 3 {
		t.Fatalf("import -o: %d\n%s", code, errOut)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("an import with losses wrote %s without --force (%v)", p, err)
	}
	if _, errOut, code := runCf(t, "", "import", "--force", seedKeepalived, "--out", p, "--primary", "61.164.122.2", "--backup", "61.164.122.3"); code != 3 {
		t.Fatalf("import --force -o: %d\n%s", code, errOut)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), "primary = 61.164.122.2\n") || !strings.Contains(string(b), "backup = 61.164.122.3\n") {
		t.Errorf("written: %v\n%s", err, b)
	}
	// With the directors given, the result lints clean.
	if lintOut, _, code := runCf(t, string(b), "lint", "-"); code != 0 {
		t.Errorf("lint of the import with --primary: %d\n%s", code, lintOut)
	}

	out, errOut, code = runCf(t, lossless, "import", "-")
	if code != 0 || errOut != "" || !strings.Contains(out, "virtual vs_10_0_0_100_443 {") {
		t.Errorf("lossless import: %d\n%s\n%s", code, out, errOut)
	}

	bad := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(bad, []byte("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"import", "--strict", seedKeepalived}, 3, "not carried over exactly"},
		{[]string{"import", bad}, 2, "bad.conf:2: error: unclosed '{'"},
		{[]string{"import", filepath.Join(t.TempDir(), "none.conf")}, 2, "no such file"},
		{[]string{"import", seedKeepalived, "--nat-router", "x"}, 2, "nat router"},
		{[]string{"import"}, 2, "accepts 1 arg"},
	} {
		_, errOut, code := runCf(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%q: code %d (want %d)\n%s", tc.args, code, tc.code, errOut)
		}
	}
	out, _, code = runCf(t, "virtual_server 10.0.0.1 80 {\n}\n", "import", "--force", "-")
	if code != 3 || !strings.Contains(out, "virtual vs_10_0_0_1_80 {") {
		t.Errorf("stdin: %d\n%s", code, out)
	}
}

func TestCfExport(t *testing.T) {
	p := writeCf(t, cfGood)
	out, errOut, code := runCf(t, "", "export", "--to", "keepalived", p)
	if code != 0 || !strings.Contains(out, "virtual_server 10.0.0.1 80 {") || !strings.Contains(out, "lb_kind NAT") {
		t.Fatalf("export: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "lvs.cf:1: serial_no: not carried over (keepalived.conf has no equivalent)") {
		t.Errorf("warnings:\n%s", errOut)
	}
	// What export writes, import reads.
	k := filepath.Join(t.TempDir(), "keepalived.conf")
	if _, errOut, code := runCf(t, "", "export", "--to", "keepalived", p, "--out", k); code != 0 {
		t.Fatalf("export -o: %d\n%s", code, errOut)
	}
	if out, errOut, code := runCf(t, "", "import", "--force", k); code != 3 || !strings.Contains(out, "nat_router = 10.0.1.254 eth1:1") {
		t.Errorf("import of the export: %d\n%s\n%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"export", "--to", "keepalived", "--strict", p}, 1, "not carried over (--strict)"},
		{[]string{"export", "--to", "nginx", p}, 2, "the only target is keepalived"},
		{[]string{"export", p}, 2, "--to is required"},
		{[]string{"export", "--to", "keepalived", writeCf(t, "virtual v {\n")}, 1, "[unclosed-block]"},
		{[]string{"export", "--to", "keepalived", filepath.Join(t.TempDir(), "none")}, 2, "no such file"},
	} {
		_, errOut, code := runCf(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%q: code %d (want %d)\n%s", tc.args, code, tc.code, errOut)
		}
	}
}

// TestCfExportForBackup: --for backup writes the backup director's
// keepalived.conf, which imports to the same lvs.cf as the primary's.
func TestCfExportForBackup(t *testing.T) {
	p := writeCf(t, strings.Replace(cfGood, "primary = 10.0.0.2\n", "primary = 10.0.0.2\nbackup_active = 1\nbackup = 10.0.0.3\n", 1))
	primary, _, code := runCf(t, "", "export", "--to", "keepalived", p)
	if code != 0 || !strings.Contains(primary, "state MASTER") {
		t.Fatalf("primary's file: %d\n%s", code, primary)
	}
	backup, errOut, code := runCf(t, "", "export", "--to", "keepalived", "--for", "backup", p)
	if code != 0 || !strings.Contains(backup, "state BACKUP") || !strings.Contains(backup, "priority 100") {
		t.Fatalf("backup's file: %d\n%s\n%s", code, backup, errOut)
	}
	a, _, _ := runCf(t, primary, "import", "--force", "-")
	b, _, _ := runCf(t, backup, "import", "--force", "-")
	if a == "" || a != b {
		t.Errorf("the two files import differently:\n%s\n---\n%s", a, b)
	}
	if _, errOut, code := runCf(t, "", "export", "--to", "keepalived", "--for", "peer", p); code != 2 || !strings.Contains(errOut, "want primary or backup") {
		t.Errorf("--for peer: %d\n%s", code, errOut)
	}
	if _, errOut, code := runCf(t, "", "export", "--to", "keepalived", "--for", "backup", writeCf(t, cfGood)); code != 1 || !strings.Contains(errOut, "no backup director") {
		t.Errorf("--for backup without a backup: %d\n%s", code, errOut)
	}
}

// TestCfLintKeepalived: issue 13 found some forty errors for a
// keepalived.conf given to cf lint; now one, which names the command to
// use, and the same one from the commands that decode lvs.cf.
func TestCfLintKeepalived(t *testing.T) {
	const want = `01-seed-keepalived-dr.conf:2:1: error: this is keepalived.conf syntax ("global_defs"), not lvs.cf: convert it with "lvsadm cf import ` + seedKeepalived + `" [keepalived-syntax]`
	out, _, code := runCf(t, "", "lint", seedKeepalived)
	if code != 1 || strings.Count(out, "\n") != 1 || !strings.HasSuffix(strings.TrimSpace(out), want) {
		t.Errorf("lint: code %d\n%s", code, out)
	}
	_, errOut, code := runCf(t, "", "render", seedKeepalived)
	if code != 1 || strings.Count(errOut, "[") != 1 || !strings.Contains(errOut, "[keepalived-syntax]") {
		t.Errorf("render: code %d\n%s", code, errOut)
	}
}
