package bfd

import (
	"testing"

	"golang.org/x/sys/unix"
)

func setTTL(t *testing.T, fd uintptr, ttl int) {
	t.Helper()
	if err := unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, ttl); err != nil {
		t.Fatal(err)
	}
}
