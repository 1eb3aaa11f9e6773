// Command gendocs regenerates lvsadm's man pages and shell completions from
// the cobra command tree (make docs). The output is committed, so that a
// change to a command's help shows up in review beside the code.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra/doc"

	"github.com/lvsadm/lvsadm/cmd"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run() error {
	root := cmd.NewRootCmd(cmd.IOStreams{In: os.Stdin, Out: new(bytes.Buffer), ErrOut: os.Stderr})
	root.DisableAutoGenTag = true
	if err := os.MkdirAll("man", 0o755); err != nil {
		return err
	}
	hdr := &doc.GenManHeader{Title: "LVSADM", Section: "8", Source: "lvsadm", Manual: "System Administration"}
	if err := doc.GenManTree(root, hdr, "man"); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	if err := os.MkdirAll("completions", 0o755); err != nil {
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
		if err := os.WriteFile(filepath.Join("completions", c.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
