# Shell functions that build multi-host scenarios inside the lab VM out of
# network namespaces and veth pairs. Source it (busybox sh) and call them.
# iproute2's ip is called by full path: busybox's own ip has no netns.
IP=/usr/sbin/ip

# lab_ns NAME: a namespace with loopback up.
lab_ns() {
	$IP netns add "$1" && $IP -n "$1" link set lo up
}

# lab_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two
# namespaces ("-" is the VM's root namespace, where the director lives by
# default); addresses in CIDR form, "-" for none.
lab_link() {
	$IP link add "$2" type veth peer name "$5"
	_lab_place "$1" "$2" "$3"
	_lab_place "$4" "$5" "$6"
}

_lab_place() {
	ns=$1 ifc=$2 addr=$3
	if [ "$ns" != "-" ]; then
		$IP link set "$ifc" netns "$ns"
		run="$IP -n $ns"
	else
		run="$IP"
	fi
	[ "$addr" != "-" ] && $run addr add "$addr" dev "$ifc"
	$run link set "$ifc" up
}

# lab_exec NS CMD...: run a command in a namespace ("-" for the root one).
lab_exec() {
	ns=$1; shift
	if [ "$ns" = "-" ]; then "$@"; else $IP netns exec "$ns" "$@"; fi
}

# lab_httpd NS NAME: busybox httpd on port 80 whose page says NAME.
lab_httpd() {
	mkdir -p "/tmp/www-$1"
	echo "$2" >"/tmp/www-$1/index.html"
	$IP netns exec "$1" httpd -p 80 -h "/tmp/www-$1"
}

# lab_echo NS PORT: a TCP echo server (nc -lk -e cat).
lab_echo() {
	$IP netns exec "$1" sh -c "nc -lk -p $2 -e cat >/dev/null 2>&1 &"
}

# lab_nat_topology: the classic LVS-NAT picture.
#   client (192.168.100.2) --- director (root ns; 192.168.100.1, VIP 192.168.100.10)
#   director 10.10.N.1 --- rsN (10.10.N.2, default route via the director)
# for N in 1..${RS_COUNT:-2}, each real server running httpd.
lab_nat_topology() {
	lab_ns client
	lab_link client c0 192.168.100.2/24 - dc0 192.168.100.1/24
	$IP addr add 192.168.100.10/32 dev dc0
	n=1
	while [ "$n" -le "${RS_COUNT:-2}" ]; do
		lab_ns "rs$n"
		lab_link "rs$n" eth0 "10.10.$n.2/24" - "drs$n" "10.10.$n.1/24"
		$IP -n "rs$n" route add default via "10.10.$n.1"
		lab_httpd "rs$n" "rs$n"
		n=$((n + 1))
	done
	echo 1 >/proc/sys/net/ipv4/ip_forward
}

# lab_teardown: remove every namespace and the links that went with them.
lab_teardown() {
	for ns in $($IP netns list | awk '{print $1}'); do
		$IP netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		$IP netns del "$ns"
	done
}
