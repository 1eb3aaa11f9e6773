package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// schemaVersion is the schema_version of the documents lvsadm's own
// commands print for machines (cf lint, cf lint --list-rules, cf diff):
// it goes up when a field is renamed, removed or changes meaning, not
// when one is added. "lvsadm list" has ops.TableSchemaVersion and
// "lvsadm status" control.StatusSchemaVersion, each beside its type.
// docs/output.md lists the stable field names.
const schemaVersion = 1

// Output formats of -o/--output.
const (
	formatText = "text"
	formatJSON = "json"
	formatYAML = "yaml"
)

// outputFormat is the value of -o/--output FORMAT, the one flag with
// which every command that prints for machines chooses its format (list,
// status, cf lint, cf diff). As a pflag.Value a format the command does
// not print is refused while the flags are parsed: a usage error, exit 2,
// with the "Try ... --help" line, before anything is opened.
type outputFormat struct {
	p       *string // the command's own field (an options struct's)
	formats []string
}

func (o *outputFormat) String() string { return *o.p }
func (o *outputFormat) Type() string   { return "format" }

func (o *outputFormat) Set(s string) error {
	if !slices.Contains(o.formats, s) {
		return fmt.Errorf("unknown output format %q: expected %s", s, orList(o.formats))
	}
	*o.p = s
	return nil
}

// addOutputFlag registers -o/--output on c, with formats[0] as the
// default, and completes the formats. The format chosen is in *p once the
// flags are parsed.
func addOutputFlag(c *cobra.Command, p *string, formats ...string) {
	*p = formats[0]
	c.Flags().VarP(&outputFormat{p: p, formats: formats}, "output", "o", "output format: "+orList(formats))
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// writeMachine writes v as format (json: indented, one document; yaml:
// block style). Text output is each command's own.
func writeMachine(w io.Writer, format string, v any) error {
	switch format {
	case formatYAML:
		if err := writeYAML(w, v); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
	case formatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// Read by people and jq, never pasted into HTML: "<stdin>" as
		// it is, not "\u003cstdin\u003e".
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
	default:
		return fmt.Errorf("no machine-readable output format %q", format)
	}
	return nil
}

// outFile is --out FILE of the commands that write a file rather than
// print a format (cf import, cf export). They once took -o/--output FILE,
// before -o meant a format everywhere else; that spelling still works,
// hidden from help, with a warning on standard error, so that scripts
// keep working until they are changed.
type outFile struct {
	path, legacy string
}

func (o *outFile) register(c *cobra.Command, usage string) {
	c.Flags().StringVar(&o.path, "out", "", usage)
	c.Flags().StringVarP(&o.legacy, "output", "o", "", "deprecated: use --out FILE")
	_ = c.Flags().MarkHidden("output")
}

// file is the file to write ("" or "-": standard output). The old
// spelling warns on errOut; both at once is a usage error.
func (o *outFile) file(c *cobra.Command, errOut io.Writer) (string, error) {
	if !c.Flags().Changed("output") {
		return o.path, nil
	}
	if c.Flags().Changed("out") {
		return "", &exitError{code: 2, err: errors.New("--out and -o/--output name the same file: give --out only")}
	}
	fmt.Fprintf(errOut, "lvsadm: warning: %s -o/--output FILE is deprecated: use --out FILE (-o names an output format in the other commands)\n", c.CommandPath())
	return o.legacy, nil
}
