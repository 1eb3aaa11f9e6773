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

// TestNATTraffic builds an LVS-NAT director with lvsadm in a namespace
// topology (client, director, two real servers running httpd), sends the
// client's requests through the VIP, and checks with the real ipvsadm that
// the kernel balanced them: the answers alternate between the servers (rr)
// and the oracle's stats count the connections.
func TestNATTraffic(t *testing.T) {
	lvsadm := mustEnv(t, "LVSADM")
	lab := mustEnv(t, "LAB")
	oracle := envOr("IPVSADM", "/sbin/ipvsadm")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	script := `
set -e
. ` + lab + `/topology.sh
trap lab_teardown EXIT
lab_nat_topology
L=` + lvsadm + `
$L -A -t 192.168.100.10:80 -s rr
$L -a -t 192.168.100.10:80 -r 10.10.1.2:80 -m
$L -a -t 192.168.100.10:80 -r 10.10.2.2:80 -m
for i in 1 2 3 4; do lab_exec client wget -qO- http://192.168.100.10/; done
sleep 3
echo ---
` + oracle + ` -Ln --stats --exact
`
	// A fresh namespace for the director keeps the VM's own table clean.
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "PATH=/usr/sbin:/sbin:/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lab script: %v\n%s", err, out)
	}
	answers, stats, ok := strings.Cut(string(out), "---\n")
	if !ok {
		t.Fatalf("no separator in output:\n%s", out)
	}
	got := strings.Fields(answers)
	if len(got) != 4 || got[0] == got[1] || got[0] != got[2] || got[1] != got[3] {
		t.Errorf("rr answers = %q, want two servers alternating", got)
	}
	// The service line counts 4 connections (Conns column).
	for _, l := range strings.Split(stats, "\n") {
		if strings.HasPrefix(l, "TCP  192.168.100.10:80") {
			if f := strings.Fields(l); len(f) < 3 || f[2] != "4" {
				t.Errorf("service stats line %q: want 4 connections", l)
			}
			return
		}
	}
	t.Errorf("no service line in the oracle's stats:\n%s", stats)
}
