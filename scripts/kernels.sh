#!/usr/bin/env bash
# kernels.sh - fetch Debian's kernels for the tests into a cache, leaving the
# host's own kernels, apt sources and dpkg database alone
#
#   scripts/kernels.sh [SERIES...]    # default: 5.10 6.12 7.3
#
# For each series, stock (-amd64) and PREEMPT_RT (-rt-amd64), the newest
# kernel of its suite (5.10: bullseye, 6.12: bookworm-backports, 7.3:
# trixie-backports; 6.1 is the host's own, from install-deps.sh): image,
# modules, headers with their -common package and linux-kbuild. Each suite
# has a private apt configuration (sources.list, lists, archives) under the
# cache, on the mirror that the host's own apt sources name; the packages
# are unpacked with dpkg -x, never installed. Headers whose compiler the
# host lacks (trixie's need gcc-14) are unpacked into a debootstrap chroot
# of trixie that has it; build there with /proc mounted (objtool reads it):
#
#   mount -t proc proc $CHROOT/proc
#   chroot $CHROOT make -C /usr/src/linux-headers-<release> M=<dir in chroot>
#
# Prints one line per kernel:
#   <release> <vmlinuz> <modules dir> <headers build dir> [<chroot>]
# Idempotent: what is in the cache already is not fetched again. Needs root.
#
#   RTNOISE_KERNEL_CACHE   cache (default /var/cache/rtnoise/kernels)
#   RTNOISE_DEBIAN_MIRROR  mirror (default: the host's Debian mirror)
set -euo pipefail

cache=${RTNOISE_KERNEL_CACHE:-/var/cache/rtnoise/kernels}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# dkms: rtnoise-dkms is tested there too, as a Debian 13 host installs it
chroot_pkgs=gcc-14,make,libc6-dev,binutils,kmod,libelf1t64,dwarves,bc,perl,dkms

if [ "$(id -u)" -ne 0 ]; then
	echo "kernels.sh: must run as root" >&2
	exit 1
fi
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(5.10 6.12 7.3)

# host_mirror - the Debian archive that the host's apt sources use
host_mirror()
{
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -e 's/^URIs:[[:space:]]*//p' \
			-e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?//p' "$f" |
			awk '{ print $1 }'
	done | grep -E '/debian/?$' | head -n 1
}

mirror=${RTNOISE_DEBIAN_MIRROR:-$(host_mirror)}
if [ -z "$mirror" ]; then
	echo "kernels.sh: no Debian mirror in /etc/apt/sources.list*:" \
		"set RTNOISE_DEBIAN_MIRROR" >&2
	exit 1
fi

# suite_of - the suite that has a series' newest kernels
suite_of()
{
	case "$1" in
	5.10) echo bullseye ;;
	6.12) echo bookworm-backports ;;
	7.3) echo trixie-backports ;;
	*) echo "kernels.sh: unknown series $1 (5.10, 6.12, 7.3)" >&2; return 1 ;;
	esac
}

# apt_private - run an apt tool on a suite's own configuration
apt_private()
{
	local suite=$1 tool=$2
	local d=$cache/apt/$suite
	shift 2
	"$tool" -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::Status="$d/status" \
		-o Dir::Cache="$d/cache" \
		-o APT::Architecture=amd64 -o APT::Default-Release="$suite" \
		-o APT::Architectures::=amd64 \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

# apt_setup - a suite's sources.list and fresh package lists (once a day)
apt_setup()
{
	local suite=$1
	local d=$cache/apt/$suite
	local base=${suite%%-*}

	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	touch "$d/status"
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" \
		>"$d/sources.list.new"
	# Backports need their base suite for what they depend on.
	[ "$base" = "$suite" ] ||
		printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" \
			"$base" >>"$d/sources.list.new"
	if cmp -s "$d/sources.list.new" "$d/sources.list" &&
		[ -n "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1)" ]; then
		rm -f "$d/sources.list.new"
		return
	fi
	mv "$d/sources.list.new" "$d/sources.list"
	apt_private "$suite" apt-get -qq update >&2
}

# kernel_pkgs - the versioned packages behind a flavour's meta packages,
# as name=version
kernel_pkgs()
{
	local suite=$1 flavour=$2
	apt_private "$suite" apt-cache depends --recurse --no-recommends \
		--no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "linux-image-$flavour" "linux-headers-$flavour" |
		sed -n 's/^[[:space:]]*\(Pre\)\?Depends:[[:space:]]*//p; /^linux-/p' |
		grep -E '^linux-(image|headers|kbuild|binary|modules)-[0-9]' |
		grep -vE -- '-(dbg|unsigned)$' | sort -u |
		while read -r p; do
			printf '%s=%s\n' "$p" "$(apt_private "$suite" apt-cache \
				policy "$p" | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p')"
		done
}

# need_chroot - whether a suite's headers need a compiler newer than the host's
need_chroot()
{
	case "$1" in
	trixie*) return 0 ;;
	*) return 1 ;;
	esac
}

