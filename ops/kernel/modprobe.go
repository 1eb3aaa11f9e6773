package kernel

import (
	"context"
	"io"
	"os/exec"
	"time"
)

// modprobePath is Modprobe; tests point it elsewhere.
var modprobePath = Modprobe

// loadModule does what ipvsadm's modprobe_ipvs does when it cannot reach
// IPVS: run "/sbin/modprobe -- ip_vs" and wait for it. It fails when the
// program cannot run or exits non-zero.
func loadModule(stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, modprobePath, "--", "ip_vs")
	cmd.Stderr = stderr
	return cmd.Run()
}
