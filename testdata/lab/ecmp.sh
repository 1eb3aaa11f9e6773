# The ECMP lab: N active directors behind a router that spreads the VIP's
# flows over them by ECMP, learning one path per director over BGP.
# Source after topology.sh and daemon.sh (busybox sh); see docs/lab.md.
#
#   client 198.51.100.2 ── router eth0 198.51.100.1   (BIRD 2, merge paths)
#                          router eth1 10.0.0.1 ─┐
#                                               br0
#   d1..dN eth0 10.0.0.11.. (VIP on lo, IPVS) ──┤
#   rs1..rsM eth0 10.0.0.21.. (VIP on lo) ──────┘ (connhold serve, port 7)
#
# LVS-DR, not NAT or tunnel: the real servers answer the client through
# the router, never through a director, so a director's death touches only
# the inbound half of a flow, which ECMP moves to a surviving director. NAT
# would need each flow's replies back through the director that holds its
# conntrack state, which a moved flow no longer reaches; a tunnel would add
# decapsulation and a smaller MTU on every real server and prove nothing
# more, as all directors share one segment with the real servers here.
#
# The directors' BGP speaker is whatever the caller starts in dI; the
# stand-in is gobgpd (lab_ecmp_gobgpd) until lvsadm daemon announces.

ECMP_VIP=192.0.2.10
ECMP_PORT=7
ECMP_DIR=/tmp/ecmp
ECMP_ROUTER_AS=65000

# lab_ecmp_dir_addr I: director I's address; lab_ecmp_rs_addr J likewise.
lab_ecmp_dir_addr() { echo "10.0.0.$((10 + $1))"; }
lab_ecmp_rs_addr() { echo "10.0.0.$((20 + $1))"; }
# lab_ecmp_dir_as I: director I's AS number (eBGP): one AS per director,
# or ECMP_DIR_AS for all (lvsadm's directors share one lvs.cf, so one
# local_as; their paths are then alike down to the AS path).
lab_ecmp_dir_as() {
	if [ -n "${ECMP_DIR_AS:-}" ]; then echo "$ECMP_DIR_AS"; else echo "$((ECMP_ROUTER_AS + $1))"; fi
}

_ecmp_sysctl() { $IP netns exec "$1" sh -c "echo $3 >/proc/sys/$2"; }

# lab_ecmp_topology N [M]: the router (with BIRD started, peering with N
# directors), the client, N directors (VIP on lo, default via the router;
# no table and no speaker yet) and M real servers (default 3) running
# "connhold serve -name rsJ -port 7" ($CONNHOLD, default /work/connhold).
# BIRD's BFD towards the directors is on unless ECMP_BFD=0.
lab_ecmp_topology() {
	n=$1 m=${2:-3}
	[ "$n" -ge 1 ] && [ "$n" -le 9 ] && [ "$m" -ge 1 ] && [ "$m" -le 9 ] || { echo "lab_ecmp_topology: 1-9 directors and real servers" >&2; return 1; }
	mkdir -p "$ECMP_DIR" /run/bird
	lab_bridge br0 || return 1
	lab_ns router && lab_ns client || return 1
	$IP -n router link add eth0 type veth peer name eth0 netns client &&
		$IP -n router addr add 198.51.100.1/24 dev eth0 && $IP -n router link set eth0 up &&
		$IP -n client addr add 198.51.100.2/24 dev eth0 && $IP -n client link set eth0 up &&
		$IP -n client route add default via 198.51.100.1 &&
		lab_port br0 router eth1 10.0.0.1/24 || return 1
	# L4 hashing: with the default (L3) every flow of one client goes to
	# one director. rp_filter off: replies from the real servers carry the
	# VIP as source.
	_ecmp_sysctl router net/ipv4/ip_forward 1 &&
		_ecmp_sysctl router net/ipv4/fib_multipath_hash_policy 1 &&
		$IP netns exec router sh -c 'for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done' || return 1
	i=1
	while [ "$i" -le "$n" ]; do
		lab_ns "d$i" &&
			lab_port br0 "d$i" eth0 "$(lab_ecmp_dir_addr "$i")/24" &&
			$IP -n "d$i" addr add "$ECMP_VIP/32" dev lo &&
			$IP -n "d$i" route add default via 10.0.0.1 || return 1
		i=$((i + 1))
	done
	j=1
	while [ "$j" -le "$m" ]; do
		lab_ns "rs$j" &&
			lab_port br0 "rs$j" eth0 "$(lab_ecmp_rs_addr "$j")/24" &&
			$IP -n "rs$j" addr add "$ECMP_VIP/32" dev lo &&
			$IP netns exec "rs$j" sh -c 'echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore; echo 2 >/proc/sys/net/ipv4/conf/all/arp_announce' &&
			$IP -n "rs$j" route add default via 10.0.0.1 || return 1
		$IP netns exec "rs$j" "${CONNHOLD:-/work/connhold}" serve -name "rs$j" -port "$ECMP_PORT" \
			</dev/null >"$ECMP_DIR/rs$j.log" 2>&1 &
		echo $! >"$ECMP_DIR/rs$j.pid"
		j=$((j + 1))
	done
	echo "$n" >"$ECMP_DIR/directors"
	echo "$m" >"$ECMP_DIR/servers"
	lab_ecmp_router_conf "$n" >"$ECMP_DIR/router.conf" && lab_ecmp_bird router "$ECMP_DIR/router.conf"
}

