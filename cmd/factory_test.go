package cmd

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops"
)

// runOpts runs the command c (made with a capturing runF) on args and
// returns its error: the flags are checked and the options filled, and
// nothing runs.
func runOpts(t *testing.T, c *cobra.Command, args ...string) error {
	t.Helper()
	// Under a root as NewRootCmd makes it, so that flag errors are usage
	// errors as they are in lvsadm.
	root := &cobra.Command{Use: "lvsadm", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(flagUsageError)
	root.AddCommand(c)
	root.SetArgs(append([]string{c.Name()}, args...))
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	return root.ExecuteContext(context.Background())
}

// wantUsage fails unless err is a usage error (exit 2).
func wantUsage(t *testing.T, what string, err error) {
	t.Helper()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Errorf("%s: %v, want a usage error (exit 2)", what, err)
	}
}

// flagsOnly is a factory whose kernel and daemon must not be reached: the
// tests below check flags only.
func flagsOnly(t *testing.T) *Factory {
	f := NewFactory(IOStreams{In: strings.NewReader(""), Out: new(strings.Builder), ErrOut: new(strings.Builder)})
	f.Kernel = func() (ops.Kernel, error) {
		t.Error("the kernel was opened while checking flags")
		return nil, errors.New("no kernel")
	}
	f.ConfigPath = func() string { return "/etc/test/lvs.cf" }
	return f
}

func TestListOptions(t *testing.T) {
	var got *ListOptions
	capture := func(_ context.Context, o *ListOptions) error { got = o; return nil }
	f := flagsOnly(t)
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "json"}, {[]string{"-o", "yaml"}, "yaml"}, {[]string{"--output=json"}, "json"}} {
		got = nil
		if err := runOpts(t, NewCmdList(f, capture), tc.args...); err != nil || got == nil || got.Output != tc.want {
			t.Errorf("%q: %v, options %+v; want output %s", tc.args, err, got, tc.want)
		}
	}
	got = nil
	wantUsage(t, "-o xml", runOpts(t, NewCmdList(f, capture), "-o", "xml"))
	if got != nil {
		t.Error("-o xml reached the run")
	}
}

