package daemon

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// sdNotify sends a state to systemd over the NOTIFY_SOCKET datagram socket
// (sd_notify(3)'s protocol, written here to avoid a dependency). Without
// NOTIFY_SOCKET it does nothing.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:] // abstract namespace
	} else if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("sd_notify: unsupported NOTIFY_SOCKET %q", path)
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}