# lab_ecmp_router_conf N: the router's BIRD configuration. Hold time 3 s
# (BIRD's floor), keepalive 1 s, connect delay 1 s (the default 5 s
# applies at every session restart), BFD 100 ms x 3 unless ECMP_BFD=0
# (ECMP_BFD_MS, ECMP_BFD_MULT change it), and the kernel protocol's merge
# paths, which installs equal routes from several directors as one
# multipath route. Directors must announce identical attributes (origin
# above all) or merge paths keeps only the best one.
lab_ecmp_router_conf() {
	bfd=off
	[ "${ECMP_BFD:-1}" != 0 ] && bfd=on
	ms=${ECMP_BFD_MS:-100} mult=${ECMP_BFD_MULT:-3}
	cat <<CONF
log "$ECMP_DIR/bird-router.log" all;
router id 10.0.0.1;
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export all; }; merge paths on; }
protocol bfd { interface "eth1" { min rx interval $ms ms; min tx interval $ms ms; multiplier $mult; }; }
template bgp dir {
  local 10.0.0.1 as $ECMP_ROUTER_AS;
  hold time 3; keepalive time 1;
  connect delay time 1; connect retry time 1; error wait time 1, 5;
  bfd $bfd;
  ipv4 { import all; export none; };
}
CONF
	i=1
	while [ "$i" -le "$1" ]; do
		echo "protocol bgp d$i from dir { neighbor $(lab_ecmp_dir_addr "$i") as $(lab_ecmp_dir_as "$i"); }"
		i=$((i + 1))
	done
}

# lab_ecmp_bird NS CONF: BIRD in NS on CONF, control socket
# /run/bird/NS.ctl (birdcl -s works from any namespace), pid in
# $ECMP_DIR/bird-NS.pid.
lab_ecmp_bird() {
	$IP netns exec "$1" bird -f -c "$2" -s "/run/bird/$1.ctl" </dev/null >"$ECMP_DIR/bird-$1.out" 2>&1 &
	echo $! >"$ECMP_DIR/bird-$1.pid"
}

# lab_ecmp_birdcl NS CMD...: ask NS's BIRD (e.g. "show protocols").
lab_ecmp_birdcl() {
	ns=$1; shift
	birdcl -s "/run/bird/$ns.ctl" "$@"
}

# lab_ecmp_bfd_responder I: a BIRD in director I that only answers the
# router's BFD, for a speaker without BFD of its own (GoBGP 3 has none):
# without BFD a dead director is routed around only when the 3 s hold
# timer expires.
lab_ecmp_bfd_responder() {
	ms=${ECMP_BFD_MS:-100} mult=${ECMP_BFD_MULT:-3}
	cat >"$ECMP_DIR/bfd-d$1.conf" <<CONF
log "$ECMP_DIR/bird-d$1.log" all;
router id $(lab_ecmp_dir_addr "$1");
protocol device { scan time 10; }
protocol bfd { interface "eth0" { min rx interval $ms ms; min tx interval $ms ms; multiplier $mult; }; neighbor 10.0.0.1; }
CONF
	lab_ecmp_bird "d$1" "$ECMP_DIR/bfd-d$1.conf"
}

# lab_ecmp_ipvs I SLOPPY: director I's IPVS table, the same on every
# director: VIP:7 with mh and mh-port (so every director sends a flow to
# the same real server, and a flow hashes by its source port, not just its
# address), the real servers in the same order and weights, direct
# routing; net.ipv4.vs.sloppy_tcp set to SLOPPY (1: a director picks up a
# flow ECMP moved to it mid-stream; 0: it resets it).
lab_ecmp_ipvs() {
	m=$(cat "$ECMP_DIR/servers")
	$IP netns exec "d$1" /sbin/ipvsadm -A -t "$ECMP_VIP:$ECMP_PORT" -s mh -b mh-port || return 1
	j=1
	while [ "$j" -le "$m" ]; do
		$IP netns exec "d$1" /sbin/ipvsadm -a -t "$ECMP_VIP:$ECMP_PORT" -r "$(lab_ecmp_rs_addr "$j"):$ECMP_PORT" -g -w 1 || return 1
		j=$((j + 1))
	done
	lab_ecmp_sloppy "$1" "$2"
}

# lab_ecmp_sloppy I 0|1: director I's net.ipv4.vs.sloppy_tcp.
lab_ecmp_sloppy() {
	_ecmp_sysctl "d$1" net/ipv4/vs/sloppy_tcp "$2"
}

