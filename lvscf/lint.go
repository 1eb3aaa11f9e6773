package lvscf

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity uint8

const (
	SevError Severity = iota
	SevWarning
)

func (s Severity) String() string {
	if s == SevWarning {
		return "warning"
	}
	return "error"
}

// MarshalText makes severities "error" and "warning" in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "error" or "warning".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SevError
	case "warning":
		*s = SevWarning
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Diagnostic is one finding, positioned at a 1-based line and byte column.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"` // stable rule name, e.g. "unknown-key"; see Catalog
	Message  string   `json:"message"`
}

// String formats d as "file:line:col: error: message [code]".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", d.File, d.Line, d.Col, d.Severity, d.Message, d.Code)
}

// LintOptions select optional checks.
type LintOptions struct {
	// Piranha also reports what piranha itself would refuse or misread
	// although lvsadm accepts it: fractional seconds, IPv6, schedulers newer
	// than piranha's, lvsadm-only keys and the bgp block. It also turns piranha parser quirks
	// (CR line ends, blanks after a quoted word) from warnings into errors.
	Piranha bool
}

// piranhaErrors are warnings by default and errors with LintOptions.Piranha:
// lvsadm reads these files correctly, piranha does not.
var piranhaErrors = map[string]bool{
	"quote-trailing-blank": true, "crlf": true, "bare-cr": true,
	"vip-on-base-device": true, "device-conflict": true,
}

// Lint parses src and checks it. Diagnostics are sorted by position.
func Lint(file string, src []byte, opts LintOptions) []Diagnostic {
	return LintTree(Parse(file, src), opts)
}

// LintTree checks an already parsed file.
func LintTree(f *File, opts LintOptions) []Diagnostic {
	_, diags := lintAnalyze(f, opts)
	return diags
}

// LintDecode lints an already parsed file and returns its typed
// configuration from the same analysis: what the daemon's start and
// reloads need, at the cost of one parse and one analysis where LintFile
// then DecodeFile took two of each (a 10,000-server file's reload). cfg
// is nil when the diagnostics hold an error.
func LintDecode(f *File, opts LintOptions) (*Config, []Diagnostic) {
	a, diags := lintAnalyze(f, opts)
	if a == nil || HasErrors(diags) {
		return nil, diags
	}
	return a.cfg, diags
}

// lintAnalyze is LintTree's work, also returning the analysis (nil when
// the file was not analysed: keepalived syntax).
func lintAnalyze(f *File, opts LintOptions) (*analysis, []Diagnostic) {
	diags := append([]Diagnostic(nil), f.Diags...)
	if hasCode(f.Diags, "keepalived-syntax") {
		return nil, diags // the one error says it all
	}
	a := analyze(f, opts)
	diags = append(diags, a.diags...)
	if !hasCode(f.Diags, "file-too-large") {
		for _, rule := range rules {
			diags = append(diags, rule(a)...)
		}
	}
	if opts.Piranha {
		for i := range diags {
			if piranhaErrors[diags[i].Code] {
				diags[i].Severity = SevError
			}
		}
	}
	SortDiagnostics(diags)
	if len(diags) > MaxDiagnostics {
		last := diags[MaxDiagnostics-1]
		diags = append(diags[:MaxDiagnostics:MaxDiagnostics], Diagnostic{File: f.Name, Line: last.Line, Col: last.Col,
			Severity: SevError, Code: "too-many-diagnostics", Message: fmt.Sprintf("stopped after %d diagnostics", MaxDiagnostics)})
	}
	return a, diags
}

// rules are the cross-line checks; each returns its findings.
var rules = []func(*analysis) []Diagnostic{
	ruleLineEndings,
	ruleNames,
	ruleRequired,
	ruleGlobals,
	ruleVirtuals,
	ruleServers,
	ruleHealthChecks,
	ruleFwmarks,
	ruleServices,
	ruleDevices,
	ruleFailovers,
	rulePlaceholders,
	ruleBGP,
	ruleAnnounce,
	ruleSchedFlags,
	ruleFailback,
}

// SortDiagnostics orders diagnostics by file, line, column and code.
func SortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Code < b.Code
	})
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == SevError {
			return true
		}
	}
	return false
}

func hasCode(ds []Diagnostic, code string) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

// FormatDiagnostics renders diagnostics one per line.
func FormatDiagnostics(ds []Diagnostic) string {
	var sb strings.Builder
	for _, d := range ds {
		sb.WriteString(d.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}

// reporter collects diagnostics for a rule.
type reporter struct {
	a   *analysis
	out []Diagnostic
}

func (r *reporter) at(li int, col int, sev Severity, code, format string, args ...any) {
	if len(r.out) >= MaxDiagnostics {
		return
	}
	l := &r.a.f.Lines[li]
	if col <= 0 {
		col = l.Col(0)
	}
	r.out = append(r.out, Diagnostic{File: r.a.f.Name, Line: l.Num, Col: col, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
}

// atKey reports at the value of key in bi, or at the block's opening line
// (or the top of the file for the global section) when the key is absent.
func (r *reporter) atKey(bi *blockInfo, key string, sev Severity, code, format string, args ...any) {
	if li := bi.line(key); li >= 0 {
		r.at(li, r.a.f.Lines[li].Col(2), sev, code, format, args...)
		return
	}
	r.atBlock(bi.b, sev, code, format, args...)
}

func (r *reporter) atBlock(b *Block, sev Severity, code, format string, args ...any) {
	if b.Open >= 0 {
		r.at(b.Open, 0, sev, code, format, args...)
		return
	}
	r.out = append(r.out, Diagnostic{File: r.a.f.Name, Line: 1, Col: 1, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
}
