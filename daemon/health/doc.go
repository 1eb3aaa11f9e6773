// Package health checks real servers the way piranha's nanny does, one
// goroutine per real server per virtual server, each stoppable through its
// context: a TCP connect, a send/expect exchange (substring or POSIX
// regular expression), a UDP probe, or an external program.
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
