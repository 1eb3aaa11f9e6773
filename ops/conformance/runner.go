package conformance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Result is what one command of a case produced.
type Result struct {
	Cmd    string
	Stdout []byte
	Stderr []byte
	Exit   int
}

// NetnsPrelude gives a fresh namespace a loopback and a dummy device with a
// default route, so that any destination address is unicast-routable (the
// kernel refuses destinations it cannot route: "address not unicast").
const NetnsPrelude = `/usr/sbin/ip link set lo up
/usr/sbin/ip link add d0 type dummy
/usr/sbin/ip link set d0 up
/usr/sbin/ip addr add 10.255.255.254/8 dev d0
/usr/sbin/ip addr add 192.168.255.254/16 dev d0
/usr/sbin/ip -6 addr add 2001:db8:ffff::fe/48 dev d0 nodad
/usr/sbin/ip route add default dev d0
/usr/sbin/ip -6 route add default dev d0
`

// sharedPrelude starts shared cases, whose setup may build
// namespace topologies with the lab's shell functions.
const sharedPrelude = `. "$LAB/topology.sh"
trap lab_teardown EXIT
`

// RunShared executes a shared case in one fresh namespace: after the setup,
// each command runs first with the oracle's BinDir on PATH, then with ours.
// It returns the oracle's results and ours.
func RunShared(ctx context.Context, c Case, oracle, ours Runner) (want, got []Result, err error) {
	dir, err := os.MkdirTemp(oracle.Work, "case-")
	if err != nil {
		return nil, nil, fmt.Errorf("scratch dir: %w", err)
	}
	defer os.RemoveAll(dir)
	var sb strings.Builder
	sb.WriteString("exec 2>" + filepath.Join(dir, "prelude.err") + "\n")
	writeSetup(&sb, append([]string{sharedPrelude}, c.Setup...))
	for i, cmd := range c.Cmds {
		for _, side := range []struct {
			tag string
			r   Runner
		}{{"a", oracle}, {"b", ours}} {
			base := filepath.Join(dir, strconv.Itoa(i)+side.tag)
			env := strings.Join(append([]string{"PATH=" + side.r.BinDir + ":$PATH"}, side.r.Env...), " ")
			fmt.Fprintf(&sb, "(\nexport %s\n%s\n) >%s.out 2>%s.err </dev/null\necho $? >%s.rc\n", env, cmd, base, base, base)
		}
	}
	scriptPath := filepath.Join(dir, "case.sh")
	if err := os.WriteFile(scriptPath, []byte(sb.String()), 0o755); err != nil {
		return nil, nil, fmt.Errorf("writing case script: %w", err)
	}
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", scriptPath)
	cmd.Env = append(os.Environ(), "PATH=/usr/sbin:/sbin:/usr/bin:/bin", "HOME=/root", "LC_ALL=C")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, scriptError(dir, err, out)
	}
	if want, err = readResults(dir, c.Cmds, "a"); err != nil {
		return nil, nil, err
	}
	if got, err = readResults(dir, c.Cmds, "b"); err != nil {
		return nil, nil, err
	}
	return want, got, nil
}

// Runner runs cases with one implementation of ipvsadm: BinDir holds an
// executable named ipvsadm (the real one, or a symlink to lvsadm), put first
// on PATH so that every case invokes it as plain "ipvsadm".
type Runner struct {
	BinDir string
	Env    []string // extra environment, e.g. LVSADM_IPVSADM_BANNER=1
	Work   string   // scratch directory
}

