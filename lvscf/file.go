package lvscf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lvsadm/lvsadm/internal/regfile"
)

// DefaultPath is where piranha keeps its configuration.
const DefaultPath = "/etc/sysconfig/ha/lvs.cf"

// ErrTooLarge is wrapped when a file exceeds MaxFileSize.
var ErrTooLarge = errors.New("file too large")

// SyntaxError carries the error diagnostics that stopped an operation.
type SyntaxError struct {
	Diags []Diagnostic
}

func (e *SyntaxError) Error() string {
	var errs []string
	for _, d := range e.Diags {
		if d.Severity == SevError {
			errs = append(errs, d.String())
		}
	}
	if len(errs) > 3 {
		errs = append(errs[:3], fmt.Sprintf("(and %d more)", len(errs)-3))
	}
	return strings.Join(errs, "\n")
}

// ReadFile reads a configuration, refusing files over MaxFileSize without
// reading them whole. "-" reads standard input.
func ReadFile(path string) ([]byte, error) {
	var r io.Reader
	size := 0
	if path == "-" {
		r = os.Stdin
	} else {
		// A FIFO or device is refused: opening a FIFO blocks until a
		// writer comes, beyond the reach of signals (regfile).
		fh, err := regfile.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read lvs.cf: %w", err)
		}
		defer fh.Close()
		r = fh
		if st, err := fh.Stat(); err == nil && st.Size() <= MaxFileSize {
			size = int(st.Size())
		}
	}
	// Sized from the file once: read into a growing slice, the daemon's
	// reload of a 1.2 MB file allocated 2.9 MB.
	var buf bytes.Buffer
	buf.Grow(size + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxFileSize+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b := buf.Bytes()
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("read %s: %w (more than %d bytes)", path, ErrTooLarge, MaxFileSize)
	}
	return b, nil
}

// ParseFile reads and parses a file. Syntax problems are in File.Diags;
// the error is for I/O and size only.
func ParseFile(path string) (*File, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b), nil
}

// LintFile reads and lints a file. A file over MaxFileSize yields one
// file-too-large diagnostic rather than an error.
func LintFile(path string, opts LintOptions) ([]Diagnostic, error) {
	b, err := ReadFile(path)
	if errors.Is(err, ErrTooLarge) {
		return []Diagnostic{{File: path, Line: 1, Col: 1, Severity: SevError, Code: "file-too-large", Message: err.Error()}}, nil
	}
	if err != nil {
		return nil, err
	}
	return Lint(path, b, opts), nil
}

// DecodeFile reads a file and returns its typed configuration. It fails
// with a *SyntaxError when Lint finds errors, so callers such as render
// and diff never act on a configuration piranha would not have loaded.
func DecodeFile(path string) (*Config, error) {
	f, err := ParseFile(path)
	if err != nil {
		return nil, err
	}
	a := analyze(f, LintOptions{})
	diags := append(append([]Diagnostic(nil), f.Diags...), a.diags...)
	if HasErrors(diags) {
		SortDiagnostics(diags)
		return nil, &SyntaxError{Diags: diags}
	}
	return a.cfg, nil
}

// FormatSource formats src, refusing input with syntax errors (whose
// meaning Format could not be sure to keep).
func FormatSource(name string, src []byte) ([]byte, error) {
	f := Parse(name, src)
	if HasErrors(f.Diags) {
		return nil, &SyntaxError{Diags: f.Diags}
	}
	return Format(f), nil
}

// WriteFile replaces path with data atomically (a temporary file in the
// same directory, then rename), keeping the old file's permissions.
func WriteFile(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Edit applies fn to the parsed file at path and writes the result back
// atomically if fn succeeds; it is the shape of lvsadm cf set/add/delete.
// Files with syntax errors are refused, since an edit could not be placed
// reliably in a tree whose blocks are broken.
func Edit(path string, fn func(*File) error) error {
	f, err := ParseFile(path)
	if err != nil {
		return err
	}
	if HasErrors(f.Diags) {
		return &SyntaxError{Diags: f.Diags}
	}
	if err := fn(f); err != nil {
		return err
	}
	return WriteFile(path, f.Bytes())
}
