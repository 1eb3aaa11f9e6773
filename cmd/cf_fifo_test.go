package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCfRefusesFIFO is issue 11 item 9: cf lint, fmt and import on a FIFO
// nobody writes to hung inside open(2) (and ignored SIGINT/SIGTERM); they
// now fail at once with a usage error that says what the path is.
func TestCfRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "lvs.cf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, args := range [][]string{{"lint", fifo}, {"fmt", fifo}, {"import", fifo}} {
		t.Run(args[0], func(t *testing.T) {
			type result struct {
				errOut string
				code   int
			}
			done := make(chan result, 1)
			go func() {
				_, errOut, code := runCf(t, "", args...)
				done <- result{errOut, code}
			}()
			select {
			case r := <-done:
				if r.code == 0 || !strings.Contains(r.errOut, "not a regular file (a FIFO)") {
					t.Errorf("code %d, stderr:\n%s", r.code, r.errOut)
				}
			case <-time.After(30 * time.Second): // expected: milliseconds
				// Release the blocked open so the test binary can end.
				if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				t.Fatal("blocked on the FIFO")
			}
		})
	}
}
