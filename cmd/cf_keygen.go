package cmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/heartbeat"
)

// defaultKeyFile is where cf keygen writes when given no FILE, and the
// path its printed instructions use.
const defaultKeyFile = "/etc/lvsadm/heartbeat.key"

const cfKeygenLong = `Write a new random heartbeat key (32 bytes, as 64 hex digits) to FILE
(default ` + defaultKeyFile + `), created with mode 0600, and print what to add
on both directors.

Without a key, anyone who can send a UDP packet to port 539 from the
partner's address can move the virtual addresses ("stopped" and "stop-me"
heartbeats) or switch a director to piranha's plain heartbeats, which turns
the check that both directors run the same lvs.cf off. With the same key on
both directors every heartbeat is signed (HMAC-SHA256) and every unsigned,
forged or replayed one is dropped. A keyed director cannot pair with
piranha's pulse: key the pair once both directors run lvsadm.

The file is created, never overwritten: an existing FILE is refused unless
--force, and then replaced atomically (a new file renamed over it, so a
symbolic link at FILE is replaced, not followed). The directory must exist.
For a rollover without a flap, do not overwrite: add the new key as a second
line of the existing file on both directors (see /usr/share/doc/lvsadm/daemon.md).`

// CfKeygenOptions is what "lvsadm cf keygen" was asked to do.
type CfKeygenOptions struct {
	IO IOStreams

	File  string // the key file to write
	Force bool
}

// NewCmdCfKeygen is "lvsadm cf keygen"; runF as in NewCmdList.
func NewCmdCfKeygen(f *Factory, runF func(context.Context, *CfKeygenOptions) error) *cobra.Command {
	opts := &CfKeygenOptions{IO: f.IO, File: defaultKeyFile}
	c := &cobra.Command{
		Use:   "keygen [--force] [FILE]",
		Short: "Write a new heartbeat key file (mode 0600) and print how to use it on both directors",
		Long:  cfKeygenLong,
		Example: `  lvsadm cf keygen                              # writes ` + defaultKeyFile + `
  lvsadm cf keygen /etc/lvsadm/heartbeat.key && scp -p /etc/lvsadm/heartbeat.key backup:/etc/lvsadm/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfKeygenRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.Force, "force", false, "replace an existing FILE")
	return c
}

func cfKeygenRun(opts *CfKeygenOptions) error {
	io, path := opts.IO, opts.File
	id, err := writeKeyFile(path, opts.Force)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &exitError{code: 1, err: fmt.Errorf("%s exists; --force replaces it (for a rollover add a second key line instead): %w", path, err)}
		}
		return err
	}
	fmt.Fprintf(io.Out, `wrote a new heartbeat key to %[1]s (mode 0600, key id %[2]s)

1. Copy it to the same path on the other director, keeping it private:
     scp -p %[1]s OTHER-DIRECTOR:%[1]s
2. Start the daemon with it on both directors. With dist/systemd/lvsadm.service,
   put this line in /etc/default/lvsadm:
     LVSADM_DAEMON_ARGS="--heartbeat-key-file %[1]s"
   or add the flag to the daemon's command line:
     lvsadm daemon --heartbeat-key-file %[1]s
3. Restart the daemon on both directors (systemctl restart lvsadm); until both
   have the key they do not hear each other. "lvsadm status" lists the key id.
`, path, id)
	return nil
}

// writeKeyFile writes a new key to path and returns its key id. The file is
// created with O_EXCL|O_NOFOLLOW (mode 0600 from the start, so the secret is
// never readable by others); with force it is written beside path under a
// temporary name and renamed over it.
func writeKeyFile(path string, force bool) (string, error) {
	var raw [32]byte
	rand.Read(raw[:]) // never fails on Linux (Go 1.24+)
	line := hex.EncodeToString(raw[:])
	content := "# lvsadm heartbeat key (lvsadm cf keygen); the first key line signs, every line verifies\n" + line + "\n"
	// The daemon reads it back the same way: a key it would refuse is a bug here.
	kr, err := heartbeat.ParseKeys([]byte(content))
	if err != nil {
		return "", fmt.Errorf("generated key: %w", err)
	}
	target := path
	if force {
		target = filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.new-%x", filepath.Base(path), raw[:4]))
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return "", fmt.Errorf("heartbeat key file: %w", err)
	}
	if _, err = f.WriteString(content); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && force {
		err = os.Rename(target, path)
	}
	if err != nil {
		os.Remove(target)
		return "", fmt.Errorf("heartbeat key file: %w", err)
	}
	return kr.IDs()[0], nil
}