// Run executes c in a fresh network namespace (busybox unshare -n) and
// returns one Result per command.
func (r Runner) Run(ctx context.Context, c Case) ([]Result, error) {
	dir, err := os.MkdirTemp(r.Work, "case-")
	if err != nil {
		return nil, fmt.Errorf("scratch dir: %w", err)
	}
	defer os.RemoveAll(dir)

	var sb strings.Builder
	sb.WriteString("exec 2>" + filepath.Join(dir, "prelude.err") + "\n")
	writeSetup(&sb, c.Setup)
	sb.WriteString("exec 2>&1\n")
	for i, cmd := range c.Cmds {
		base := filepath.Join(dir, strconv.Itoa(i))
		// A subshell keeps one command's redirections and failures to itself;
		// a here-document supplies its own stdin, anything else gets none.
		stdin := " </dev/null"
		if strings.Contains(cmd, "<<EOF") {
			stdin = ""
		}
		fmt.Fprintf(&sb, "(\n%s\n) >%s.out 2>%s.err%s\necho $? >%s.rc\n", cmd, base, base, stdin, base)
	}
	scriptPath := filepath.Join(dir, "case.sh")
	if err := os.WriteFile(scriptPath, []byte(sb.String()), 0o755); err != nil {
		return nil, fmt.Errorf("writing case script: %w", err)
	}
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", scriptPath)
	cmd.Env = append([]string{"PATH=" + r.BinDir + ":/usr/sbin:/sbin:/usr/bin:/bin", "HOME=/root", "LC_ALL=C"}, r.Env...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, scriptError(dir, err, out)
	}
	return readResults(dir, c.Cmds, "")
}

// writeSetup adds a case's setup lines; a failing one ends the script with
// an error, so that a broken setup can never make two empty outputs agree.
func writeSetup(sb *strings.Builder, setup []string) {
	sb.WriteString("set -e\n")
	sb.WriteString(NetnsPrelude)
	for _, s := range setup {
		sb.WriteString(s + "\n")
	}
	sb.WriteString("set +e\n")
}

// scriptError reports a case script that failed outside its commands (in the
// prelude or the setup), with what it printed.
func scriptError(dir string, err error, out []byte) error {
	setupErr, _ := os.ReadFile(filepath.Join(dir, "prelude.err"))
	return fmt.Errorf("case setup failed: %w\n%s%s", err, setupErr, out)
}

// readResults collects what each command left in dir/<i><tag>.{out,err,rc}.
func readResults(dir string, cmds []string, tag string) ([]Result, error) {
	results := make([]Result, len(cmds))
	for i, line := range cmds {
		base := filepath.Join(dir, strconv.Itoa(i)+tag)
		res := Result{Cmd: line}
		var err error
		if res.Stdout, err = os.ReadFile(base + ".out"); err != nil {
			return nil, fmt.Errorf("command %d: %w", i, err)
		}
		if res.Stderr, err = os.ReadFile(base + ".err"); err != nil {
			return nil, fmt.Errorf("command %d: %w", i, err)
		}
		rc, err := os.ReadFile(base + ".rc")
		if err != nil {
			return nil, fmt.Errorf("command %d: %w", i, err)
		}
		if res.Exit, err = strconv.Atoi(strings.TrimSpace(string(rc))); err != nil {
			return nil, fmt.Errorf("command %d: exit status %q: %w", i, rc, err)
		}
		results[i] = res
	}
	return results, nil
}

// Diff describes how two results differ, or returns "" when they are equal.
func Diff(want, got Result) string {
	var b strings.Builder
	if want.Exit != got.Exit {
		fmt.Fprintf(&b, "exit status: ipvsadm %d, lvsadm %d\n", want.Exit, got.Exit)
	}
	if string(want.Stdout) != string(got.Stdout) {
		fmt.Fprintf(&b, "stdout differs:\n%s", LineDiff(string(want.Stdout), string(got.Stdout)))
	}
	if string(want.Stderr) != string(got.Stderr) {
		fmt.Fprintf(&b, "stderr differs:\n%s", LineDiff(string(want.Stderr), string(got.Stderr)))
	}
	return b.String()
}

// LineDiff shows both texts line by line, marking lines that differ; spaces
// at line ends are made visible because they matter here.
func LineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	n := max(len(w), len(g))
	var b strings.Builder
	for i := 0; i < n; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			fmt.Fprintf(&b, "    %s\n", visible(wl))
			continue
		}
		if i < len(w) {
			fmt.Fprintf(&b, "  - %s\n", visible(wl))
		}
		if i < len(g) {
			fmt.Fprintf(&b, "  + %s\n", visible(gl))
		}
	}
	return b.String()
}

func visible(s string) string {
	t := strings.TrimRight(s, " ")
	if len(t) == len(s) {
		return s
	}
	return t + strings.Repeat("·", len(s)-len(t))
}