# make_chroot - a minimal trixie with the compiler for its kernels' headers
make_chroot()
{
	local root=$cache/trixie-root

	# .done names the packages: a chroot made with fewer is made again
	[ "$(cat "$root/.done" 2>/dev/null)" = "$chroot_pkgs" ] && return
	rm -rf "$root"
	debootstrap --variant=minbase --include="$chroot_pkgs" trixie "$root" \
		"$mirror" >"$cache/debootstrap.log"
	echo "$chroot_pkgs" >"$root/.done"
}

# fetch_flavour - fetch and unpack one kernel; print its line
fetch_flavour()
{
	local suite=$1 flavour=$2
	local pkgs rel dest hroot vmlinuz archives p v deb

	mapfile -t pkgs < <(kernel_pkgs "$suite" "$flavour")
	rel=$(printf '%s\n' "${pkgs[@]}" |
		sed -n "s/^linux-headers-\\(.*-$flavour\\)=.*/\\1/p" | head -n 1)
	if [ -z "$rel" ]; then
		echo "kernels.sh: no linux-headers-$flavour in $suite" >&2
		return 1
	fi
	dest=$cache/$rel
	hroot=$dest
	need_chroot "$suite" && hroot=$cache/trixie-root
	if [ ! -e "$dest/.done" ] || [ ! -e "$hroot/usr/src/linux-headers-$rel/.config" ]; then
		archives=$cache/apt/$suite/cache/archives
		(cd "$archives" && apt_private "$suite" apt-get -qq download "${pkgs[@]}") >&2
		rm -rf "$dest"
		mkdir -p "$dest"
		for p in "${pkgs[@]}"; do
			v=${p#*=}
			deb=$(echo "$archives/${p%%=*}_${v//:/%3a}_"*.deb)
			case "$p" in
			linux-headers-* | linux-kbuild-*) dpkg -x "$deb" "$hroot" ;;
			*) dpkg -x "$deb" "$dest" ;;
			esac
		done
		# Debian's headers Makefile includes its -common by absolute path.
		need_chroot "$suite" ||
			sed -i "s|^include /usr/src/|include $hroot/usr/src/|" \
				"$hroot/usr/src/linux-headers-$rel/Makefile"
		touch "$dest/.done"
	fi
	vmlinuz=$dest/boot/vmlinuz-$rel
	[ -e "$vmlinuz" ] || vmlinuz=$dest/usr/lib/modules/$rel/vmlinuz
	local mods=$dest/lib/modules/$rel
	[ -d "$mods" ] || mods=$dest/usr/lib/modules/$rel
	# modules.dep and the rest, once: a boot of the kernel needs them
	# (tests/vm/run-in-vm.sh --modules), and depmod takes a while.
	[ -e "$mods/modules.dep" ] || depmod -b "${mods%/lib/modules/*}" "$rel"
	local line="$rel $vmlinuz $mods $hroot/usr/src/linux-headers-$rel"
	need_chroot "$suite" && line+=" $hroot"
	echo "$line"
}

mkdir -p "$cache"
for s in "${series[@]}"; do
	suite=$(suite_of "$s")
	apt_setup "$suite"
	need_chroot "$suite" && make_chroot
	fetch_flavour "$suite" amd64
	fetch_flavour "$suite" rt-amd64
done