# lab_ecmp_gobgpd I: the stand-in speaker: gobgpd in director I, peering
# with the router (hold 3 s, keepalive 1 s), announcing nothing yet. It
# stands in for lvsadm daemon's own speaker, which replaces it.
lab_ecmp_gobgpd() {
	a=$(lab_ecmp_dir_addr "$1")
	cat >"$ECMP_DIR/gobgpd-d$1.toml" <<CONF
[global.config]
  as = $(lab_ecmp_dir_as "$1")
  router-id = "$a"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.1"
    peer-as = $ECMP_ROUTER_AS
  [neighbors.timers.config]
    hold-time = 3
    keepalive-interval = 1
    connect-retry = 1
CONF
	$IP netns exec "d$1" gobgpd -f "$ECMP_DIR/gobgpd-d$1.toml" -p --pprof-disable </dev/null >"$ECMP_DIR/gobgpd-d$1.log" 2>&1 &
	echo $! >"$ECMP_DIR/gobgpd-d$1.pid"
}

# lab_ecmp_gobgp_announce I / lab_ecmp_gobgp_withdraw I: the stand-in
# announces or withdraws the VIP's /32 (next hop: director I), with
# GoBGP's default origin (incomplete) on every director alike. Retries
# while gobgpd's API is not up yet (2-3.5 s after its start).
lab_ecmp_gobgp_announce() {
	k=0
	until $IP netns exec "d$1" gobgp global rib add -a ipv4 "$ECMP_VIP/32" nexthop "$(lab_ecmp_dir_addr "$1")" 2>/dev/null; do
		k=$((k + 1))
		[ "$k" -lt 100 ] || { echo "lab_ecmp_gobgp_announce: gobgpd in d$1 does not answer" >&2; return 1; }
		sleep 0.2
	done
}
lab_ecmp_gobgp_withdraw() {
	$IP netns exec "d$1" gobgp global rib del -a ipv4 "$ECMP_VIP/32"
}

# lab_ecmp_kill I: director I dies as a host does: its link goes down
# first (so nothing, not even a TCP FIN from its kernel, tells the router),
# then every process in its namespace is killed. The namespace, its IPVS
# table and its connection entries stay, as on a frozen host.
lab_ecmp_kill() {
	$IP -n "d$1" link set eth0 down
	$IP netns pids "d$1" | xargs -r kill -9
}

# lab_ecmp_link_up I: director I's link back (its processes are the
# caller's to restart).
lab_ecmp_link_up() {
	$IP -n "d$1" link set eth0 up
}

# lab_ecmp_nexthops: how many next hops the router's kernel has for the
# VIP (0 without a route).
lab_ecmp_nexthops() {
	r=$($IP -n router route show "$ECMP_VIP")
	case $r in
	"") echo 0 ;;
	*nexthop*) echo "$r" | grep -c nexthop ;;
	*) echo 1 ;;
	esac
}

# lab_ecmp_state: what a failing test needs to see.
lab_ecmp_state() {
	echo "\$ ip -n router route"; $IP -n router route
	for p in protocols "bfd sessions" "route all $ECMP_VIP/32"; do
		echo "\$ birdcl show $p"; lab_ecmp_birdcl router show $p 2>&1
	done
	n=$(cat "$ECMP_DIR/directors" 2>/dev/null || echo 0)
	i=1
	while [ "$i" -le "$n" ]; do
		echo "--- d$i"
		$IP -n "d$i" -br addr show dev eth0
		$IP netns exec "d$i" /sbin/ipvsadm -Ln --stats 2>&1
		echo "sloppy_tcp $($IP netns exec "d$i" cat /proc/sys/net/ipv4/vs/sloppy_tcp)"
		$IP netns exec "d$i" gobgp neighbor 2>&1 | tail -n 2
		i=$((i + 1))
	done
	tail -n 20 "$ECMP_DIR/bird-router.log" 2>/dev/null
	for f in "$ECMP_DIR"/lvsadm-d*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
	done
	true
}

# lab_ecmp_teardown: every namespace and process of the lab, the bridge,
# and $ECMP_DIR.
lab_ecmp_teardown() {
	lab_daemon_teardown
	rm -rf "$ECMP_DIR" /run/bird/*.ctl
}

# lab_ecmp_lvsadm I CONF: lvsadm daemon in director I on CONF (control
# socket $ECMP_DIR/dI.sock, log $ECMP_DIR/lvsadm-dI.log, pid in
# $ECMP_DIR/lvsadm-dI.pid): the directors' own speaker, in place of the
# stand-in.
lab_ecmp_lvsadm() {
	$IP netns exec "d$1" "${LVSADM:-/work/lvsadm}" daemon --config "$2" --socket "$ECMP_DIR/d$1.sock" \
		</dev/null >>"$ECMP_DIR/lvsadm-d$1.log" 2>&1 &
	echo $! >"$ECMP_DIR/lvsadm-d$1.pid"
}
