#!/bin/sh
# make bench, inside the VM: the same workloads through the real ipvsadm and
# lvsadm, each in a fresh namespace, and a table of their ratios.
set -e
LVSADM=${LVSADM:-/work/lvsadm}
IPVSADM=${IPVSADM:-/sbin/ipvsadm}
SVCS=${BENCH_SERVICES:-5000}
DESTS=${BENCH_DESTS:-4}
CONNS=${BENCH_CONNS:-50000}
rules=/tmp/bench.rules
# 5,000 services x 4 destinations, as ipvsadm -S -n writes them.
awk -v s="$SVCS" -v n="$DESTS" 'BEGIN{
	for (i = 0; i < s; i++) {
		a = sprintf("10.1.%d.%d", int(i / 250), i % 250 + 1)
		printf "-A -t %s:80 -s wlc\n", a
		for (j = 1; j <= n; j++) printf "-a -t %s:80 -r 10.2.%d.%d:8080 -m -w 1\n", a, int(i / 250), j
	}}' >"$rules"
echo "rules: $(wc -l <"$rules") lines ($SVCS services x $DESTS destinations)"
# A first, discarded round warms the kernel's caches and allocators, which
# otherwise charge the first tool for work the second does not repeat.
unshare -n sh /work/testdata/lab/bench-one.sh "$IPVSADM" "$rules" "$CONNS" >/dev/null
unshare -n sh /work/testdata/lab/bench-one.sh "$IPVSADM" "$rules" "$CONNS" >/tmp/bench.ipvsadm
unshare -n sh /work/testdata/lab/bench-one.sh "$LVSADM" "$rules" "$CONNS" >/tmp/bench.lvsadm
echo
echo "guest instruction time under qemu -icount (ms); ratio = lvsadm / ipvsadm; peak RSS in kB"
printf '%-12s %10s %10s %7s %12s %12s\n' workload ipvsadm lvsadm ratio rss-ipvsadm rss-lvsadm
awk 'NR==FNR{t[$1]=$2; r[$1]=$3; next}
	{ratio = t[$1] > 0 ? sprintf("%.2f", $2 / t[$1]) : "-"
	 printf "%-12s %10d %10d %7s %12s %12s\n", $1, t[$1], $2, ratio, r[$1], $3}' /tmp/bench.ipvsadm /tmp/bench.lvsadm
