#!/bin/sh
# Runs inside the lab VM, in a fresh network namespace: times one ipvsadm
# implementation ($1, run under the name ipvsadm) on the benchmark workloads
# and prints "workload milliseconds max-rss-kB" lines. Under qemu -icount the
# guest clock counts instructions, so the figures repeat exactly.
set -e
BIN=$1
RULES=$2
CONNS=${3:-0}
d=$(mktemp -d)
ln -s "$BIN" "$d/ipvsadm"
export PATH="$d:$PATH"
/usr/sbin/ip link set lo up
/usr/sbin/ip link add d0 type dummy
/usr/sbin/ip link set d0 up
/usr/sbin/ip addr add 10.255.255.254/8 dev d0
/usr/sbin/ip route add default dev d0

now() { read -r up _ </proc/uptime; echo "$up"; }
# measure NAME CMD...: the command's stdout goes to /tmp/bench.out.
measure() {
	name=$1; shift
	t0=$(now)
	/bin/time -v -o "$d/time" "$@" >"$d/out" </dev/null
	t1=$(now)
	rss=$(awk -F': ' '/Maximum resident/{print $2}' "$d/time")
	awk -v n="$name" -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN{printf "%s %d %d\n", n, (b-a)*1000+0.5, r}'
}

t0=$(now)
/bin/time -v -o "$d/time" ipvsadm -R <"$RULES"
t1=$(now)
awk -v a="$t0" -v b="$t1" -v r="$(awk -F': ' '/Maximum resident/{print $2}' "$d/time")" 'BEGIN{printf "restore %d %d\n", (b-a)*1000+0.5, r}'
measure list ipvsadm -Ln
measure save ipvsadm -Sn
lines=$(wc -l <"$d/out")
[ "$lines" -gt 0 ] || { echo "save printed nothing" >&2; exit 1; }

# 200 invocations on a small table, as a shell loop in a script would.
ipvsadm -C
ipvsadm -A -t 10.0.0.1:80 -s rr
ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -m
t0=$(now)
i=0
while [ $i -lt 200 ]; do ipvsadm -Ln -t 10.0.0.1:80 >/dev/null; i=$((i + 1)); done
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN{printf "small-x200 %d -\n", (b-a)*1000+0.5}'
# The connection listing: CONNS UDP connections made by udpflood.
if [ "$CONNS" -gt 0 ]; then
	ipvsadm -C
	/usr/sbin/ip addr add 10.0.0.1/32 dev d0
	ipvsadm -A -u 10.0.0.1:53 -s rr
	ipvsadm -a -u 10.0.0.1:53 -r 10.0.1.1:53 -m
	ipvsadm -a -u 10.0.0.1:53 -r 10.0.1.2:53 -m
	/work/udpflood -n "$CONNS" -vip 10.0.0.1 -port 53 -src 10.100.0.0
	measure conns ipvsadm -Lcn
	n=$(grep -c '^UDP' "$d/out")
	[ "$n" -ge "$CONNS" ] || { echo "only $n connections listed, want $CONNS" >&2; exit 1; }
fi
rm -rf "$d"
