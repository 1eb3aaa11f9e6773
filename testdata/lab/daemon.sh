# Two LVS-NAT directors on shared segments, for "lvsadm daemon" failover
# tests. Source after topology.sh (busybox sh).
#
#   client 192.168.100.2 ─┐                      ┌─ rs1 10.10.0.2 (httpd)
#                         br0 (public)    br1 (real servers)
#   d1 eth0 192.168.100.11┤                      ├ d1 eth1 10.10.0.11
#   d2 eth0 192.168.100.12┘                      ├ d2 eth1 10.10.0.12
#                                                └─ rs2 10.10.0.3 (httpd)
#
# The floating addresses are the VIP 192.168.100.10 (eth0:1) and the NAT
# router 10.10.0.254 (eth1:1), the real servers' default gateway; the
# directors run the daemon, which moves both.

# lab_bridge NAME: a bridge in the root namespace.
lab_bridge() {
	$IP link add "$1" type bridge && $IP link set "$1" up
}

# lab_port BRIDGE NS IFNAME ADDR: a veth from namespace NS (named IFNAME,
# address ADDR in CIDR form) to BRIDGE.
lab_port() {
	peer="p-$2-$3"
	$IP link add "$3" type veth peer name "$peer" &&
		$IP link set "$3" netns "$2" &&
		$IP -n "$2" addr add "$4" dev "$3" &&
		$IP -n "$2" link set "$3" up &&
		$IP link set "$peer" master "$1" &&
		$IP link set "$peer" up
}

# Any step that fails fails the whole (the callers' tests stop there).
lab_daemon_topology() {
	lab_bridge br0 && lab_bridge br1 || return 1
	lab_ns client && lab_port br0 client eth0 192.168.100.2/24 || return 1
	for d in 1 2; do
		lab_ns "d$d" &&
			lab_port br0 "d$d" eth0 "192.168.100.1$d/24" &&
			lab_port br1 "d$d" eth1 "10.10.0.1$d/24" &&
			$IP netns exec "d$d" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' || return 1
	done
	for n in 1 2; do
		lab_ns "rs$n" &&
			lab_port br1 "rs$n" eth0 "10.10.0.$((n + 1))/24" &&
			$IP -n "rs$n" route add default via 10.10.0.254 &&
			lab_httpd "rs$n" "rs$n" || return 1
	done
}

# lab_httpd_stop NS: stop the namespace's httpd.
lab_httpd_stop() {
	for p in $($IP netns pids "$1"); do
		case "$(cat /proc/$p/comm 2>/dev/null)" in httpd) kill "$p" ;; esac
	done
}

# lab_daemon_teardown: namespaces (and their processes) and the bridges.
lab_daemon_teardown() {
	lab_teardown
	$IP link del br0 2>/dev/null || true
	$IP link del br1 2>/dev/null || true
	# A namespace dies, with its veths, once its last process has gone;
	# until then the bridge-side ends (p-*) stay here and the next
	# topology's names collide with them.
	i=0
	while $IP -o link show | grep -q ': p-' && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	true
}

# lab_dr_topology: turns lab_daemon_topology into LVS-DR. The real servers
# hold the VIP on lo and neither answer ARP for it (arp_ignore=1) nor use
# it as an ARP source (arp_announce=2); they answer the client through the
# router gw (10.10.0.1 on br1, 192.168.100.1 on br0), never through a
# director.
lab_dr_topology() {
	lab_ns gw &&
		lab_port br0 gw eth0 192.168.100.1/24 &&
		lab_port br1 gw eth1 10.10.0.1/24 &&
		$IP netns exec gw sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward; for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done' || return 1
	for n in 1 2; do
		$IP -n "rs$n" addr add 192.168.100.10/32 dev lo &&
			$IP netns exec "rs$n" sh -c 'echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore; echo 2 >/proc/sys/net/ipv4/conf/all/arp_announce' &&
			$IP -n "rs$n" route replace default via 10.10.0.1 || return 1
	done
}
