#!/usr/bin/env bash
# make disttest: installs the built packages into scratch roots, the .debs
# with dpkg and the .rpms with rpm, and checks what an admin relies on:
#
# - on a merged /usr (/sbin, /bin, /lib -> usr/...), as on every current
#   Debian, with Debian's real ipvsadm installed first, installing lvsadm
#   and lvsadm-ipvsadm loses no file (dpkg -V of all three packages is
#   clean), keeps Debian's ipvsadm installed under diverted names, and the
#   installed ipvsadm runs (-v, -h, -Ln); reinstalling either package, and
#   Debian's ipvsadm moving from /sbin to /usr/sbin (DEP 17's file loss
#   case), still loses nothing; purging ours gives Debian's ipvsadm back,
#   intact, and leaves no diversion, conffile or file of ours;
# - everything is where an admin looks (binaries, ipvsadm-save/-restore,
#   gzipped man pages, completions, units, /etc/default conffiles, which
#   keep an admin's edits, copyright, changelog.Debian.gz);
# - the units verify, systemd-analyze security rates both at most 3.0, the
#   daemon reads /etc/default/lvsadm and lvsadm-rules restores the file
#   it looks for;
# - the maintainer scripts (.deb and .rpm) make exactly the systemd calls
#   they should: daemon-reload, stop on removal, nothing started, enabled
#   or restarted;
# - the .rpms install, provide ipvsadm = 1.31, conflict with it and do not
#   obsolete it (so a plain "dnf upgrade" never swaps it out).
#
# Maintainer scripts run "chrootless" (dpkg --force-script-chrootless) with
# DPKG_ROOT set, as dpkg runs them for a scratch root; ours honour
# DPKG_ROOT, Debian's ipvsadm's call update-rc.d and invoke-rc.d, which are
# stubbed here so nothing touches the host's services.
#
# check() evals its condition, quoted so that it is evaluated then:
# shellcheck disable=SC2016,SC2317,SC2034
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$repo/bin/dist
cache=$repo/.cache/debs
need=()
command -v rpm >/dev/null || need+=(rpm)
# systemd-analyze rates the units' sandbox (the package does not start
# anything where systemd is not PID 1, as in a container).
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
	echo "dist test: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian's own ipvsadm package, downloaded once (apt-get download, as _apt
# cannot write to every cache directory: from a directory it can).
mkdir -p "$cache"
if ! ls "$cache"/ipvsadm_*.deb >/dev/null 2>&1; then
	dl=$(mktemp -d) && chmod 777 "$dl"
	(cd "$dl" && { apt-get download -qq ipvsadm 2>/dev/null ||
		{ apt-get update -qq >/dev/null && apt-get download -qq ipvsadm; }; })
	mv "$dl"/ipvsadm_*.deb "$cache"/ && rm -rf "$dl"
fi
debian_ipvsadm=$(find "$cache" -name 'ipvsadm_*.deb' | sort | tail -1)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! eval "$2"; then echo "dist test ($kind): $1" >&2; fail=1; fi; }

