#!/bin/sh
# /usr/libexec/lvsadm/lvsadm-rules start|stop: what lvsadm-rules.service
# runs. The rules file is $LVSADM_RULES (/etc/default/lvsadm-rules) or,
# unset, the first of /etc/ipvsadm.rules (Debian's ipvsadm) and
# /etc/sysconfig/ipvsadm (RHEL's) that exists: the file that is looked for
# is the file that is restored, and no file means nothing to do.
#   start: restore it atomically (a bad line changes nothing and fails).
#   stop:  clear the table, as "systemctl stop ipvsadm" does, but only
#          when there is a rules file to restore it from again.
set -eu
lvsadm=${LVSADM:-/usr/sbin/lvsadm}
rules=${LVSADM_RULES:-}
if [ -z "$rules" ]; then
	for f in /etc/ipvsadm.rules /etc/sysconfig/ipvsadm; do
		if [ -e "$f" ]; then
			rules=$f
			break
		fi
	done
fi
case "${1:-}" in
start)
	if [ -z "$rules" ]; then
		echo "lvsadm-rules: no saved rules (/etc/ipvsadm.rules, /etc/sysconfig/ipvsadm, LVSADM_RULES); nothing restored"
		exit 0
	fi
	exec "$lvsadm" restore --atomic "$rules"
	;;
stop)
	[ -z "$rules" ] || exec "$lvsadm" -C
	;;
*)
	echo "usage: lvsadm-rules start|stop" >&2
	exit 2
	;;
esac