func TestRestoreOptions(t *testing.T) {
	var got *RestoreOptions
	capture := func(_ context.Context, o *RestoreOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdRestore(f, capture), "--atomic", "rules"); err != nil || got.File != "rules" || !got.Atomic || got.Check {
		t.Errorf("--atomic rules: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdRestore(f, capture), "--check"); err != nil || got.File != "" || !got.Check {
		t.Errorf("--check: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdRestore(f, capture), "--check", "--atomic"); err == nil {
		t.Error("--check --atomic: accepted")
	}
}

func TestCfApplyOptions(t *testing.T) {
	var got *CfApplyOptions
	capture := func(_ context.Context, o *CfApplyOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdCfApply(f, capture), "-n", "--prune"); err != nil || got.File != "/etc/test/lvs.cf" || !got.DryRun || !got.Prune || got.Quiet {
		t.Errorf("-n --prune: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdCfApply(f, capture), "-q", "x.cf"); err != nil || got.File != "x.cf" || !got.Quiet {
		t.Errorf("-q x.cf: %v, %+v", err, got)
	}
}

func TestStatusOptions(t *testing.T) {
	var got *StatusOptions
	capture := func(_ context.Context, o *StatusOptions) error { got = o; return nil }
	f := flagsOnly(t)
	for _, tc := range []struct {
		args []string
		want StatusOptions
	}{
		{nil, StatusOptions{Socket: control.DefaultSocket, Output: "text", Filter: control.Filter{Summary: true}}},
		{[]string{"www", "--all"}, StatusOptions{Socket: control.DefaultSocket, Output: "text", Filter: control.Filter{Virtual: "www"}}},
		{[]string{"10.0.0.1:80", "-o", "json", "--socket", "/s"}, StatusOptions{Socket: "/s", Output: "json", Filter: control.Filter{VIP: "10.0.0.1:80"}}},
		{[]string{"--state", "down"}, StatusOptions{Socket: control.DefaultSocket, Output: "text", Filter: control.Filter{State: "down"}}},
	} {
		got = nil
		err := runOpts(t, NewCmdStatus(f, capture), tc.args...)
		if err != nil || got == nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		g := *got
		g.IO, g.Control = IOStreams{}, nil
		if !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, g, tc.want)
		}
	}
	for _, args := range [][]string{{"-o", "yaml"}, {"www", "--virtual", "web"}, {"--state", "sleepy"}} {
		wantUsage(t, strings.Join(args, " "), runOpts(t, NewCmdStatus(f, capture), args...))
	}
}

func TestOverrideOptions(t *testing.T) {
	var got *OverrideOptions
	capture := func(_ context.Context, o *OverrideOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdOverride(f, control.ActWeight, capture), "web/rs1", "5", "--socket", "/s"); err != nil ||
		got.Socket != "/s" || got.Request != (control.OverrideRequest{Action: control.ActWeight, Target: "web/rs1", Weight: 5}) {
		t.Errorf("weight web/rs1 5: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdOverride(f, control.ActDrain, capture), "web"); err != nil || got.Request.Action != control.ActDrain || got.Socket != control.DefaultSocket {
		t.Errorf("drain web: %v, %+v", err, got)
	}
	wantUsage(t, "weight web/rs1 -1", runOpts(t, NewCmdOverride(f, control.ActWeight, capture), "web/rs1", "x"))
}

func TestDirectorOptions(t *testing.T) {
	var got *DirectorOptions
	capture := func(_ context.Context, o *DirectorOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdDrainDirector(f, capture), "--wait", "5m"); err != nil || got.Request != (control.DirectorRequest{Action: control.ActDrainDirector, Wait: 5 * time.Minute}) {
		t.Errorf("drain-director --wait 5m: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdUndrainDirector(f, capture)); err != nil || got.Request.Action != control.ActUndrainDirector {
		t.Errorf("undrain-director: %v, %+v", err, got)
	}
	wantUsage(t, "--wait -1s", runOpts(t, NewCmdDrainDirector(f, capture), "--wait", "-1s"))
}

func TestReloadOptions(t *testing.T) {
	var got *ReloadOptions
	capture := func(_ context.Context, o *ReloadOptions) error { got = o; return nil }
	if err := runOpts(t, NewCmdReload(flagsOnly(t), capture), "--socket", "/s"); err != nil || got.Socket != "/s" {
		t.Errorf("reload --socket /s: %v, %+v", err, got)
	}
}

func TestTUIAndTopOptions(t *testing.T) {
	var tuiGot *TUIOptions
	f := flagsOnly(t)
	tuiCmd := NewCmdTUI(f, func(_ context.Context, o *TUIOptions) error { tuiGot = o; return nil })
	if err := runOpts(t, tuiCmd, "-i", "5s", "--read-only", "--config", "x.cf"); err != nil ||
		tuiGot.Interval != 5*time.Second || !tuiGot.ReadOnly || tuiGot.File != "x.cf" || tuiGot.Config(tuiGot.File, tuiGot.Socket).Path != "x.cf" {
		t.Errorf("tui: %v, %+v", err, tuiGot)
	}
	wantUsage(t, "tui -i 10ms", runOpts(t, NewCmdTUI(f, func(context.Context, *TUIOptions) error { return nil }), "-i", "10ms"))

	var topGot *TopOptions
	topCmd := func() *cobra.Command {
		return NewCmdTop(f, func(_ context.Context, o *TopOptions) error { topGot = o; return nil })
	}
	if err := runOpts(t, topCmd(), "-b", "-n", "1", "--conns", "--width", "120"); err != nil ||
		!topGot.Batch || topGot.Frames != 1 || !topGot.Conns || topGot.Width != 120 || topGot.Height != 24 {
		t.Errorf("top -b: %v, %+v", err, topGot)
	}
	if topGot.Config("", "").Path != "/etc/test/lvs.cf" {
		t.Errorf("top's config view: %q, want the factory's default", topGot.Config("", "").Path)
	}
	for _, args := range [][]string{{"-b", "--conns", "--director"}, {"-b", "-d", "1ms"}, {"-b", "--width", "10"}} {
		wantUsage(t, strings.Join(args, " "), runOpts(t, topCmd(), args...))
	}
}

func TestCfLintOptions(t *testing.T) {
	var got *CfLintOptions
	capture := func(_ context.Context, o *CfLintOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdCfLint(f, capture)); err != nil || !reflect.DeepEqual(got.Files, []string{"/etc/test/lvs.cf"}) || got.Output != "text" || got.ShowSource {
		t.Errorf("no flags: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdCfLint(f, capture), "-o", "json", "--source=always", "--piranha", "--host", "--strict", "a.cf", "-"); err != nil ||
		!reflect.DeepEqual(got.Files, []string{"a.cf", "-"}) || got.Output != "json" || !got.ShowSource || !got.Piranha || !got.Host || !got.Strict || got.ListRules {
		t.Errorf("every flag: %v, %+v", err, got)
	}
	wantUsage(t, "--source=sometimes", runOpts(t, NewCmdCfLint(f, capture), "--source=sometimes"))
}

func TestCfDiffOptions(t *testing.T) {
	var got *CfDiffOptions
	capture := func(_ context.Context, o *CfDiffOptions) error { got = o; return nil }
	if err := runOpts(t, NewCmdCfDiff(flagsOnly(t), capture), "a.cf", "-", "-o", "json"); err != nil || got.A != "a.cf" || got.B != "-" || got.Output != "json" {
		t.Errorf("%v, %+v", err, got)
	}
}

func TestCfImportExportOptions(t *testing.T) {
	var imp *CfImportOptions
	f := flagsOnly(t)
	importCmd := NewCmdCfImport(f, func(_ context.Context, o *CfImportOptions) error { imp = o; return nil })
	if err := runOpts(t, importCmd, "k.conf", "--force", "--out", "lvs.cf", "--primary", "10.0.0.2", "--nat-router", "10.0.1.254 eth1:1"); err != nil ||
		imp.File != "k.conf" || imp.Out != "lvs.cf" || !imp.Force || imp.Import.Primary != "10.0.0.2" || imp.Import.NATRouter != "10.0.1.254 eth1:1" {
		t.Errorf("import: %v, %+v", err, imp)
	}
	var exp *CfExportOptions
	exportCmd := func() *cobra.Command {
		return NewCmdCfExport(f, func(_ context.Context, o *CfExportOptions) error { exp = o; return nil })
	}
	if err := runOpts(t, exportCmd(), "--to", "keepalived", "--for", "backup", "-o", "k.conf"); err != nil ||
		exp.File != "/etc/test/lvs.cf" || exp.Out != "k.conf" || !exp.Export.Backup || exp.Strict {
		t.Errorf("export: %v, %+v", err, exp)
	}
	for _, args := range [][]string{{}, {"--to", "nginx"}, {"--to", "keepalived", "--for", "third"}, {"--to", "keepalived", "--out", "a", "-o", "b"}} {
		wantUsage(t, strings.Join(args, " "), runOpts(t, exportCmd(), args...))
	}
}

func TestDaemonOptions(t *testing.T) {
	var got *DaemonOptions
	capture := func(_ context.Context, o *DaemonOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdDaemon(f, capture), "-c", "x.cf", "--role", "backup", "--resync-interval", "0", "--log-level", "debug", "--heartbeat-key-file", "k"); err != nil {
		t.Fatal(err)
	}
	o := got.Daemon
	if o.ConfigPath != "x.cf" || o.Role != "backup" || o.ResyncInterval != -1 || o.KeyFile != "k" || o.LockDir == "" || o.Logger != nil || got.LogLevel != slog.LevelDebug {
		t.Errorf("%+v, level %v", o, got.LogLevel)
	}
	if err := runOpts(t, NewCmdDaemon(f, capture)); err != nil || got.Daemon.ResyncInterval <= 0 || got.LogLevel != slog.LevelInfo {
		t.Errorf("defaults: %v, %+v", err, got)
	}
	wantUsage(t, "--log-level loud", runOpts(t, NewCmdDaemon(f, capture), "--log-level", "loud"))
}

func TestCfFmtOptions(t *testing.T) {
	var got *CfFmtOptions
	capture := func(_ context.Context, o *CfFmtOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdCfFmt(f, capture), "-w", "-d", "--lock-timeout", "3s"); err != nil ||
		!reflect.DeepEqual(got.Files, []string{"/etc/test/lvs.cf"}) || !got.Write || !got.Diff || got.List || got.Save.lockTimeout != 3*time.Second {
		t.Errorf("%v, %+v", err, got)
	}
	wantUsage(t, "-w -", runOpts(t, NewCmdCfFmt(f, capture), "-w", "a.cf", "-"))
}

func TestCfEditOptions(t *testing.T) {
	var got *CfEditOptions
	capture := func(_ context.Context, o *CfEditOptions) error { got = o; return nil }
	f := flagsOnly(t)
	if err := runOpts(t, NewCmdCfSet(f, capture), "virtual.www.port", "81", "--force", "--no-bump-serial"); err != nil ||
		got.File != "/etc/test/lvs.cf" || got.Path != "virtual.www.port" || got.Value != "81" || !got.Bump || !got.Save.force || !got.Save.noSerial || got.Edit == nil {
		t.Errorf("set: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdCfSet(f, capture), "-f", "x.cf", "serial_no", "9"); err != nil || got.File != "x.cf" || got.Bump {
		t.Errorf("set serial_no: %v, %+v; want no bump on top", err, got)
	}
	if err := runOpts(t, NewCmdCfDelete(f, capture), "virtual.www.server.web3", "--lock-timeout", "1s"); err != nil ||
		got.Path != "virtual.www.server.web3" || !got.Bump || got.Save.lockTimeout != time.Second {
		t.Errorf("delete: %v, %+v", err, got)
	}
	if err := runOpts(t, NewCmdCfAdd(f, capture), "server", "www", "web3", "address=10.0.1.3", "active=1"); err != nil ||
		got.Path != "virtual.www.server.web3" || !reflect.DeepEqual(got.Settings, []string{"address=10.0.1.3", "active=1"}) || !got.Bump {
		t.Errorf("add server: %v, %+v", err, got)
	}
	for _, args := range [][]string{{"virtual"}, {"server", "www"}, {"pool", "x"}, {"virtual", "www", "port"}} {
		wantUsage(t, "add "+strings.Join(args, " "), runOpts(t, NewCmdCfAdd(f, capture), args...))
	}
	var get *CfGetOptions
	if err := runOpts(t, NewCmdCfGet(f, func(_ context.Context, o *CfGetOptions) error { get = o; return nil }), "--effective", "primary"); err != nil ||
		get.File != "/etc/test/lvs.cf" || get.Path != "primary" || !get.Effective {
		t.Errorf("get: %v, %+v", err, get)
	}
}

func TestCfRenderAndKeygenOptions(t *testing.T) {
	f := flagsOnly(t)
	var render *CfRenderOptions
	if err := runOpts(t, NewCmdCfRender(f, func(_ context.Context, o *CfRenderOptions) error { render = o; return nil }), "-"); err != nil || render.File != "-" {
		t.Errorf("render -: %v, %+v", err, render)
	}
	var keygen *CfKeygenOptions
	capture := func(_ context.Context, o *CfKeygenOptions) error { keygen = o; return nil }
	if err := runOpts(t, NewCmdCfKeygen(f, capture)); err != nil || keygen.File != defaultKeyFile || keygen.Force {
		t.Errorf("keygen: %v, %+v", err, keygen)
	}
	if err := runOpts(t, NewCmdCfKeygen(f, capture), "--force", "k"); err != nil || keygen.File != "k" || !keygen.Force {
		t.Errorf("keygen --force k: %v, %+v", err, keygen)
	}
}
