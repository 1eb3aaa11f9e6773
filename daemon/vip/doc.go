// Package vip moves the floating addresses (each active virtual server's
// address and the NAT router) between directors: it adds them through
// netlink with the interface alias as label (eth0:1), announces them with
// gratuitous ARP (IPv6: unsolicited neighbour advertisements), and removes
// them in reverse order when the director gives up.
//
// piranha did this with "/sbin/ifconfig DEV ADDR [netmask M broadcast B]
// up", then /usr/sbin/send_arp five times, one second apart, on the base
// device, and "/sbin/ifconfig DEV down" on the way out (pulse.c sendArps,
// deactivateLvs; see docs/daemon.md).
package vip
