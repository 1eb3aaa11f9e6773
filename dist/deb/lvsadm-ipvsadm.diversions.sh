# Shared by lvsadm-ipvsadm's preinst and postrm; dist/build.sh puts it where
# they say #DIVERSIONS#. diversions prints the paths the distribution's
# ipvsadm package ships that lvsadm-ipvsadm takes over, each with where
# the distribution's copy is diverted to. Both the aliased /sbin names
# (Debian up to bookworm) and the canonical /usr/sbin ones (packages moved
# to /usr) are diverted, to targets that are different files even with a
# merged /usr (/sbin -> usr/sbin): no removal or upgrade of the
# distribution's package can then delete our files, or its own, through
# the alias (DEP 17; see /usr/share/doc/lvsadm/packaging.md).
# shellcheck disable=SC2034 # used by the scripts this is put into
PKG=lvsadm-ipvsadm
diversions() {
	for n in ipvsadm ipvsadm-save ipvsadm-restore; do
		echo "/sbin/$n /sbin/$n.debian"
		echo "/usr/sbin/$n /usr/sbin/$n.debian.usr-is-merged"
		echo "/usr/share/man/man8/$n.8.gz /usr/share/man/man8/$n.debian.8.gz"
	done
}
