package daemon

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/fwmark"
)

// fakeFwmarks records the MARK rules the daemon wants installed.
type fakeFwmarks struct {
	mu      sync.Mutex
	rules   []string
	removes int
}

func (f *fakeFwmarks) Install(_ context.Context, rules []fwmark.Rule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = f.rules[:0]
	for _, r := range rules {
		f.rules = append(f.rules, r.String())
	}
	return nil
}

func (f *fakeFwmarks) Remove(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
	f.removes++
	return nil
}

func (f *fakeFwmarks) state() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.rules...), f.removes
}

// TestFwmarkRules: the active director installs the fwmark_match rules,
// follows a reload, and removes them when it stops.
func TestFwmarkRules(t *testing.T) {
	cfgPath := lonePrimaryConfig(t, newRS(t), "     port = 8080\n", "     port = 8080\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21,10000:20000\"\n")
	fw := &fakeFwmarks{}
	a := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) { o.Fwmarks = fw })
	want := "-d 192.168.50.10/32 -p tcp -m multiport --dports 21,10000:20000 -m comment --comment lvsadm -j MARK --set-mark 21"
	waitUntil(t, "rules installed", func() bool {
		r, _ := fw.state()
		return a.role() == "active" && len(r) == 1 && r[0] == want
	}, func() string { r, _ := fw.state(); return fmt.Sprint(r) })

	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), `"tcp 21,10000:20000"`, `"udp 53"`, 1)
	cfg = strings.Replace(cfg, "serial_no = 1", "serial_no = 2", 1)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.d.Reload(); err != nil {
		t.Fatal(err)
	}
	if r, _ := fw.state(); len(r) != 1 || !strings.Contains(r[0], "-p udp -m multiport --dports 53 ") {
		t.Errorf("after reload: %q", r)
	}
	a.stop(t)
	if r, n := fw.state(); len(r) != 0 || n == 0 {
		t.Errorf("after stop: rules %q, %d removes", r, n)
	}
}
