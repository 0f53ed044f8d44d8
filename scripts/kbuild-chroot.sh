#!/usr/bin/env bash
# kbuild-chroot.sh - build an out-of-tree module against kernel headers
# that live in a chroot (scripts/kernels.sh unpacks trixie's, which need
# its gcc-14, into a debootstrap of trixie)
#
#   kbuild-chroot.sh CHROOT KDIR M [MAKE-ARGS...]
#
# Runs `make -C KDIR M=M MAKE-ARGS...` in CHROOT (KDIR a path inside it),
# with the module directory M of the host bind-mounted at the same path
# there and /proc mounted (objtool reads it). The mounts are made in a
# mount namespace of the build's own: they vanish with it however the
# build ends (failure, signal, a concurrent build of another kernel),
# and the host's mount table never shows them. The empty mount point
# made for M in CHROOT is removed afterwards. Needs root.
set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: kbuild-chroot.sh CHROOT KDIR M [MAKE-ARGS...]" >&2
	exit 2
fi
root=$(realpath "$1")
kdir=$2
m=$(realpath "$3")
shift 3

if [ "$(id -u)" -ne 0 ]; then
	echo "kbuild-chroot.sh: must run as root (chroot, mount)" >&2
	exit 1
fi
if [ ! -e "$root$kdir/Makefile" ]; then
	echo "kbuild-chroot.sh: no $kdir/Makefile in $root: run scripts/kernels.sh" >&2
	exit 1
fi

# The mount point: M's path inside the chroot, made for this build and
# removed after it (only the directories made here, and only if empty).
made=
d=$m
while [ ! -d "$root$d" ]; do
	made=$d
	d=$(dirname "$d")
done
cleanup()
{
	[ -n "$made" ] || return 0
	local p=$m
	while :; do
		rmdir "$root$p" 2>/dev/null || break
		[ "$p" = "$made" ] && break
		p=$(dirname "$p")
	done
}
trap cleanup EXIT
mkdir -p "$root$m"

status=0
unshare --mount --propagation private -- sh -ec '
	root=$1 m=$2
	shift 2
	mount -t proc proc "$root/proc"
	mount --bind "$m" "$root$m"
	exec chroot "$root" make "$@"
' kbuild-chroot "$root" "$m" -C "$kdir" M="$m" "$@" || status=$?
exit "$status"
