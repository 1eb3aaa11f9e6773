#!/usr/bin/env bash
# The real-kernel lab: a Debian kernel with IPVS, booted under qemu (TCG) with
# a busybox initramfs that also carries the real ipvsadm (the oracle),
# iptables and iproute2. See ../../docs/lab.md for why each piece is here.
#
#   vm.sh build                    install packages, build the cached base image
#   vm.sh run [--icount] DIR CMD   boot, copy DIR to /work in the guest, run CMD
#                                  there (sh -c), stream its output, exit with
#                                  its status
#   vm.sh help
#
# Environment: LVSADM_VM_CACHE (default <repo>/.cache/vm), LVSADM_VM_TIMEOUT
# (seconds, default 2400), LVSADM_VM_MEM (MiB, default 2048), LVSADM_VM_GOBGP
# (0: boot without the gobgpd stand-in layer).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LVSADM_VM_CACHE:-$repo/.cache/vm}
timeout_s=${LVSADM_VM_TIMEOUT:-2400}
mem=${LVSADM_VM_MEM:-2048}

# Bump when the image's contents change, so stale caches are rebuilt.
image_rev=6

# The lab's Debian packages, unpacked into the base image: the real ipvsadm
# (the oracle) and iptables with their libraries, and BIRD 2 (the ECMP
# router of the BGP lab, testdata/lab/ecmp.sh) with the libraries bird links.
image_debs=(ipvsadm libnl-3-200 libnl-genl-3-200 libpopt0
	iptables libxtables12 libip4tc2 libip6tc2 libnftnl11 libmnl0 libnetfilter-conntrack3 libnfnetlink0
	bird2 libssh-gcrypt-4 libgcrypt20 libgpg-error0 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libcom-err2
	libkrb5support0 libkeyutils1 zlib1g)

die() { echo "vm.sh: $*" >&2; exit 1; }
log() { echo "vm.sh: $*" >&2; }

need_host_tools() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx unshare || missing+=(busybox-static)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v depmod >/dev/null || missing+=(kmod)
	[ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
	[ -f /etc/services ] || missing+=(netbase)
	command -v dpkg-deb >/dev/null || missing+=(dpkg)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		if [ "$(id -u)" != 0 ]; then die "need root to apt-get install ${missing[*]}"; fi
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
	fi
}

