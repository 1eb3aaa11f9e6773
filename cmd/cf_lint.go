package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/lvscf"
)

const cfLintLong = `Check lvs.cf files and report every problem found, one per line:

  FILE:LINE:COL: error|warning: MESSAGE [CODE]

On a terminal each finding is followed by its source line with a caret under
the column (--source=always|never overrides). CODE names the rule; --list-rules
prints them all. With --piranha, lint also reports what lvsadm accepts but
piranha itself would reject or misread (fractional seconds, IPv6, newer
schedulers, CR line ends, blanks after a quoted word). With --host, lint
also checks the file against this host: each active firewall-mark virtual
server needs an iptables mangle PREROUTING rule setting its mark
(iptables -t mangle -S PREROUTING is read; when it cannot be, one warning
says so).

Exit status: 0 when no file has errors (warnings alone give 0 unless
--strict); 1 when a file has errors (or warnings, with --strict); 2 when a
file cannot be read. With -o json the findings of all files are one JSON
document, {"schema_version": 1, "diagnostics": [{file, line, col,
severity, code, message}...]}; field names are stable.`

// CfLintOptions is what "lvsadm cf lint" was asked to do.
type CfLintOptions struct {
	IO IOStreams

	Files      []string // the default lvs.cf when none is named
	Output     string   // text or json
	ShowSource bool     // --source, resolved against the terminal
	Piranha    bool
	Host       bool
	Strict     bool
	ListRules  bool
}

// NewCmdCfLint is "lvsadm cf lint"; runF as in NewCmdList.
func NewCmdCfLint(f *Factory, runF func(context.Context, *CfLintOptions) error) *cobra.Command {
	opts := &CfLintOptions{IO: f.IO}
	var source string
	c := &cobra.Command{
		Use:   "lint [FILE...]",
		Short: "Check lvs.cf files for errors and likely mistakes",
		Long:  cfLintLong,
		Example: `  lvsadm cf lint
  lvsadm cf lint --piranha --strict /etc/sysconfig/ha/lvs.cf   # in CI: warnings fail too
  lvsadm cf lint -o json lvs.cf | jq '.diagnostics[] | select(.severity == "error")'
  lvsadm cf lint --host             # also check this host's iptables fwmark rules
  lvsadm cf lint --list-rules`,
		RunE: func(c *cobra.Command, args []string) error {
			if source != "auto" && source != "always" && source != "never" {
				return &exitError{code: 2, err: fmt.Errorf("unknown --source %q: expected auto, always or never", source)}
			}
			opts.ShowSource = source == "always" || source == "auto" && opts.Output == formatText && isTerminal(opts.IO.Out)
			opts.Files = f.cfFiles(args)
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfLintRun(c.Context(), opts)
		},
	}
	addOutputFlag(c, &opts.Output, formatText, formatJSON)
	c.Flags().BoolVar(&opts.Piranha, "piranha", false, "also report what piranha itself would reject")
	c.Flags().BoolVar(&opts.Host, "host", false, "also check this host: iptables MARK rules for firewall-mark virtual servers")
	c.Flags().BoolVar(&opts.Strict, "strict", false, "exit 1 on warnings too")
	c.Flags().BoolVar(&opts.ListRules, "list-rules", false, "list the rules (codes) lint reports, and exit")
	c.Flags().StringVar(&source, "source", "auto", "show the source line under each finding: auto (on a terminal), always or never")
	_ = c.RegisterFlagCompletionFunc("source", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func cfLintRun(ctx context.Context, opts *CfLintOptions) error {
	io := opts.IO
	if opts.ListRules {
		return cfListRules(io, opts.Output)
	}
	var all []lvscf.Diagnostic
	unreadable := false
	for _, path := range opts.Files {
		name, src, err := cfRead(io, path)
		var diags []lvscf.Diagnostic
		switch {
		case errors.Is(err, lvscf.ErrTooLarge):
			diags = []lvscf.Diagnostic{{File: name, Line: 1, Col: 1, Severity: lvscf.SevError, Code: "file-too-large", Message: err.Error()}}
		case err != nil:
			fmt.Fprintf(io.ErrOut, "lvsadm: %v\n", err)
			unreadable = true
			continue
		default:
			diags = lvscf.Lint(name, src, lvscf.LintOptions{Piranha: opts.Piranha})
			if opts.Host {
				diags = append(diags, hostChecks(ctx, name, src)...)
				lvscf.SortDiagnostics(diags)
			}
		}
		all = append(all, diags...)
		if opts.Output == formatText {
			writeDiagnostics(io.Out, diags, src, opts.ShowSource)
		}
	}
	if opts.Output == formatJSON {
		if all == nil {
			all = []lvscf.Diagnostic{} // [], not null
		}
		if err := writeMachine(io.Out, opts.Output, lintReport{schemaVersion, all}); err != nil {
			return err
		}
	}
	switch {
	case unreadable:
		return cfExit(2)
	case lvscf.HasErrors(all), opts.Strict && len(all) > 0:
		return cfExit(1)
	}
	return nil
}

// lintReport is "cf lint -o json": the findings of every file.
type lintReport struct {
	SchemaVersion int                `json:"schema_version"`
	Diagnostics   []lvscf.Diagnostic `json:"diagnostics"`
}

// rulesReport is "cf lint --list-rules -o json".
type rulesReport struct {
	SchemaVersion int        `json:"schema_version"`
	Rules         []lintRule `json:"rules"`
}

type lintRule struct {
	Code     string         `json:"code"`
	Severity lvscf.Severity `json:"severity"`
	Piranha  bool           `json:"piranha"`
	Summary  string         `json:"summary"`
}

// writeDiagnostics prints findings, each optionally followed by its
// source line and a caret under its column.
func writeDiagnostics(w io.Writer, diags []lvscf.Diagnostic, src []byte, showSource bool) {
	var lines []string
	if showSource {
		lines = strings.Split(string(src), "\n")
	}
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
		if !showSource || d.Line < 1 || d.Line > len(lines) {
			continue
		}
		line := strings.TrimSuffix(lines[d.Line-1], "\r")
		if len(line) > 1024 || !utf8.ValidString(line) {
			continue // not worth printing; the position says it all
		}
		fmt.Fprintln(w, line)
		fmt.Fprintln(w, caretLine(line, d.Col))
	}
}

// caretLine puts a caret under byte column col (1-based) of line. Tabs
// before it are kept so that the caret lines up however tabs are shown.
func caretLine(line string, col int) string {
	if col < 1 {
		col = 1
	}
	if col > len(line)+1 {
		col = len(line) + 1
	}
	var b strings.Builder
	for _, r := range line[:col-1] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

// cfListRules prints lvscf.Catalog.
func cfListRules(io IOStreams, output string) error {
	if output == formatJSON {
		out := rulesReport{SchemaVersion: schemaVersion, Rules: make([]lintRule, 0, len(lvscf.Catalog))}
		for _, r := range lvscf.Catalog {
			out.Rules = append(out.Rules, lintRule{r.Code, r.Severity, r.Piranha, r.Summary})
		}
		return writeMachine(io.Out, output, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tSEVERITY\tSUMMARY")
	for _, r := range lvscf.Catalog {
		sev := r.Severity.String()
		if r.Piranha {
			sev += " (piranha)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Code, sev, r.Summary)
	}
	return tw.Flush()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