# contents ROOT: what both package formats must have put under ROOT.
contents() {
	local root=$1 n out rc
	check "binary missing" '[ -x "$root/usr/sbin/lvsadm" ]'
	check "lvsadm version does not run" '"$root/usr/sbin/lvsadm" version | grep -q "^lvsadm "'
	check "BGP helper missing" '[ -x "$root/usr/libexec/lvsadm/lvsadm-bgp" ]'
	check "drop-in ipvsadm missing" '[ -x "$root/usr/sbin/ipvsadm" ] && [ ! -L "$root/usr/sbin/ipvsadm" ]'
	for n in ipvsadm-save ipvsadm-restore; do
		check "$n is not a link to ipvsadm" '[ "$(readlink "$root/usr/sbin/'$n'")" = ipvsadm ]'
	done
	check "ipvsadm -h does not run" '"$root/usr/sbin/ipvsadm" -h | grep -q "ipvsadm -A|E"'
	check "ipvsadm -v does not name lvsadm" '"$root/usr/sbin/ipvsadm" -v | grep -q "^lvsadm v"'
	# -Ln needs IPVS: without it (a container) ipvsadm's own message and
	# exit status 2, with it the table's title and 0.
	rc=0
	out=$("$root/usr/sbin/ipvsadm" -Ln 2>&1) || rc=$?
	check "ipvsadm -Ln: exit $rc, $out" '{ [ $rc = 0 ] && [[ $out == "IP Virtual Server version"* ]]; } ||
		{ [ $rc = 2 ] && [[ $out == "Can'"'"'t initialize ipvs:"* ]]; }'
	check "ipvsadm-save is not the save script" '{ "$root/usr/sbin/ipvsadm-save" -x 2>&1 || true; } | grep -q "^ipvsadm-save: Script to save"'
	for n in lvsadm ipvsadm ipvsadm-save ipvsadm-restore; do
		check "$n(8) missing or not gzipped" 'gzip -t "$root/usr/share/man/man8/'$n'.8.gz"'
	done
	check "lvs.cf(5) missing or not gzipped" 'gzip -t "$root/usr/share/man/man5/lvs.cf.5.gz"'
	check "bash completion missing" '[ -f "$root/usr/share/bash-completion/completions/lvsadm" ]'
	check "zsh completion missing" '[ -f "$root/usr/share/zsh/vendor-completions/_lvsadm" ]'
	check "fish completion missing" '[ -f "$root/usr/share/fish/vendor_completions.d/lvsadm.fish" ]'
	check "daemon unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm.service" ]'
	check "rules unit missing" '[ -f "$root/usr/lib/systemd/system/lvsadm-rules.service" ]'
	check "/etc/default/lvsadm missing" 'grep -q LVSADM_DAEMON_ARGS "$root/etc/default/lvsadm"'
	check "/etc/default/lvsadm-rules missing" 'grep -q LVSADM_RULES "$root/etc/default/lvsadm-rules"'
	for n in lvsadm lvsadm-ipvsadm; do
		check "$n: no copyright file" 'grep -q "^License: GPL-2+" "$root/usr/share/doc/'$n'/copyright"'
	done
}

# A merged-/usr scratch root for dpkg. The /bin, /sbin and /lib links come
# from a package, as base-files ships them since trixie (DEP 17), so that
# dpkg knows them: unowned, the last package with a file in /sbin takes
# the link with it when it goes, which no real system would let happen.
base=$tmp/base
mkdir -p "$base/DEBIAN"
printf 'Package: scratch-base\nVersion: 1\nArchitecture: all\nMaintainer: lvsadm dist test <nobody@example.invalid>\nDescription: merged-/usr links for a scratch root\n' >"$base/DEBIAN/control"
for d in bin sbin lib; do
	mkdir -p "$base/usr/$d"
	ln -s "usr/$d" "$base/$d"
done
dpkg-deb -b "$base" "$tmp/scratch-base.deb" >/dev/null
mkroot() {
	root=$1
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/etc"
	touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
	dpkgr -i "$tmp/scratch-base.deb"
}
stubs=$tmp/stubs
mkdir -p "$stubs"
for s in update-rc.d invoke-rc.d systemctl deb-systemd-helper deb-systemd-invoke; do
	printf '#!/bin/sh\nexit 0\n' >"$stubs/$s"
	chmod +x "$stubs/$s"
done
# dpkgr ARGS: dpkg on $root (chrootless, no dependencies: the scratch root
# has no libc package); its output goes to $tmp/dpkg.out.
dpkgr() {
	PATH=$stubs:$PATH dpkg --root="$root" --force-script-chrootless --force-depends \
		--log=/dev/null "$@" >"$tmp/dpkg.out" 2>&1 || { cat "$tmp/dpkg.out" >&2; return 1; }
}
status() { dpkg-query --root="$root" -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }
# verify PKG...: dpkg -V finds every file of the packages as installed
# (conffiles may have been edited).
verify() {
	local out
	out=$(dpkg --root="$root" -V "$@" 2>&1 | grep -v '^[^ ]* c /') || true
	[ -z "$out" ] || { echo "$out" >&2; return 1; }
}
md5() { md5sum <"$1" | cut -d' ' -f1; }

kind=deb
root=$tmp/deb
mkroot "$root"
# Debian's ipvsadm first, as on a director that already runs it.
check "Debian's ipvsadm does not install" 'dpkgr -i "$debian_ipvsadm"'
deb_md5=$(md5 "$root/sbin/ipvsadm")
# Where the diversion puts it: Debian up to bookworm ships /sbin/ipvsadm,
# a package moved to /usr ships /usr/sbin/ipvsadm.
if dpkg-deb -c "$debian_ipvsadm" | grep ' \./sbin/ipvsadm$' >/dev/null; then
	deb_diverted=/sbin/ipvsadm.debian
else
	deb_diverted=/usr/sbin/ipvsadm.debian.usr-is-merged
fi
check "lvsadm packages do not install over Debian's ipvsadm" 'dpkgr -i "$dist"/lvsadm_*.deb "$dist"/lvsadm-ipvsadm_*.deb'
check "dpkg removed Debian's ipvsadm" '! grep -q "will remove ipvsadm" "$tmp/dpkg.out" && [ "$(status ipvsadm)" = ii ]'
check "lost files (dpkg -V)" 'verify lvsadm lvsadm-ipvsadm ipvsadm'
contents "$root"
check "Debian's ipvsadm is not at $deb_diverted" '[ "$(md5 "$root$deb_diverted")" = "$deb_md5" ]'
check "Debian's ipvsadm(8) is not at ipvsadm.debian.8.gz" 'gzip -t "$root/usr/share/man/man8/ipvsadm.debian.8.gz"'
check "conffiles not registered" '[ "$(dpkg-query --root="$root" -W -f="\${Conffiles}" lvsadm | grep -c /etc/default/)" = 2 ]'
check "no changelog.Debian.gz" 'zcat "$root/usr/share/doc/lvsadm/changelog.Debian.gz" | head -1 | grep -q "^lvsadm (.*) unstable; urgency="'
check "no maintainer scripts" '[ -x "$root/var/lib/dpkg/info/lvsadm.postinst" ] && [ -x "$root/var/lib/dpkg/info/lvsadm.prerm" ]'

# Upgrading (here: reinstalling) either package keeps everything in place,
# and an admin's edit of a conffile.
echo 'LVSADM_DAEMON_ARGS="--admin-was-here"' >>"$root/etc/default/lvsadm"
check "lvsadm packages do not reinstall" 'dpkgr -i "$dist"/lvsadm_*.deb "$dist"/lvsadm-ipvsadm_*.deb'
check "reinstalling lost the admin's /etc/default/lvsadm" 'grep -q admin-was-here "$root/etc/default/lvsadm"'
check "Debian's ipvsadm does not reinstall under the diversions" 'dpkgr -i "$debian_ipvsadm"'
check "lost files after reinstalling (dpkg -V)" 'verify lvsadm lvsadm-ipvsadm ipvsadm'
check "Debian's ipvsadm was written over the drop-in" '"$root/usr/sbin/ipvsadm" -v | grep -q "^lvsadm v"'

# DEP 17's case: Debian's ipvsadm moves its files from /sbin to /usr/sbin
# (as packages do since trixie) while the drop-in is installed. Built from
# the real package: same files, canonical paths, a higher version.
if [ "$deb_diverted" = /sbin/ipvsadm.debian ]; then
	moved=$tmp/moved
	dpkg-deb -R "$debian_ipvsadm" "$moved"
	mkdir -p "$moved/usr/sbin"
	mv "$moved"/sbin/* "$moved/usr/sbin/"
	rmdir "$moved/sbin"
	sed -i -e 's/^Version: .*/&+usrmove/' "$moved/DEBIAN/control"
	sed -i -e 's| sbin/| usr/sbin/|' "$moved/DEBIAN/md5sums"
	dpkg-deb -b -Zgzip "$moved" "$tmp/ipvsadm-usrmove.deb" >/dev/null
	check "Debian's ipvsadm does not upgrade to /usr/sbin" 'dpkgr -i "$tmp/ipvsadm-usrmove.deb"'
	check "lost files after Debian's ipvsadm moved to /usr (dpkg -V)" 'verify lvsadm lvsadm-ipvsadm ipvsadm'
	check "Debian's moved ipvsadm is not at ipvsadm.debian.usr-is-merged" '[ "$(md5 "$root/usr/sbin/ipvsadm.debian.usr-is-merged")" = "$deb_md5" ]'
fi

# Purging ours gives Debian's ipvsadm back under its own names.
check "lvsadm packages do not purge" 'dpkgr --purge lvsadm-ipvsadm lvsadm'
check "Debian's ipvsadm damaged after our purge (dpkg -V)" 'verify ipvsadm'
check "Debian's ipvsadm not back at /usr/sbin/ipvsadm" '[ "$(md5 "$root/usr/sbin/ipvsadm")" = "$deb_md5" ]'
check "diversions left behind" '[ -z "$(dpkg-divert --root="$root" --list)" ]'
check "files of ours left behind" '! ls -d "$root"/usr/sbin/lvsadm "$root"/etc/default/lvsadm* "$root"/usr/share/doc/lvsadm* "$root"/usr/sbin/*.debian* 2>/dev/null'
check "packages of ours still known to dpkg" '[ -z "$(status lvsadm)$(status lvsadm-ipvsadm)" ]'
check "/sbin is no longer the link to usr/sbin" '[ "$(readlink "$root/sbin")" = usr/sbin ]'

# A machine without Debian's ipvsadm: install, then purge to nothing.
root=$tmp/deb-fresh
mkroot "$root"
check "lvsadm packages do not install into an empty root" 'dpkgr -i "$dist"/lvsadm_*.deb "$dist"/lvsadm-ipvsadm_*.deb'
check "lost files in an empty root (dpkg -V)" 'verify lvsadm lvsadm-ipvsadm'
contents "$root"
# The units: valid, sandboxed to an exposure of at most 3.0, and
# lvsadm-rules restores what it looks for. verify runs on the host, where
# only the commands (which live in $root) are missing.
units=$root/usr/lib/systemd/system
check "units do not verify" '[ -z "$(cd "$units" && systemd-analyze verify --man=no ./lvsadm.service ./lvsadm-rules.service 2>&1 | grep -v "is not executable")" ]'
check "units' systemd-analyze security exposure above 3.0" '(cd "$units" && systemd-analyze security --offline=yes --threshold=30 ./lvsadm.service ./lvsadm-rules.service >/dev/null)'
check "daemon unit does not read /etc/default/lvsadm" 'grep -qx "EnvironmentFile=-/etc/default/lvsadm" "$units/lvsadm.service" && grep -q "^ExecStart=.* \$LVSADM_DAEMON_ARGS$" "$units/lvsadm.service"'
rules=$root/usr/libexec/lvsadm/lvsadm-rules
check "lvsadm-rules does not restore LVSADM_RULES" '[ "$(LVSADM=echo LVSADM_RULES=/x.rules "$rules" start)" = "restore --atomic /x.rules" ]'
check "lvsadm-rules does not clear the table it restores" '[ "$(LVSADM=echo LVSADM_RULES=/x.rules "$rules" stop)" = "-C" ]'
if [ ! -e /etc/ipvsadm.rules ] && [ ! -e /etc/sysconfig/ipvsadm ]; then
	check "lvsadm-rules without a rules file does something" '[ "$(LVSADM=false "$rules" start)" != "" ] && [ -z "$(LVSADM=false "$rules" stop)" ]'
fi
check "lvsadm packages do not purge from the empty root" 'dpkgr --purge lvsadm-ipvsadm lvsadm'
check "purge leaves files behind" '[ -z "$(find "$root" -path "$root/var" -prune -o ! -type d ! -type l -print)" ]'
check "purge leaves diversions behind" '[ -z "$(dpkg-divert --root="$root" --list)" ]'
check "/sbin is no longer the link to usr/sbin" '[ "$(readlink "$root/sbin")" = usr/sbin ]'

# The maintainer scripts' systemd side, run as dpkg and rpm run them on a
# live system (no DPKG_ROOT), in a private mount namespace whose /run says
# that systemd runs, with systemctl and deb-systemd-invoke logging their
# calls (systemctl is-active answers $ACTIVE). Nothing is started or
# enabled on installation; removal stops; upgrades restart nothing.
fake=$tmp/fake-systemd
mkdir -p "$fake"
printf '#!/bin/sh\necho "systemctl $*" >>"$LOG"\n[ "$1" != --quiet ] || [ "${ACTIVE:-0}" = 1 ]\n' >"$fake/systemctl"
printf '#!/bin/sh\necho "deb-systemd-invoke $*" >>"$LOG"\n' >"$fake/deb-systemd-invoke"
chmod +x "$fake"/*
# calls SCRIPT ARGS...: the systemd calls SCRIPT makes, one a line.
calls() {
	: >"$tmp/calls"
	LOG=$tmp/calls PATH=$fake:$PATH DPKG_ROOT='' unshare -m --propagation private \
		sh -c 'mount -t tmpfs none /run && mkdir -p /run/systemd/system && exec sh "$@"' sh "$@" >"$tmp/calls.out" 2>&1 ||
		{ echo "$* failed:" >&2; cat "$tmp/calls.out" >&2; }
	tr '\n' ';' <"$tmp/calls"
}
if unshare -m --propagation private true 2>/dev/null; then
	ctl=$tmp/ctl
	dpkg-deb -e "$dist"/lvsadm_*.deb "$ctl"
	reload="systemctl --system daemon-reload;"
	check "postinst (install) does more than daemon-reload" '[ "$(calls "$ctl/postinst" configure "")" = "$reload" ]'
	check "postinst (upgrade, daemon running) restarts it or stays silent" '[ "$(ACTIVE=1 calls "$ctl/postinst" configure 0.1-1)" = "${reload}systemctl --quiet is-active lvsadm.service;" ] && grep -q "systemctl restart lvsadm" "$tmp/calls.out"'
	check "prerm (remove) does not stop both units" '[ "$(calls "$ctl/prerm" remove)" = "deb-systemd-invoke stop lvsadm.service lvsadm-rules.service;" ]'
	check "prerm (upgrade) touches the units" '[ -z "$(calls "$ctl/prerm" upgrade 0.2-1)" ]'
	check "postrm (remove) does not daemon-reload" '[ "$(calls "$ctl/postrm" remove)" = "$reload" ]'
	rpmpkg=$(ls "$dist"/lvsadm-0*.rpm)
	for tag in POSTIN PREUN POSTUN; do
		rpm -qp --qf "%{$tag}" "$rpmpkg" 2>/dev/null >"$tmp/rpm.$tag"
	done
	check "%post does more than daemon-reload" '[ "$(calls "$tmp/rpm.POSTIN" 1)" = "$reload" ]'
	check "%preun (erase) does not disable and stop" '[ "$(calls "$tmp/rpm.PREUN" 0)" = "systemctl --no-reload disable --now lvsadm.service lvsadm-rules.service;" ]'
	check "%preun (upgrade) touches the units" '[ -z "$(calls "$tmp/rpm.PREUN" 1)" ]'
	check "%postun does not daemon-reload" '[ "$(calls "$tmp/rpm.POSTUN" 0)" = "$reload" ]'
else
	echo "dist test: no mount namespace here, the scripts' systemd side not run" >&2
fi

kind=rpm
root=$tmp/rpm
mkdir -p "$root"
# --nodeps: the empty root has no glibc or systemd packages to satisfy;
# --noscripts: nor a shell to run %post in (the scripts are checked below).
# Debian's rpm warns that it is not Debian's package manager: --force-debian.
rpm --root "$root" --dbpath /var/lib/rpm --initdb 2>/dev/null
rpm --root "$root" --dbpath /var/lib/rpm --force-debian -i --nodeps --noscripts \
	"$dist"/lvsadm-0*.rpm "$dist"/lvsadm-ipvsadm-0*.rpm
contents "$root"
drop=$(ls "$dist"/lvsadm-ipvsadm-0*.rpm)
check "drop-in does not provide ipvsadm = 1.31" 'rpm -qp --provides "$drop" 2>/dev/null | grep -qx "ipvsadm = 1.31"'
check "drop-in does not require the same lvsadm" 'rpm -qp --requires "$drop" 2>/dev/null | grep -qx "lvsadm = $(rpm -qp --qf "%{VERSION}-%{RELEASE}" "$dist"/lvsadm-0*.rpm 2>/dev/null)"'
check "drop-in does not conflict with ipvsadm" 'rpm -qp --conflicts "$drop" 2>/dev/null | grep -qx ipvsadm'
check "drop-in obsoletes ipvsadm (dnf upgrade would swap it out)" '! rpm -qp --obsoletes "$drop" 2>/dev/null | grep -q ipvsadm'
check "/etc/default files are not %config(noreplace)" '[ "$(rpm -qp --configfiles "$dist"/lvsadm-0*.rpm 2>/dev/null | grep -c /etc/default/)" = 2 ]'
check "no %post/%preun/%postun" '[ "$(rpm -qp --scripts "$dist"/lvsadm-0*.rpm 2>/dev/null | grep -c daemon-reload)" = 2 ]'
check "rpm does not list both packages" '[ "$(rpm --root "$root" --dbpath /var/lib/rpm -qa | grep -c "^lvsadm")" = 2 ]'
check "rpm -V finds changed files" '[ -z "$(rpm --root "$root" --dbpath /var/lib/rpm -V lvsadm lvsadm-ipvsadm 2>&1)" ]'

[ $fail -eq 0 ] && echo "dist test: .deb and .rpm packages install and are complete; on a merged /usr the drop-in diverts Debian's ipvsadm, loses no file and purges back to it"
exit $fail
