// Package bgp announces a director's VIPs to its router with BGP, so that
// several active directors can sit behind the router's ECMP (issue 12).
//
// This is the daemon's side: the configuration and status types, and the
// Speaker, which runs the BGP engine (GoBGP, package gobgpengine) in the
// lvsadm-bgp helper process and drives it over a pipe (wire.go). The
// engine lives in its own program so that lvsadm does not link GoBGP:
// with it, every lvsadm start paid 5 ms of gRPC and protobuf package
// initialisers and the binary was 22 MB instead of 8 MB, and the daemon
// of a pair, which never speaks BGP, carried it in memory.
//
// The Speaker keeps what the daemon asked (configuration, routes, a
// withdrawal), so a helper that dies is started again and brought back
// to it; the helper ends when its input does, so it never outlives the
// daemon.
package bgp
