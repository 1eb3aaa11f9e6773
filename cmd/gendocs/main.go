// Command gendocs regenerates lvsadm's man pages and shell completions from
// the cobra command tree (make docs). The output is committed, so that a
// change to a command's help shows up in review beside the code, and a test
// fails when the committed files are stale.
//
// The committed pages name no version (it changes with every commit) and
// carry manDate. The package build (dist/build.sh) runs gendocs again with
// -version and -date, so the installed pages name the version of the
// binary beside them (ipvsadm.Version, which the same build sets with
// -ldflags) and the date of its commit:
//
//	gendocs [-out DIR] [-version V -date YYYY-MM-DD]
package main

import (
	"bytes"
	"flag"
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
	out := flag.String("out", ".", "write man/ and completions/ below this directory")
	version := flag.String("version", "", "the version the pages name (default: none, as committed)")
	date := flag.String("date", "", "the date the pages carry, YYYY-MM-DD (default "+manDate.Format(time.DateOnly)+")")
	flag.Parse()
	if *date != "" {
		d, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gendocs: -date:", err)
			os.Exit(2)
		}
		manDate = d
	}
	if *version != "" {
		ipvsadm.Version = strings.TrimPrefix(*version, "v")
		pageVersion = ipvsadm.Version
	}
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs: ", err)
		os.Exit(1)
	}
}

// pageVersion is the version the pages name in their header and in
// ipvsadm's banner line; "" names none.
var pageVersion string

// pageSource is the header's source field: the package and its version.
func pageSource() string {
	if pageVersion == "" {
		return "lvsadm"
	}
	return "lvsadm " + pageVersion
}

