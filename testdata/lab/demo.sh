#!/bin/sh
# The lab demo: an LVS-NAT director in the VM's root namespace with two real
# servers and a client, all namespaces, built with lvsadm on the real kernel.
. /work/testdata/lab/topology.sh
LVSADM=${LVSADM:-/work/lvsadm}
say() { printf '\n$ %s\n' "$*"; }
show() { say "$@"; "$@"; }

lab_nat_topology
show $LVSADM -A -t 192.168.100.10:80 -s rr
show $LVSADM -a -t 192.168.100.10:80 -r 10.10.1.2:80 -m -w 1
show $LVSADM -a -t 192.168.100.10:80 -r 10.10.2.2:80 -m -w 1
show $LVSADM -Ln
say "client: 4 x wget http://192.168.100.10/"
for i in 1 2 3 4; do lab_exec client wget -qO- http://192.168.100.10/; done
say "(the kernel folds per-CPU counters into the stats every 2 s)"; sleep 3
show $LVSADM -Ln --stats
show $LVSADM -Lcn
show $LVSADM -Sn
show $LVSADM list -o json
show $LVSADM top -b -n 2 -d 1s --width 100
show $LVSADM top -b -n 1 --conns --width 100
