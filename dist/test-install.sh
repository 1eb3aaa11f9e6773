#!/usr/bin/env bash
# Installs the built packages into empty roots, the .debs with dpkg and the
# .rpms with rpm (as a fresh Debian or RHEL-like machine would get them),
# and checks in each that everything is where an admin looks: the binaries
# run, the ipvsadm names resolve to the drop-in, man pages, completions and
# units are in place, and the drop-in replaces the distribution's ipvsadm.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$repo/bin/dist
if ! command -v rpm >/dev/null; then
	echo "dist test: installing rpm" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rpm >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "dist test ($kind): $1" >&2; fail=1; fi; }

# contents ROOT: what both package formats must have put under ROOT.
contents() {
	local root=$1 n
	check "binary missing" '[ -x "$root/usr/sbin/lvsadm" ]'
	check "lvsadm version does not run" '"$root/usr/sbin/lvsadm" version | grep -q "^lvsadm "'
	check "drop-in ipvsadm missing" '[ -x "$root/usr/sbin/ipvsadm" ] && [ ! -L "$root/usr/sbin/ipvsadm" ]'
	for n in ipvsadm-save ipvsadm-restore; do
		check "$n is not a link to ipvsadm" '[ "$(readlink "$root/usr/sbin/'$n'")" = /usr/sbin/ipvsadm ]'
	done
	check "ipvsadm -h does not run" '"$root/usr/sbin/ipvsadm" -h | grep -q "ipvsadm -A|E"'
	check "ipvsadm -v does not name lvsadm" '"$root/usr/sbin/ipvsadm" -v | grep -q "^lvsadm v"'
	# The links are absolute (/usr/sbin/ipvsadm): run the binary under the name.
	check "ipvsadm-save is not the save script" '{ (exec -a ipvsadm-save "$root/usr/sbin/ipvsadm" -x 2>&1) || true; } | grep -q "^ipvsadm-save: Script to save"'
	check "lvsadm(8) missing" '[ -f "$root/usr/share/man/man8/lvsadm.8" ]'
	for n in ipvsadm ipvsadm-save ipvsadm-restore; do
		check "$n(8) missing" '[ -f "$root/usr/share/man/man8/'$n'.8" ]'
	done
	check "lvs.cf(5) missing" '[ -f "$root/usr/share/man/man5/lvs.cf.5" ]'
	check "bash completion missing" '[ -f "$root/usr/share/bash-completion/completions/lvsadm" ]'
	check "zsh completion missing" '[ -f "$root/usr/share/zsh/vendor-completions/_lvsadm" ]'
	check "fish completion missing" '[ -f "$root/usr/share/fish/vendor_completions.d/lvsadm.fish" ]'
	check "daemon unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm.service" ]'
	check "rules unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm-rules.service" ]'
}

kind=deb
root=$tmp/deb
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
touch "$admin/status" "$admin/available"
dpkg --root="$root" --admindir="$admin" --force-not-root --force-depends --log=/dev/null \
	-i "$dist"/lvsadm_*.deb "$dist"/lvsadm-ipvsadm_*.deb >/dev/null
contents "$root"
check "drop-in does not conflict with ipvsadm" 'dpkg-deb -f "$dist"/lvsadm-ipvsadm_*.deb Conflicts | grep -qx ipvsadm'
check "dpkg does not list the package as installed" 'dpkg --admindir="$admin" -s lvsadm | grep -q "Status: install ok installed"'

kind=rpm
root=$tmp/rpm
mkdir -p "$root"
# --nodeps: the empty root has no glibc or systemd packages to satisfy.
# Debian's rpm warns that it is not Debian's package manager: --force-debian.
rpm --root "$root" --dbpath /var/lib/rpm --initdb 2>/dev/null
rpm --root "$root" --dbpath /var/lib/rpm --force-debian -i --nodeps --noscripts \
	"$dist"/lvsadm-0*.rpm "$dist"/lvsadm-ipvsadm-0*.rpm
contents "$root"
check "drop-in does not obsolete ipvsadm" 'rpm -qp --conflicts "$dist"/lvsadm-ipvsadm-0*.rpm | grep -qx ipvsadm'
check "rpm does not list both packages" '[ "$(rpm --root "$root" --dbpath /var/lib/rpm -qa | grep -c "^lvsadm")" = 2 ]'

[ $fail -eq 0 ] && echo "dist test: .deb and .rpm packages install and are complete"
exit $fail