// generate writes man/ and completions/ below dir.
func generate(dir string) error {
	root := cmd.NewRootCmd(cmd.NewFactory(cmd.IOStreams{In: os.Stdin, Out: new(bytes.Buffer), ErrOut: os.Stderr}))
	root.DisableAutoGenTag = true
	manDir := filepath.Join(dir, "man")
	if err := os.MkdirAll(manDir, 0o755); err != nil {
		return err
	}
	hdr := &doc.GenManHeader{Title: "LVSADM", Section: "8", Source: pageSource(), Manual: "System Administration", Date: &manDate}
	if err := doc.GenManTree(root, hdr, manDir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	if err := addIpvsadmSection(filepath.Join(manDir, "lvsadm.8")); err != nil {
		return err
	}
	if err := writeDropInPages(manDir); err != nil {
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
		{"lvsadm.bash", func(b *bytes.Buffer) error {
			var gen bytes.Buffer
			if err := root.GenBashCompletionV2(&gen, true); err != nil {
				return err
			}
			script, err := selfSufficientBash(gen.String())
			b.WriteString(script)
			return err
		}},
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
	b.WriteString("Invoked as \\fBipvsadm\\fP, \\fBipvsadm-save\\fP or \\fBipvsadm-restore\\fP (a symlink), the binary is that program. ")
	b.WriteString("The \\fBlvsadm-ipvsadm\\fP package installs those names from the drop-in build of the same code (\\fB/usr/sbin/ipvsadm\\fP), ")
	b.WriteString("which links only the ipvsadm surface and so starts faster in shell loops; its behaviour and output are lvsadm's.\n")
	b.WriteString(".PP\n")
	usage := ipvsadm.Usage("lvsadm")
	if pageVersion == "" {
		// The first line names the version: a committed page has none.
		usage = usageWithoutBanner("lvsadm")
	}
	b.WriteString(roffLiteral(usage))
	b.WriteString(filesSection)
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

// roffLiteral sets text as a no-fill block, escaped so that no line is
// read as a roff request.
func roffLiteral(text string) string {
	var b strings.Builder
	b.WriteString(".nf\n")
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.ReplaceAll(l, `\`, `\\`)
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		b.WriteString(l + "\n")
	}
	b.WriteString(".fi\n")
	return b.String()
}

// usageWithoutBanner is ipvsadm's -h text without its first line, which
// names the version (the page's header does that).
func usageWithoutBanner(prog string) string {
	_, rest, _ := strings.Cut(ipvsadm.Usage(prog), "\n")
	return rest
}

// writeDropInPages writes ipvsadm(8), ipvsadm-save(8) and
// ipvsadm-restore(8) for the lvsadm-ipvsadm package: it replaces the
// distribution's ipvsadm package, and with it the pages an administrator
// types "man ipvsadm" for.
func writeDropInPages(manDir string) error {
	date := manDate.Format("Jan 2006")
	head := func(name string) string {
		return fmt.Sprintf(".nh\n.TH \"%s\" \"8\" \"%s\" \"%s\" \"System Administration\"\n", strings.ToUpper(name), date, pageSource())
	}
	pages := map[string]string{
		"ipvsadm.8": head("ipvsadm") + `.SH NAME
ipvsadm \- Linux Virtual Server administration (lvsadm's drop-in build)
.SH SYNOPSIS
` + roffLiteral(usageWithoutBanner("ipvsadm")) + `.SH DESCRIPTION
This \fBipvsadm\fP is lvsadm's implementation of ipvsadm 1.31: every command and
option above, parsed as ipvsadm parses them (popt's rules: \fB-Ln\fP, \fB-p\fP
with or without a value, long options with \fB=\fP), with ipvsadm's output,
messages and exit codes byte for byte, talking to the kernel's IPVS over
generic netlink and reading connections from \fB/proc/net/ip_vs_conn\fP.
It is the same code as \fBlvsadm\fP(8) run with an option as its first
argument, built without lvsadm's other parts so that it starts faster when
scripts call it in loops.
.PP
\fB-h\fP prints the summary above; \fB-v\fP and the first line of \fB-h\fP
name lvsadm and its version in ipvsadm's shape.
.SH EXIT STATUS
As ipvsadm's: 0 on success; 1 when the kernel refused a command; 2 when an
argument or a combination of options is refused; 255 for an option that
does not parse (after "Try ` + "`" + `ipvsadm -h' ...").
.SH FILES
.TP
/proc/net/ip_vs_conn
the kernel's connection table, read by \fB-L -c\fP.
.TP
/etc/ipvsadm.rules
where \fBlvsadm-rules.service\fP keeps the table saved with \fB-S\fP.
.SH SEE ALSO
\fBlvsadm\fP(8), \fBipvsadm-save\fP(8), \fBipvsadm-restore\fP(8), \fBlvs.cf\fP(5)
`,
		"ipvsadm-save.8": head("ipvsadm-save") + `.SH NAME
ipvsadm-save \- print the IPVS table as ipvsadm commands
.SH SYNOPSIS
\fBipvsadm-save\fP [\fB-n\fP]
.SH DESCRIPTION
Prints the table as \fBipvsadm -S\fP does, one ipvsadm command line per
service and real server, which \fBipvsadm-restore\fP(8) reads back.
\fB-n\fP prints addresses and ports numerically. Any other option prints
a usage message and exits 1; other words are ignored, as in the script of
Debian's ipvsadm package.
.SH SEE ALSO
\fBipvsadm\fP(8), \fBipvsadm-restore\fP(8), \fBlvsadm\fP(8)
`,
		"ipvsadm-restore.8": head("ipvsadm-restore") + `.SH NAME
ipvsadm-restore \- replace the IPVS table with rules read from standard input
.SH SYNOPSIS
\fBipvsadm-restore\fP < \fIrules\fP
.SH DESCRIPTION
Clears the table (\fBipvsadm -C\fP), then reads ipvsadm command lines from
standard input as \fBipvsadm -R\fP does, dropping lines that start with
\fB#\fP, as the script of Debian's ipvsadm package. For a restore that
checks every line first, or applies all or nothing, see
\fBlvsadm restore --check\fP and \fB--atomic\fP in \fBlvsadm-restore\fP(8).
.SH SEE ALSO
\fBipvsadm\fP(8), \fBipvsadm-save\fP(8), \fBlvsadm\fP(8)
`,
	}
	for name, text := range pages {
		if err := os.WriteFile(filepath.Join(manDir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// filesSection is lvsadm(8)'s FILES: the installed paths (dist/nfpm.yaml
// and the systemd units), never the source tree's.
const filesSection = `.SH FILES
.TP
/etc/sysconfig/ha/lvs.cf
piranha's configuration, see lvs.cf(5); \fB$LVSADM_CONFIG\fP names another.
.TP
/etc/default/lvsadm
the daemon's extra flags (\fBLVSADM_DAEMON_ARGS\fP), read by lvsadm.service.
.TP
/usr/lib/systemd/system/lvsadm.service
runs \fBlvsadm daemon\fP; \fBsystemctl reload lvsadm\fP runs \fBlvsadm reload\fP.
.TP
/run/lvsadm/lvsadm.sock
the daemon's control socket, read by \fBlvsadm status\fP, \fBtui\fP and \fBtop\fP.
.TP
/proc/net/ip_vs_conn
the kernel's connection table, read by \fB-L -c\fP.
.TP
/usr/share/bash-completion/completions/lvsadm
bash completion (also for zsh and fish; \fBlvsadm completion\fP prints them).
.TP
/usr/share/doc/lvsadm/
README.md and the guides: daemon.md, cf.md, tui.md, ipvsadm.md.
`
