//go:build vmtest

package daemon

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// farmConf is a lone director (backup_active = 0) with vips virtual
// services of per real servers each, connect checks on port 8080 every 6 s
// (as the benchmark's; a shorter timeout fails checks when the emulator
// is starved by another VM on the host),
// VIPs on dummy0 and the real servers on the farm namespace's dummy0;
// scheduler rr for the virtual named rrVirtual, wlc for the others.
func farmConf(vips, per int, rrVirtual string) string {
	var b strings.Builder
	b.WriteString("serial_no = 1\nprimary = 10.41.0.1\nbackup = 10.41.0.9\nbackup_active = 0\nheartbeat = 1\nheartbeat_port = 539\n")
	b.WriteString("keepalive = 1\ndeadtime = 2\nnetwork = nat\nnat_router = 10.41.0.254 eth1:1\n")
	for v := 0; v < vips; v++ {
		sched := "wlc"
		if fmt.Sprintf("v%d", v) == rrVirtual {
			sched = "rr"
		}
		fmt.Fprintf(&b, "virtual v%d {\n     active = 1\n     address = 10.51.0.%d dummy0:%d\n     port = %d\n     scheduler = %s\n     timeout = 6\n     reentry = 6\n",
			v, v%200+1, v%200+1, 1000+v/200, sched)
		for s := 0; s < per; s++ {
			i := v*per + s
			fmt.Fprintf(&b, "     server s%d {\n         address = 10.50.%d.%d\n         port = 8080\n         active = 1\n     }\n", s, i/250, i%250+1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// TestLabFarm: a farm of 400 real servers (80 VIPs x 5) behind a lone
// director, sized for make test (the 10,000 and 100,000 farms are in make
// bench). It proves the incremental table engine on the real kernel:
// every server reaches the table; a reload that changes nothing makes no
// kernel edit and announces no address; a reload that changes one
// service's scheduler makes exactly that one edit; a real server that
// goes away costs exactly its own removal; a resync finds nothing to
// repair.
func TestLabFarm(t *testing.T) {
	const vips, per = 80, 5
	const n = vips * per
	labEnv(t, "LAB")
	var addrs strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&addrs, "addr add 10.50.%d.%d/32 dev dummy0\n", i/250, i%250+1)
	}
	batch := t.TempDir() + "/addrs"
	if err := os.WriteFile(batch, []byte(addrs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sh(t, `lab_ns fdir && lab_ns ffarm && lab_link fdir eth1 10.41.0.1/24 ffarm farm0 10.41.0.2/24 &&
$IP -n fdir link add dummy0 type dummy && $IP -n fdir link set dummy0 up && $IP -n fdir addr add 10.52.0.1/24 dev dummy0 &&
$IP -n fdir route add 10.50.0.0/16 via 10.41.0.2 &&
$IP -n ffarm link add dummy0 type dummy && $IP -n ffarm link set dummy0 up && $IP -n ffarm route add default via 10.41.0.1 &&
$IP -n ffarm -batch `+batch)
	t.Cleanup(func() { sh(t, "$IP netns del fdir; $IP netns del ffarm; true") })
	startLabServer(t, "ffarm", "8080=good")
	cfg := writeCfg(t, farmConf(vips, per, ""))
	d := startLabDaemon(t, "fdir", cfg)
	masq := func() int { return strings.Count(table(t, "fdir"), "Masq") }
	took := eventually(t, "every real server in the table", 120*time.Second, func() bool { return masq() == n })
	t.Logf("%d real servers in the kernel table %v after the daemon started; %s", n, took.Round(time.Millisecond), timeline(d.log.String()))
	// The takeover's addresses and their announcements are done before
	// the reloads below look for any.
	eventually(t, "the takeover's announcements finished", 60*time.Second, func() bool {
		return strings.Contains(d.log.String(), "gratuitous lvs arps finished")
	})

	// reload waits for the reload's log line after mark and returns it
	// with the log from mark on.
	reloaded := regexp.MustCompile(`msg="configuration reloaded" serial_no=\d+ digest=\w+ virtual_services=(\d+) checks=(\d+) kernel_edits=(\d+)`)
	reload := func(conf string) (edits string, log string) {
		t.Helper()
		if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		mark := len(d.log.String())
		d.signal(syscall.SIGHUP)
		var m []string
		eventually(t, "the reload's log line", 30*time.Second, func() bool {
			m = reloaded.FindStringSubmatch(d.log.String()[mark:])
			return m != nil
		})
		if m[1] != fmt.Sprint(vips) || m[2] != fmt.Sprint(n) {
			t.Errorf("reload counted %s virtual services and %s checks, want %d and %d", m[1], m[2], vips, n)
		}
		return m[3], d.log.String()[mark:]
	}

	// The same file again: known unchanged by its bytes, nothing parsed.
	before := table(t, "fdir")
	edits, log := reload(farmConf(vips, per, ""))
	if edits != "0" || !strings.Contains(log, "file=unchanged") || strings.Contains(log, `msg="table changed"`) {
		t.Errorf("a reload of the same file made %s kernel edits or was parsed:\n%s", edits, log)
	}
	// The same meaning, other bytes: parsed and planned in full, nothing to do,
	// nothing announced.
	edits, log = reload(farmConf(vips, per, "") + "# a comment\n")
	if edits != "0" || strings.Contains(log, "file=unchanged") || strings.Contains(log, `msg="table changed"`) {
		t.Errorf("a reload with no change made %s kernel edits:\n%s", edits, log)
	}
	if strings.Contains(log, "floating address up") || strings.Contains(log, "gratuitous lvs arps") {
		t.Errorf("a reload with no change touched or announced addresses:\n%s", log)
	}
	if after := table(t, "fdir"); after != before {
		t.Errorf("a reload with no change changed the table")
	}

	// One virtual's scheduler: one edit, that service's.
	edits, log = reload(farmConf(vips, per, "v7"))
	n7, changes := appliedEdits(log)
	if edits != "1" || n7 != 1 || !strings.HasPrefix(changes[0], "-E -t 10.51.0.8:1000 -s rr") {
		t.Errorf("scheduler change of v7: reload said %s edits, logged %d %q; want one -E -t 10.51.0.8:1000 -s rr", edits, n7, changes)
	}
	if !regexp.MustCompile(`TCP\s+10\.51\.0\.8:1000 rr`).MatchString(table(t, "fdir")) {
		t.Errorf("ipvsadm does not show v7 with rr:\n%s", table(t, "fdir"))
	}

	// A real server goes away: its check fails, and that costs its
	// removal only.
	mark := len(d.log.String())
	sh(t, "$IP -n ffarm addr del 10.50.0.13/32 dev dummy0")
	eventually(t, "the vanished server out of the table", 60*time.Second, func() bool { return masq() == n-1 })
	time.Sleep(labResync + time.Second) // past a resync: nothing may be repaired
	log = d.log.String()[mark:]
	k, changes := appliedEdits(log)
	if k != 1 || !strings.HasPrefix(changes[0], "-d -t 10.51.0.3:1000 -r 10.50.0.13:8080") {
		t.Errorf("one server down cost %d edits %q, want one -d -t 10.51.0.3:1000 -r 10.50.0.13:8080", k, changes)
	}
	if strings.Contains(log, "repaired hand edit") {
		t.Errorf("the resync repaired something it wrote itself:\n%s", log)
	}
}

// timeline summarises a daemon log's start: when it activated and when
// its table applies ran, relative to its "starting" line.
func timeline(log string) string {
	at := regexp.MustCompile(`time=(\S+) level=\w+ msg="?([^"=]*?)"? (?:\w+=|$)`)
	var start time.Time
	var out []string
	applies := 0
	var last time.Duration
	for _, line := range strings.Split(log, "\n") {
		m := at.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			continue
		}
		switch {
		case m[2] == "starting":
			start = ts
		case strings.Contains(m[2], "activating"):
			out = append(out, fmt.Sprintf("active at %v", ts.Sub(start).Round(time.Millisecond)))
		case m[2] == "table changed":
			if applies == 0 {
				out = append(out, fmt.Sprintf("first apply at %v", ts.Sub(start).Round(time.Millisecond)))
			}
			applies++
			last = ts.Sub(start)
		}
	}
	return strings.Join(append(out, fmt.Sprintf("%d applies, the last at %v", applies, last.Round(time.Millisecond))), ", ")
}
