#!/usr/bin/env bash
# dkms-one.sh - one kernel of dkms-kernels.sh, in the mount namespace it
# made for it (never run it elsewhere: it mounts over /lib/modules).
#   dkms-one.sh ROOT RELEASE MODDIR KDIR VERSION SRC CTL
# ROOT: / or the chroot the kernel's headers need; MODDIR: the kernel's
# modules (a host path); KDIR: the headers, as a path in ROOT; SRC: the package's usr/src/rtnoise-VERSION; CTL: its
# maintainer scripts.
set -eu
root=${1%/}
rel=$2
moddir=$3
kdir=$4
version=$5
src=$6
ctl=$7

in_root()
{
	if [ -n "$root" ]; then chroot "$root" "$@"; else "$@"; fi
}

# DKMS's tree, empty and private; the kernel's modules as installed, and
# the package's files where it installs them over what /usr/src has (the
# headers), each an overlay whose changes go with the namespace.
mkdir -p "$root/lib/modules" "$root/var/lib/dkms"
for d in /lib/modules /var/lib/dkms /mnt; do
	mount -t tmpfs tmpfs "$root$d"
done
if [ -n "$root" ]; then mount -t proc proc "$root/proc"; fi
overlay() {	# overlay LOWER TARGET NAME
	mkdir -p "$root/mnt/$3.up" "$root/mnt/$3.work" "$2"
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$root/mnt/$3.up,workdir=$root/mnt/$3.work" "$2"
}
overlay "$root/usr/src" "$root/usr/src" src
overlay "$moddir" "$root/lib/modules/$rel" modules
ln -sfn "$kdir" "$root/lib/modules/$rel/build"
cp -r "$src" "$root/usr/src/rtnoise-$version"
cp -r "$ctl" "$root/mnt/ctl"

# As apt installs it, then as the kernel's header hook builds for it.
in_root /mnt/ctl/postinst configure >"$root/mnt/postinst.log" 2>&1 || {
	cat "$root/mnt/postinst.log"
	echo "the package's postinst failed"
	exit 1
}
if ! out=$(in_root dkms autoinstall -k "$rel" 2>&1); then
	echo "$out"
	echo "dkms autoinstall -k $rel failed"
	exit 1
fi
status=$(in_root dkms status -m rtnoise 2>&1)
echo "dkms status: $status"
grep -q "^rtnoise/$version, $rel, x86_64: installed" <<<"$status" || {
	echo "not installed for $rel"
	exit 1
}
ko=$(find "$root/lib/modules/$rel" -name 'rtnoise.ko*' | head -n 1)
[ -n "$ko" ] || { echo "no rtnoise.ko under /lib/modules/$rel"; exit 1; }
magic=$(modinfo -F vermagic "$ko")
echo "${ko#"$root"}: vermagic $magic"
[ "${magic%% *}" = "$rel" ] || { echo "built for another kernel"; exit 1; }
grep -q 'rtnoise\.ko' "$root/lib/modules/$rel/modules.dep" ||
	{ echo "depmod did not list it"; exit 1; }
# BTF for the module where the kernel makes it (pahole, from dwarves,
# which rtnoise-dkms depends on: 6.12's build fails without it).
if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$root$kdir/.config"; then
	plain=$root/mnt/rtnoise.ko
	case $ko in
	*.xz) xz -dc "$ko" >"$plain" ;;
	*.zst) zstd -qdc "$ko" >"$plain" ;;
	*.gz) gzip -dc "$ko" >"$plain" ;;
	*) cp "$ko" "$plain" ;;
	esac
	readelf -S "$plain" | grep -q '\.BTF' || { echo "no BTF in the module"; exit 1; }
	echo "BTF: yes"
fi
in_root /mnt/ctl/prerm remove >"$root/mnt/prerm.log" 2>&1 || {
	cat "$root/mnt/prerm.log"
	echo "the package's prerm failed"
	exit 1
}
status=$(in_root dkms status -m rtnoise 2>&1)
[ -z "$status" ] || { echo "after prerm: $status"; exit 1; }
find "$root/lib/modules/$rel" -name 'rtnoise.ko*' | grep -q . &&
	{ echo "after prerm: the module is still installed"; exit 1; }
echo "prerm: removed"
