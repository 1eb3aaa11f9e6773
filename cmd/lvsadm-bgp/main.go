// Command lvsadm-bgp is lvsadm daemon's BGP speaker (GoBGP), run by the
// daemon as a helper process in ecmp mode and driven over a pipe; it is not
// meant to be run by hand. It lives apart from lvsadm so that lvsadm (and
// every ipvsadm command line it runs) does not link GoBGP.
package main

import (
	"os"

	"github.com/lvsadm/lvsadm/daemon/bgp/gobgpengine"
)

func main() {
	os.Exit(gobgpengine.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
