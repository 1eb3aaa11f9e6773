// Command gendocs regenerates lvsadm's man pages and shell completions from
// the cobra command tree (make docs). The output is committed, so that a
// change to a command's help shows up in review beside the code, and a test
// fails when the committed files are stale.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/lvsadm/lvsadm/cmd"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// manDate is the date the pages carry; fixed so that regenerating them is
// reproducible (bump it with a release).
var manDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

func main() {
	if err := generate("."); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes man/ and completions/ below dir.
func generate(dir string) error {
	root := cmd.NewRootCmd(cmd.IOStreams{In: os.Stdin, Out: new(bytes.Buffer), ErrOut: os.Stderr})
	root.DisableAutoGenTag = true
	manDir := filepath.Join(dir, "man")
	if err := os.MkdirAll(manDir, 0o755); err != nil {
		return err
	}
	hdr := &doc.GenManHeader{Title: "LVSADM", Section: "8", Source: "lvsadm", Manual: "System Administration", Date: &manDate}
	if err := doc.GenManTree(root, hdr, manDir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	if err := addIpvsadmSection(filepath.Join(manDir, "lvsadm.8")); err != nil {
		return err
	}
	compDir := filepath.Join(dir, "completions")
	if err := os.MkdirAll(compDir, 0o755); err != nil {
		return err
	}
	for _, c := range []struct {
		file string
		gen  func(*bytes.Buffer) error
	}{
		{"lvsadm.bash", func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) }},
		{"lvsadm.zsh", func(b *bytes.Buffer) error { return root.GenZshCompletion(b) }},
		{"lvsadm.fish", func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) }},
	} {
		var b bytes.Buffer
		if err := c.gen(&b); err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		if err := os.WriteFile(filepath.Join(compDir, c.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// addIpvsadmSection puts the ipvsadm-compatible surface into lvsadm(8):
// cobra documents the subcommands, and this section documents every
// ipvsadm command and option, as "lvsadm -h" prints them.
func addIpvsadmSection(path string) error {
	page, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(".SH IPVSADM COMMANDS AND OPTIONS\n")
	b.WriteString("Any command line that starts with an option is an ipvsadm 1.31 command line, ")
	b.WriteString("parsed, executed and answered exactly as ipvsadm does (see ipvsadm(8) for the meaning of each option). ")
	b.WriteString("Invoked as \\fBipvsadm\\fP, \\fBipvsadm-save\\fP or \\fBipvsadm-restore\\fP (a symlink), the binary is that program.\n")
	b.WriteString(".PP\n.nf\n")
	for _, l := range strings.Split(strings.TrimRight(ipvsadm.Usage("lvsadm"), "\n"), "\n") {
		l = strings.ReplaceAll(l, `\`, `\\`)
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		b.WriteString(l + "\n")
	}
	b.WriteString(".fi\n")
	b.WriteString(".SH FILES\n.TP\n/etc/sysconfig/ha/lvs.cf\npiranha's configuration, see lvs.cf(5); \\fB$LVSADM_CONFIG\\fP names another.\n")
	b.WriteString(".TP\n/proc/net/ip_vs_conn\nthe kernel's connection table, read by \\fB-L -c\\fP.\n")
	section := b.String()
	text := string(page)
	if i := strings.Index(text, ".SH SEE ALSO"); i >= 0 {
		text = text[:i] + section + text[i:]
	} else {
		text += section
	}
	text = strings.Replace(text, ".SH SEE ALSO\n", ".SH SEE ALSO\n\\fBipvsadm(8)\\fP, \\fBlvs.cf(5)\\fP, ", 1)
	return os.WriteFile(path, []byte(text), 0o644)
}
