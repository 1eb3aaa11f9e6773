//go:build vmtest

package conformance

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRestoreAtomic checks lvsadm restore --check and --atomic on the real
// kernel, judging the table with the real ipvsadm: a file with a bad line
// changes nothing; a file whose line fails in the kernel is rolled back to
// the exact table (and timeouts) from before; a good file is applied.
func TestRestoreAtomic(t *testing.T) {
	lvsadm := mustEnv(t, "LVSADM")
	oracle := envOr("IPVSADM", "/sbin/ipvsadm")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badSyntax := write("bad.rules", "-A -t 10.0.0.5:80 -s rr\n-a -t 10.0.0.5:80 -r 10.0.1.1:80 -m -w x\n")
	failing := write("failing.rules", "-C\n--set 11 12 13\n-A -t 10.0.0.7:80 -s rr\n-a -t 10.0.0.7:80 -r 10.0.1.7:80 -m\n-d -t 10.0.0.7:80 -r 10.0.9.9:80\n-A -t 10.0.0.8:80\n")
	good := write("good.rules", "-A -t 10.0.0.9:80 -s sh\n-a -t 10.0.0.9:80 -r 10.0.1.9:80 -m -w 3\n")

	script := NetnsPrelude + `
O=` + oracle + `
L=` + lvsadm + `
$O -A -t 10.0.0.1:80 -s wlc -p 300
$O -a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 2
$O -A -f 7 -s rr
$O -a -f 7 -r 10.0.2.1 -g
$O --set 100 20 30
$O -Sn; $O -L --timeout
echo ---check
$L restore --check ` + badSyntax + `; echo "exit=$?"
echo ---after-check
$O -Sn
echo ---atomic-bad
$L restore --atomic ` + badSyntax + `; echo "exit=$?"
$O -Sn
echo ---atomic-failing
$L restore --atomic ` + failing + `; echo "exit=$?"
$O -Sn; $O -L --timeout
echo ---atomic-good
$L restore --atomic ` + good + `; echo "exit=$?"
$O -Sn
`
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c", script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	parts := strings.Split(string(out), "---")
	if len(parts) != 6 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	before := parts[0]
	section := func(i int, name string) string {
		s, ok := strings.CutPrefix(parts[i], name+"\n")
		if !ok {
			t.Fatalf("section %d is not %s:\n%s", i, name, parts[i])
		}
		return s
	}
	check := section(1, "check")
	if !strings.Contains(check, "bad.rules:2: illegal weight specified") || !strings.Contains(check, "exit=1") {
		t.Errorf("--check output:\n%s", check)
	}
	afterCheck := section(2, "after-check")
	// before holds -Sn then the timeout line; the table part must match.
	beforeTable := before[:strings.Index(before, "Timeout")]
	if afterCheck != beforeTable {
		t.Errorf("--check changed the table:\n%s\nwant\n%s", afterCheck, beforeTable)
	}
	atomicBad := section(3, "atomic-bad")
	if !strings.Contains(atomicBad, "exit=1") || !strings.HasSuffix(atomicBad, beforeTable) {
		t.Errorf("--atomic with a bad line:\n%s\nwant the table unchanged:\n%s", atomicBad, beforeTable)
	}
	failingOut := section(4, "atomic-failing")
	if !strings.Contains(failingOut, "No such destination") || !strings.Contains(failingOut, "failing.rules:5: line failed") || !strings.Contains(failingOut, "exit=1") {
		t.Errorf("--atomic with a failing line:\n%s", failingOut)
	}
	if !strings.HasSuffix(failingOut, before) {
		t.Errorf("after rollback the table and timeouts are not what they were:\n%s\nwant to end with\n%s", failingOut, before)
	}
	goodOut := section(5, "atomic-good")
	if !strings.Contains(goodOut, "exit=0") || !strings.Contains(goodOut, "-a -t 10.0.0.9:80 -r 10.0.1.9:80 -m -w 3") {
		t.Errorf("--atomic with good rules:\n%s", goodOut)
	}
}
