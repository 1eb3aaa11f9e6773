// Command lvsadm administers Linux Virtual Server: an ipvsadm-compatible
// command line, piranha's lvs.cf tools, a TUI and a failover daemon.
package main

import (
	"os"

	"github.com/lvsadm/lvsadm/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args))
}