kernel_package() {
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	if [ -z "$pkg" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	fi
	[ -n "$pkg" ] || die "cannot resolve the kernel package behind linux-image-amd64"
	echo "$pkg"
}

# Copies the shared libraries an ELF file needs (resolved against the guest
# root first, then the host) into the guest root.
copy_libs() {
	local root=$1 bin=$2 lib
	LD_LIBRARY_PATH="$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" ldd "$bin" 2>/dev/null |
		awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | while read -r lib; do
		case $lib in "$root"/*) continue ;; esac
		mkdir -p "$root$(dirname "$lib")"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
	done
	if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
		LD_LIBRARY_PATH="$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" ldd "$bin" | grep 'not found' && die "missing libraries for $bin"
	fi
	return 0
}

build() {
	need_host_tools
	local kpkg kver stamp root debs
	kpkg=$(kernel_package)
	kver=${kpkg#linux-image-}
	stamp="$cache/base-$kver-r$image_rev.cpio.gz"
	if [ -f "$stamp" ] && [ -f "$cache/vmlinuz-$kver" ]; then
		ln -sf "$(basename "$stamp")" "$cache/base.cpio.gz"
		ln -sf "vmlinuz-$kver" "$cache/vmlinuz"
		log "base image up to date ($kver)"
		return 0
	fi
	log "building base image for $kver"
	debs="$cache/debs"
	mkdir -p "$debs"
	(cd "$debs" && apt-get download "$kpkg" "${image_debs[@]}" >/dev/null 2>&1) ||
		(cd "$debs" && DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get download "$kpkg" "${image_debs[@]}" >&2)

	local kx="$cache/kernel-$kver"
	rm -rf "$kx" && mkdir -p "$kx"
	dpkg-deb -x "$debs/${kpkg}"_*.deb "$kx"
	cp "$kx/boot/vmlinuz-$kver" "$cache/vmlinuz-$kver"

	root="$cache/root"
	rm -rf "$root" && mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,var/run,work,root,lib/modules}
	local d
	for d in "$debs"/*.deb; do
		case $(basename "$d") in linux-image-*) continue ;; esac
		dpkg-deb -x "$d" "$root"
	done
	rm -rf "$root/usr/share"

	# Kernel modules: only the subsets IPVS, netfilter, veth and dummy need.
	local m="lib/modules/$kver"
	mkdir -p "$root/$m/kernel/lib" "$root/$m/kernel/drivers/net" "$root/$m/kernel/net/ipv4" "$root/$m/kernel/net/ipv6" "$root/$m/kernel/arch/x86"
	cp -a "$kx/$m/kernel/net/netfilter" "$root/$m/kernel/net/"
	cp -a "$kx/$m/kernel/net/ipv4/netfilter" "$root/$m/kernel/net/ipv4/"
	cp -a "$kx/$m/kernel/net/ipv6/netfilter" "$root/$m/kernel/net/ipv6/"
	[ -d "$kx/$m/kernel/net/ipv4/ipip.ko" ] || true
	for f in net/ipv4/ip_tunnel.ko net/ipv4/tunnel4.ko net/ipv4/ipip.ko net/ipv4/gre.ko net/ipv4/ip_gre.ko \
		net/ipv4/udp_tunnel.ko net/ipv6/ip6_udp_tunnel.ko net/ipv6/tunnel6.ko net/ipv6/ip6_tunnel.ko \
		net/ipv6/ip6_gre.ko net/ipv6/sit.ko net/ipv4/fou.ko net/ipv6/fou6.ko; do
		[ -f "$kx/$m/kernel/$f" ] && { mkdir -p "$root/$m/kernel/$(dirname "$f")"; cp "$kx/$m/kernel/$f" "$root/$m/kernel/$f"; }
	done
	cp -a "$kx/$m/kernel/lib/libcrc32c.ko" "$root/$m/kernel/lib/" 2>/dev/null || true
	cp -a "$kx/$m/kernel/crypto" "$root/$m/kernel/"
	cp -a "$kx/$m/kernel/arch/x86/crypto" "$root/$m/kernel/arch/x86/"
	for f in veth.ko dummy.ko; do cp "$kx/$m/kernel/drivers/net/$f" "$root/$m/kernel/drivers/net/"; done
	# A bridge gives two directors one shared segment, where a VIP moves by
	# gratuitous ARP as it does between real machines.
	for d in net/bridge net/802 net/llc; do
		[ -d "$kx/$m/kernel/$d" ] && { mkdir -p "$root/$m/kernel/$(dirname "$d")"; cp -a "$kx/$m/kernel/$d" "$root/$m/kernel/$(dirname "$d")/"; }
	done
	cp "$kx/$m"/modules.order "$kx/$m"/modules.builtin* "$root/$m/" 2>/dev/null || true
	depmod -b "$root" "$kver"
	echo "$kver" >"$root/etc/kver"

	# busybox (static) provides the shell and every small tool.
	cp /bin/busybox "$root/bin/busybox"
	# iproute2's ip: busybox's has no netns.
	local ipbin
	ipbin=$(command -v ip || echo /usr/sbin/ip)
	cp -L "$ipbin" "$root/usr/sbin/ip"
	copy_libs "$root" "$root/usr/sbin/ip"
	copy_libs "$root" "$root/sbin/ipvsadm"
	copy_libs "$root" "$root/usr/sbin/xtables-legacy-multi"
	copy_libs "$root" "$root/usr/sbin/xtables-nft-multi"
	# BIRD: only the daemon and birdcl (birdc would need readline). Its
	# libraries are in the root already (unpacked above); copy_libs fails
	# the build if one is missing.
	copy_libs "$root" "$root/usr/sbin/bird"
	copy_libs "$root" "$root/usr/sbin/birdcl"
	rm -f "$root/usr/sbin/birdc"
	# The loader itself, and the NSS pieces glibc may dlopen.
	mkdir -p "$root/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
	for f in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
		[ -e "$f" ] && cp -L "$f" "$root/lib/x86_64-linux-gnu/" || true
	done
	for t in iptables iptables-save iptables-restore ip6tables; do
		ln -sf /usr/sbin/xtables-legacy-multi "$root/usr/sbin/$t"
	done
	# Symlinks dpkg-deb left pointing at files we removed would break cpio users.
	find "$root" -xtype l -path '*/share/*' -delete 2>/dev/null || true

	cp /etc/services /etc/protocols "$root/etc/"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
	printf 'hosts: files dns\nservices: files\nprotocols: files\n' >"$root/etc/nsswitch.conf"
	echo lab >"$root/etc/hostname"
	install -m 0755 "$here/init" "$root/init"

	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$stamp.tmp"
	mv "$stamp.tmp" "$stamp"
	ln -sf "$(basename "$stamp")" "$cache/base.cpio.gz"
	ln -sf "vmlinuz-$kver" "$cache/vmlinuz"
	rm -rf "$kx"
	log "base image ready: $stamp"
}

# The gobgpd stand-in: Debian's gobgpd and its gobgp CLI (Go, libc only),
# in a layer of their own that run appends to the initramfs. It is only a
# director-side BGP speaker for proving the ECMP lab (internal/ecmplab)
# until lvsadm's own speaker announces; it is kept out of the base image
# so that dropping it is deleting this function and its call in run.
gobgpd_layer() {
	local layer="$cache/gobgpd-r$image_rev.cpio.gz"
	if [ -f "$layer" ]; then
		ln -sf "$(basename "$layer")" "$cache/gobgpd.cpio.gz"
		return 0
	fi
	need_host_tools
	local dl="$cache/debs-gobgpd" x
	mkdir -p "$dl"
	(cd "$dl" && apt-get download gobgpd >/dev/null 2>&1) ||
		(cd "$dl" && DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get download gobgpd >&2)
	x=$(mktemp -d)
	dpkg-deb -x "$dl"/gobgpd_*.deb "$x/all"
	mkdir -p "$x/layer/usr/bin"
	cp "$x/all/usr/bin/gobgpd" "$x/all/usr/bin/gobgp" "$x/layer/usr/bin/"
	(cd "$x/layer" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$layer.tmp"
	rm -rf "$x"
	mv "$layer.tmp" "$layer"
	ln -sf "$(basename "$layer")" "$cache/gobgpd.cpio.gz"
	log "gobgpd stand-in layer ready: $layer"
}

# Builds (or checks) the base image, showing the build's log only if it fails.
build_quietly() {
	local blog
	blog=$(mktemp)
	if ! build >"$blog" 2>&1; then cat "$blog" >&2; rm -f "$blog"; die "building the base image failed"; fi
	if [ "${LVSADM_VM_GOBGP:-1}" != 0 ] && ! gobgpd_layer >"$blog" 2>&1; then cat "$blog" >&2; rm -f "$blog"; die "building the gobgpd layer failed"; fi
	rm -f "$blog"
}

tmp=
run() {
	local icount=()
	if [ "${1:-}" = "--icount" ]; then icount=(-icount shift=0,sleep=off); shift; fi
	[ $# -ge 2 ] || die "usage: vm.sh run [--icount] DIR CMD..."
	local dir=$1; shift
	[ -d "$dir" ] || die "no directory $dir"
	build_quietly
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/payload/work"
	cp -a "$dir"/. "$tmp/payload/work/"
	printf '%s\n' "$*" >"$tmp/payload/work/.lab-cmd"
	(cd "$tmp/payload" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$tmp/payload.cpio.gz"
	local layers=("$cache/base.cpio.gz")
	[ "${LVSADM_VM_GOBGP:-1}" != 0 ] && layers+=("$cache/gobgpd-r$image_rev.cpio.gz")
	cat "${layers[@]}" "$tmp/payload.cpio.gz" >"$tmp/initrd.gz"

	local out="$tmp/serial.log" status=0
	# The guest has no network device at all: the lab talks to nothing outside.
	timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 -accel tcg "${icount[@]}" -m "$mem" -smp 1 \
		-kernel "$cache/vmlinuz" -initrd "$tmp/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=0 rdinit=/init" \
		-display none -monitor none -serial stdio -nic none -no-reboot </dev/null |
		tr -d '\r' | tee "$out" | awk '
			/^@@LVSADM-VM-START@@/ {on=1; next}
			/^@@LVSADM-VM-EXIT / {exit}
			on {print; fflush()}' || status=$?
	local code
	code=$(awk '/^@@LVSADM-VM-EXIT /{print $2}' "$out" | tail -n1)
	if [ -z "$code" ]; then
		if ! grep -q '^@@LVSADM-VM-START@@' "$out"; then
			echo "vm.sh: the VM never reached the lab init; serial output follows:" >&2
			tail -n 40 "$out" >&2
		else
			echo "vm.sh: the VM died or hung (timeout ${timeout_s}s) before the command finished" >&2
		fi
		return 125
	fi
	return "$code"
}

case ${1:-help} in
build) build && { [ "${LVSADM_VM_GOBGP:-1}" = 0 ] || gobgpd_layer; } ;;
run) shift; run "$@" ;;
help | -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown command $1 (try: vm.sh help)" ;;
esac
