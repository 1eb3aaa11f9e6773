// Package keepalived reads keepalived.conf and converts between it and
// piranha's lvs.cf.
//
// The reader (Parse, ParseFile) knows keepalived's generic syntax, not its
// keywords: statements of words, nested "{ }" blocks, "#" and "!" comments
// anywhere outside quotes, quoted strings, and "include" with relative
// paths, glob patterns and brace expressions. Every node keeps its file
// and line so that messages can say "keepalived.conf:14". It never panics
// and bounds what it reads (file size, include depth, number of files,
// nesting).
//
// Import turns the virtual_server and vrrp_instance parts into an lvs.cf in
// piranha's layout; Export does the reverse. Both list every setting they
// could not carry over as a Warning. See docs/keepalived.md for the
// mapping and its sources.
package keepalived
