// Package heartbeat speaks piranha pulse's heartbeat protocol and holds
// pulse's failover state machine, so that an lvsadm director can pair with
// a piranha one and a pair can be migrated one director at a time.
//
// The wire format (verified in piranha's pulse.c, see docs/daemon.md) is a
// UDP datagram whose first four bytes are a magic number in the sender's
// byte order (little-endian on x86, where piranha runs). pulse reads a
// datagram into a 4-byte buffer, so bytes after the magic never reach it:
// lvsadm appends its own authenticated trailer there (config digest,
// serial_no, run id, sequence number and nonces against replays, HMAC-SHA256)
// without disturbing a piranha peer.
//
// Machine is pure logic: it is driven by explicit times, never reads a
// clock, and returns the actions (send, activate, deactivate, re-ARP) for
// its caller to perform. Transport owns the UDP sockets and Run ties the
// two together.
package heartbeat
