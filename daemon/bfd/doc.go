// Package bfd is a small single-hop BFD speaker (RFC 5880 asynchronous
// mode over RFC 5881's UDP): it tells the router in front of an ECMP group
// within a few hundred milliseconds that a director is gone, which BGP's
// hold timer (3 s at the least with BIRD) cannot.
//
// Why our own and not GoBGP's: GoBGP 4.8's built-in BFD did not
// interoperate with BIRD 2 in the lab. After a session went down GoBGP
// kept sending the peer's old discriminator as Your Discriminator, where
// RFC 5880 6.8.1 and 6.8.4 zero bfd.RemoteDiscr after a Detection Time of
// silence; BIRD, having started a new session, logged "Bad packet from
// 10.0.0.11 - unknown session id" for every packet, the session never came
// back Up, and GoBGP reset its BGP session ("cease administrative reset")
// every few seconds, so the routes flapped.
//
// What is implemented: the state machine (Down, Init, Up, AdminDown) with
// the reception rules of RFC 5880 6.8.6 and the discard checks before
// them; Detection Time = the peer's multiplier x the agreed interval, after
// which the session goes Down and the remote discriminator is forgotten;
// transmission every max(Desired Min TX, the peer's Required Min RX) less
// 0-25% jitter; a Desired Min TX of 1 s while not Up (6.8.3) and the
// configured interval once Up, announced with a Poll Sequence; every Poll
// answered with a Final at once; AdminDown sent when a session is removed
// or the agent stops. Not implemented: authentication (packets with the A
// bit are discarded), echo mode and demand mode.
//
// RFC 5881: packets go to UDP port 3784 from a source port in 49152-65535
// (one sending socket per session, so the port stays the session's), with
// TTL or hop limit 255, and a received packet whose TTL or hop limit is
// not 255 (read with IP_RECVTTL, IPV6_RECVHOPLIMIT; Linux applies IP_MINTTL
// to TCP only) is dropped: it crossed a router (GTSM, RFC 5082). One agent per daemon holds port 3784 and demultiplexes
// by Your Discriminator, or by source address when that is 0.
//
// An Agent runs one goroutine for all its sessions (the machine of each is
// plain data, driven with explicit times, which is how the tests walk the
// state table) and one reader per receiving socket; Stop or the Start
// context ends them all.
package bfd
