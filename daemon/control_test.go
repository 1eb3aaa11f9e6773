package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// queryStatus asks the daemon on sock for its whole status through the
// control client, and returns it decoded and as it came.
func queryStatus(ctx context.Context, sock string) (*control.Status, []byte, error) {
	raw, err := control.New(sock).StatusJSON(ctx, control.Filter{})
	if err != nil {
		return nil, nil, err
	}
	var s control.Status
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, raw, fmt.Errorf("decoding: %w", err)
	}
	return &s, raw, nil
}

// lonePrimary starts a lone primary (no backup) on a fresh lvs.cf with
// rs1 up and rs2 down, and waits until its table holds rs1.
func lonePrimary(t *testing.T) (a *director, cfgPath string, write func(serial int, sched string), rs1Line string) {
	t.Helper()
	rs1, rs2 := newRS(t), newRS(t)
	rs2.stop() // refuses connections: down from its first check
	port := freeUDPPort(t)
	cfgPath = filepath.Join(t.TempDir(), "lvs.cf")
	write = func(serial int, sched string) {
		cfg := fmt.Sprintf(cfgTemplate, serial, port, sched, rs1.port, rs2.port)
		cfg = strings.Replace(cfg, "backup_active = 1", "backup_active = 0", 1)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(1, "rr")
	a = startDirector(t, cfgPath, "127.0.0.1", "")
	rs1Line = fmt.Sprintf("-t 192.168.50.10:8080 -r 127.0.0.1:%d w", rs1.port)
	waitUntil(t, "active with rs1 up and rs2 down", func() bool {
		st := a.d.Status()
		if st.Heartbeat.Role != "active" || len(st.Virtuals) != 1 || !contains(a.k.rules(), rs1Line+"1") {
			return false
		}
		s := st.Virtuals[0].Servers
		return s[0].State == control.Up && s[1].State == control.Down
	}, func() string { return fmt.Sprint(a.k.rules()) })
	return a, cfgPath, write, rs1Line
}

// TestControlStatusFilters: the daemon narrows its answer to the filter,
// counts what it leaves out, and says so when a name matches nothing.
func TestControlStatusFilters(t *testing.T) {
	a, _, _, _ := lonePrimary(t)
	cl := control.New(a.sock)
	ctx := t.Context()

	raw, err := cl.StatusJSON(ctx, control.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"counts"`) || strings.Contains(string(raw), `"filter"`) {
		t.Errorf("an unfiltered status has counts or a filter: %s", raw)
	}
	for _, c := range []struct {
		f       control.Filter
		servers []string
	}{
		{control.Filter{State: "down"}, []string{"rs2"}},
		{control.Filter{State: "up"}, []string{"rs1"}},
		{control.Filter{State: "notup"}, []string{"rs2"}},
		{control.Filter{Summary: true}, []string{"rs2"}},
		{control.Filter{Virtual: "web", State: "down"}, []string{"rs2"}},
		{control.Filter{VIP: "192.168.50.10"}, []string{"rs1", "rs2"}},
		{control.Filter{VIP: "192.168.50.10:8080", Summary: true}, []string{"rs2"}},
	} {
		st, err := cl.Status(ctx, c.f)
		if err != nil {
			t.Errorf("%+v: %v", c.f, err)
			continue
		}
		var got []string
		for _, v := range st.Virtuals {
			for _, s := range v.Servers {
				got = append(got, s.Name)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.servers, ",") {
			t.Errorf("%+v lists %q, want %q", c.f, got, c.servers)
		}
		partial := c.f.State != "" || c.f.Summary
		if partial && (len(st.Virtuals) != 1 || st.Virtuals[0].Counts == nil ||
			*st.Virtuals[0].Counts != (control.Counts{Servers: 2, Up: 1, Down: 1})) {
			t.Errorf("%+v: counts %+v", c.f, st.Virtuals)
		}
		if st.Filter == nil || *st.Filter != c.f {
			t.Errorf("%+v: the answer says filter %+v", c.f, st.Filter)
		}
	}
	// No virtual matches a state filter: none is listed.
	if st, err := cl.Status(ctx, control.Filter{State: "quiesced"}); err != nil || len(st.Virtuals) != 0 {
		t.Errorf("quiesced: %+v, %v", st, err)
	}
	for f, want := range map[control.Filter]string{
		{Virtual: "nosuch"}:                    `no virtual server named "nosuch"`,
		{VIP: "192.168.50.11"}:                 "no virtual server on 192.168.50.11",
		{VIP: "192.168.50.10:9999"}:            "no virtual server on 192.168.50.10:9999",
		{State: "sideways"}:                    `unknown state "sideways"`,
		{VIP: "not an address", Summary: true}: "is not an address",
	} {
		if _, err := cl.Status(ctx, f); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", f, err, want)
		}
	}
}

// TestControlReloadAndOverrides: lvsadm reload's and lvsadm drain's path
// through the real control socket: a refused reload returns the lint
// lines and changes nothing; a drain reaches the kernel, survives a
// repaired hand edit (resync) and reloads, shows in status, and goes when
// cleared or when a reload removes the server.
func TestControlReloadAndOverrides(t *testing.T) {
	a, cfgPath, write, rs1Line := lonePrimary(t)
	cl := control.New(a.sock)
	ctx := t.Context()

	// A broken file: refused, with the lint text, nothing changed.
	good, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	before := a.k.rules()
	if err := os.WriteFile(cfgPath, append(good, []byte("wieght = 1\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = cl.Reload(ctx)
	var refused *control.RefusedError
	if !errors.As(err, &refused) || len(refused.Lines) == 0 || !strings.HasPrefix(refused.Lines[0], cfgPath+":") ||
		!strings.Contains(refused.Lines[0], "wieght") || !strings.Contains(refused.Msg, "lint errors") {
		t.Fatalf("reload of a broken file: %v (%+v)", err, refused)
	}
	if st := a.d.Status(); st.Serial != 1 || st.LastReloadError == "" {
		t.Errorf("after the refused reload: serial %d, last_reload_error %q", st.Serial, st.LastReloadError)
	}
	if after := a.k.rules(); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the refused reload changed the table: %q → %q", before, after)
	}

	// Drain rs1: weight 0 in the kernel, the override in status.
	res, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActDrain, Target: "web/rs1"})
	if err != nil || res.Matched != 1 || len(res.Changes) != 1 || res.Changes[0].After == nil || res.Changes[0].After.Kind != control.Drain || res.Changes[0].Before != nil {
		t.Fatalf("drain: %+v, %v", res, err)
	}
	waitUntil(t, "rs1 drained in the kernel", func() bool { return contains(a.k.rules(), rs1Line+"0") }, func() string { return fmt.Sprint(a.k.rules()) })
	if o := a.d.Status().Virtuals[0].Servers[0].Override; o == nil || o.Kind != control.Drain || o.Since.IsZero() {
		t.Errorf("status shows override %+v", o)
	}
	if ms := a.d.metricsSnapshot(ctx); len(ms.Servers) != 2 || ms.Servers[0].Override != control.Drain || ms.Servers[1].Override != "" {
		t.Errorf("metrics: %+v", ms.Servers)
	}
	// Asking again changes nothing and keeps its since.
	if res, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActDrain, Target: "web"}); err != nil || res.Matched != 2 || len(res.Changes) != 1 || res.Changes[0].Server != "rs2" {
		t.Errorf("drain web: %+v, %v", res, err)
	}
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActUndrain, Target: "web/rs2"}); err != nil {
		t.Fatal(err)
	}

	// A hand edit (ipvsadm -e … -w 1) is repaired to the override by the
	// periodic resync (run here rather than waited for).
	a.k.setWeights(1)
	a.d.ifActive(ctx, func(ctx context.Context) { a.d.applyLocked(ctx, true, "periodic resync") })
	waitUntil(t, "hand edit repaired", func() bool { return contains(a.k.rules(), rs1Line+"0") }, func() string { return fmt.Sprint(a.k.rules()) })

	// A good reload keeps the override and reports its result.
	write(2, "wlc")
	rr, err := cl.Reload(ctx)
	if err != nil || rr.Serial != 2 || !rr.Active || rr.Edits != 1 {
		t.Fatalf("reload: %+v, %v", rr, err)
	}
	if o, ok := a.d.overrides.Lookup("web", "rs1"); !ok || o.Kind != control.Drain {
		t.Errorf("after the reload, rs1's override is %+v %v", o, ok)
	}
	if r := a.k.rules(); !contains(r, rs1Line+"0") || !contains(r, "-t 192.168.50.10:8080 wlc") {
		t.Errorf("after the reload: %q", r)
	}

	// Weight, then undrain: back to lvs.cf's weight.
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActWeight, Target: "127.0.0.1", Weight: 7}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "rs1 at weight 7", func() bool { return contains(a.k.rules(), rs1Line+"7") }, func() string { return fmt.Sprint(a.k.rules()) })
	if res, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActUndrain, Target: "web/rs1"}); err != nil || len(res.Changes) != 1 || res.Changes[0].After != nil {
		t.Fatalf("undrain: %+v, %v", res, err)
	}
	waitUntil(t, "rs1 back at weight 1", func() bool { return contains(a.k.rules(), rs1Line+"1") }, func() string { return fmt.Sprint(a.k.rules()) })

	// Out and in.
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActOut, Target: "web/rs1"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "rs1 out", func() bool {
		return !slices.ContainsFunc(a.k.rules(), func(r string) bool { return strings.HasPrefix(r, rs1Line) })
	}, func() string { return fmt.Sprint(a.k.rules()) })
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActIn, Target: "web/rs1"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "rs1 in", func() bool { return contains(a.k.rules(), rs1Line+"1") }, func() string { return fmt.Sprint(a.k.rules()) })

	// A reload that removes the server drops its override.
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActDrain, Target: "web/rs2"}); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(cfgPath)
	i := strings.Index(string(cfg), "     server rs2 {")
	j := i + strings.Index(string(cfg[i:]), "}\n") + 2
	if i < 0 || j < i {
		t.Fatalf("no rs2 block in %s", cfg)
	}
	cut := strings.Replace(string(cfg[:i])+string(cfg[j:]), "serial_no = 2", "serial_no = 3", 1)
	if err := os.WriteFile(cfgPath, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.d.overrides.Lookup("web", "rs2"); ok || a.d.overrides.Len() != 0 {
		t.Errorf("rs2's override outlived the server: %v", a.d.overrides.List())
	}

	// Targets that name nothing are errors.
	for target, want := range map[string]string{
		"web/nosuch": `no real server named "nosuch"`,
		"nosuch/rs1": `no virtual server named "nosuch"`,
		"nosuch":     "neither",
		"10.9.9.9":   "no real server on 10.9.9.9",
	} {
		if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActDrain, Target: target}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("drain %s: %v, want %q", target, err, want)
		}
	}
}

// TestReloadRefusedByTheHeartbeat is issue 11 item 8: a reload whose
// heartbeat settings the running state machine cannot take (backup_active
// = 0 on the backup) is refused whole: an error, last_reload_error set,
// the running serial kept, and no "reloaded" event.
func TestReloadRefusedByTheHeartbeat(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	port := freeUDPPort(t)
	cfg := fmt.Sprintf(cfgTemplate, 1, port, "rr", rs1.port, rs2.port)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startDirector(t, cfgPath, "127.0.0.2", "")
	waitUntil(t, "the backup runs", func() bool { return b.d.Status().Heartbeat.Identity == "backup" }, func() string { return fmt.Sprint(b.d.Status().Heartbeat) })
	cfg2 := strings.Replace(fmt.Sprintf(cfgTemplate, 2, port, "rr", rs1.port, rs2.port), "backup_active = 1", "backup_active = 0", 1)
	if err := os.WriteFile(cfgPath, []byte(cfg2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := control.New(b.sock).Reload(t.Context())
	var refused *control.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "backup_active is 0") {
		t.Fatalf("reload: %v", err)
	}
	st := b.d.Status()
	if st.Serial != 1 || !strings.Contains(st.LastReloadError, "backup_active is 0") {
		t.Errorf("after the refusal: serial %d, last_reload_error %q", st.Serial, st.LastReloadError)
	}
	for _, m := range eventMessages(st) {
		if strings.HasPrefix(m, "reloaded") {
			t.Errorf("event %q after a refused reload", m)
		}
	}
	if p := st.Heartbeat; p.Identity != "backup" {
		t.Errorf("heartbeat %+v", p)
	}
}
