#!/usr/bin/env bash
# dkms-kernels.sh - rtnoise-dkms installed as a host of each fetched kernel
# installs it: the package's own postinst, DKMS's kernel hook for the
# kernel (dkms autoinstall -k), the module it built and installed for that
# kernel, with BTF where the kernel has it (pahole ran), then the
# package's prerm. 6.12's are Debian 12 backports, built with this host's
# DKMS and gcc-12; 7.3's are Debian 13's, built in the trixie chroot of
# scripts/kernels.sh with its DKMS and gcc-14. 5.10's headers want gcc-10,
# which only Debian 11 has: skipped.
#
# Each kernel runs in a mount namespace of its own, with tmpfs over
# /lib/modules and /var/lib/dkms, the kernel's modules (as installed: DKMS
# runs depmod only for a kernel that has modules.dep) and /usr/src as
# overlays, of the chroot where there is one: neither this host's nor the chroot's DKMS state is touched, and
# nothing is left however the test ends.
#   dkms-kernels.sh DKMS_DEB VERSION KERNEL_LIST
set -u
deb=$1
version=$2
list=$3
here=$(dirname "$(realpath "$0")")

if [ "$(id -u)" -ne 0 ]; then
	echo "dkms-kernels.sh: skipped: needs root"
	exit 77
fi
if [ ! -s "$list" ]; then
	echo "dkms-kernels.sh: skipped: no fetched kernels (scripts/kernels.sh)"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/pkg" && dpkg-deb -e "$deb" "$work/ctl" || exit 1

fails=0
tested=0
while read -r rel _ moddir headers root; do
	case $rel in
	5.10.*)
		echo "SKIP: $rel: its headers want gcc-10, Debian 11's compiler"
		continue
		;;
	esac
	kdir=${headers#"${root:-}"}
	tested=$((tested + 1))
	if out=$(unshare --mount --propagation private -- \
		"$here/dkms-one.sh" "${root:-/}" "$rel" "$moddir" "$kdir" "$version" \
		"$work/pkg/usr/src/rtnoise-$version" "$work/ctl" 2>&1); then
		echo "PASS: rtnoise-dkms on $rel"
		printf '  %s\n' "${out//$'\n'/$'\n'  }"
	else
		echo "FAIL: rtnoise-dkms on $rel:"
		printf '  %s\n' "${out//$'\n'/$'\n'  }"
		fails=$((fails + 1))
	fi
done <"$list"
echo "dkms-kernels.sh: $tested kernels, $fails failed"
[ "$fails" -eq 0 ]
