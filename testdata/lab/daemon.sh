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
	$IP link add "$3" type veth peer name "$peer"
	$IP link set "$3" netns "$2"
	$IP -n "$2" addr add "$4" dev "$3"
	$IP -n "$2" link set "$3" up
	$IP link set "$peer" master "$1"
	$IP link set "$peer" up
}

lab_daemon_topology() {
	lab_bridge br0
	lab_bridge br1
	lab_ns client
	lab_port br0 client eth0 192.168.100.2/24
	for d in 1 2; do
		lab_ns "d$d"
		lab_port br0 "d$d" eth0 "192.168.100.1$d/24"
		lab_port br1 "d$d" eth1 "10.10.0.1$d/24"
		$IP netns exec "d$d" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
	done
	for n in 1 2; do
		lab_ns "rs$n"
		lab_port br1 "rs$n" eth0 "10.10.0.$((n + 1))/24"
		$IP -n "rs$n" route add default via 10.10.0.254
		lab_httpd "rs$n" "rs$n"
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
	$IP link del br0 2>/dev/null
	$IP link del br1 2>/dev/null
	true
}
