#!/usr/bin/env bash
# Installs the built .deb packages into an empty root with dpkg (as a fresh
# machine would get them) and checks that everything is where an admin
# looks: the binary runs, the ipvsadm names resolve to it, man pages,
# completions and units are in place, and the drop-in conflicts with ipvsadm.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
touch "$admin/status" "$admin/available"
dpkg --root="$root" --admindir="$admin" --force-not-root --force-depends --log=/dev/null \
	-i "$repo"/bin/dist/lvsadm_*.deb "$repo"/bin/dist/lvsadm-ipvsadm_*.deb >/dev/null
fail=0
check() { if ! eval "$2"; then echo "dist test: $1" >&2; fail=1; fi; }
check "binary missing" '[ -x "$root/usr/sbin/lvsadm" ]'
check "lvsadm version does not run" '"$root/usr/sbin/lvsadm" version | grep -q "^lvsadm "'
for n in ipvsadm ipvsadm-save ipvsadm-restore; do
	check "$n is not a link to lvsadm" '[ "$(readlink "$root/usr/sbin/'$n'")" = /usr/sbin/lvsadm ]'
done
check "ipvsadm -h through the link" '"$root/usr/sbin/lvsadm" -h | grep -q "ipvsadm -A|E\|lvsadm -A|E"'
check "lvsadm(8) missing" '[ -f "$root/usr/share/man/man8/lvsadm.8" ]'
check "lvs.cf(5) missing" '[ -f "$root/usr/share/man/man5/lvs.cf.5" ]'
check "bash completion missing" '[ -f "$root/usr/share/bash-completion/completions/lvsadm" ]'
check "zsh completion missing" '[ -f "$root/usr/share/zsh/vendor-completions/_lvsadm" ]'
check "daemon unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm.service" ]'
check "rules unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm-rules.service" ]'
check "drop-in does not conflict with ipvsadm" 'dpkg-deb -f "$repo"/bin/dist/lvsadm-ipvsadm_*.deb Conflicts | grep -qx ipvsadm'
check "dpkg does not list the package as installed" 'dpkg --admindir="$admin" -s lvsadm | grep -q "Status: install ok installed"'
[ $fail -eq 0 ] && echo "dist test: packages install and are complete"
exit $fail
