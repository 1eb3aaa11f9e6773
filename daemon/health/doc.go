// Package health checks real servers the way piranha's nanny does: a TCP
// connect, a send/expect exchange (substring or POSIX regular
// expression), a UDP probe, or an external program, for every real server
// of every virtual server.
//
// Unlike nanny's process per server, one scheduler (a heap of due times,
// one dispatching goroutine) starts the checks, at most a bounded number
// at once, spread over their interval; targets with the same check share
// one probe and each keeps its own state. A check the director itself
// could not run (out of descriptors, buffers or memory, a program that
// cannot start) changes no server's state.
//
// Every check is bounded in time (the virtual's timeout covers connect,
// send and read together) and in bytes (at most what the expectation needs,
// never more than MaxAnswer), so a server that hangs, resets, streams
// endlessly or accepts and never answers costs one timeout and nothing else.
//
// Transitions follow nanny: a server is checked every timeout seconds; one
// failed check takes an up server down; it comes back once its good checks
// have spanned reentry seconds. The very first good check brings a server
// up at once (nanny starts its counter at the threshold).
package health
