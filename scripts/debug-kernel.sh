#!/usr/bin/env bash
# debug-kernel.sh - build a debug kernel from Debian's linux-source-6.1
# (lockdep, DEBUG_ATOMIC_SLEEP, KASAN, kmemleak: tests/vm/debug-kernel.config
# on virtme-ng's defconfig), build rtnoise.ko against it, boot it under
# virtme-ng (TCG) and run the sampler and attribution VM tests there; the
# guest then fails on any lockdep, KASAN or kmemleak report.
#
#   scripts/debug-kernel.sh             # build what is missing, boot, test
#   scripts/debug-kernel.sh attribution # the same, that test alone
#   scripts/debug-kernel.sh --no-run    # only build
#
# The kernel is built once per linux-source version and config, niced, into
#   $RTNOISE_DEBUG_KERNEL_CACHE (default /var/cache/rtnoise/debug-kernel)
#     /<source version>/linux-source-6.1/   the tree (KDIR for rtnoise.ko)
#                      /bzImage, /config     copies of what was built
#                      /stamp                source version and config hashes
#                      /build.log
# and rebuilt only when the stamp does not match. rtnoise is built in
# BUILD_DIR (default build-debug-kernel/); the guest's output (dmesg,
# kmemleak, reports) is kept in OUT_DIR (default BUILD_DIR/vm-out).
# JOBS (default 2) is make's -j. Needs root. Not part of scripts/test.sh:
# the kernel build and both tests take over an hour on 2 cores
# (tests/README.md, "The debug kernel").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-debug-kernel}
jobs=${JOBS:-2}
run=1
tests=()
for a in "$@"; do
	case "$a" in
	--no-run) run=0 ;;
	sampler | attribution) tests+=("$a") ;;
	*) echo "usage: debug-kernel.sh [--no-run | sampler | attribution]..." >&2; exit 2 ;;
	esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "debug-kernel.sh: must run as root" >&2
	exit 1
fi

say() { printf 'debug-kernel.sh: [%5ds] %s\n' "$SECONDS" "$*"; }
# children_cpu FILE - CPU seconds (user + sys) of this shell's children,
# from what the builtin "times" wrote to FILE. "times" must run in this
# shell, not in the $(...) that reads the number: a subshell's children
# are its own (and took none).
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print int(t) }' "$1"
}

# What a kernel build needs beyond the rest: the source, pahole for BTF,
# the generators and libraries of the build.
"$top/scripts/install-deps.sh" linux-source-6.1 dwarves bison flex bc libelf-dev \
	libssl-dev xz-utils

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cache=${RTNOISE_DEBUG_KERNEL_CACHE:-/var/cache/rtnoise/debug-kernel}/$srcver
tree=$cache/linux-source-6.1
fragment=$top/tests/vm/debug-kernel.config
vngver=$(vng --version 2>/dev/null | head -n 1)
want="source linux-source-6.1 $srcver
fragment $(sha256sum <"$fragment" | cut -d' ' -f1)
configurator $vngver"

# check_config - every line of the fragment holds in the tree's .config
check_config() {
	local line sym bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			if ! grep -qxF "$line" "$tree/.config"; then
				sym=${line%%=*}
				echo "debug-kernel.sh: $line did not hold:" \
					"$(grep -E "^(# )?${sym}[= ]" "$tree/.config" || echo unset)" >&2
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -qE "^$sym=[ym]" "$tree/.config"; then
				echo "debug-kernel.sh: $sym is set, the fragment unsets it" >&2
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	return "$bad"
}

mkdir -p "$cache"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$want" ] &&
	[ -f "$cache/bzImage" ] && [ -f "$tree/arch/x86/boot/bzImage" ] &&
	[ -f "$tree/vmlinux" ] && [ -f "$tree/Module.symvers" ]; then
	say "kernel $srcver up to date in $cache"
else
	rm -f "$cache/stamp"
	if [ ! -f "$tree/Makefile" ]; then
		say "unpacking /usr/src/linux-source-6.1.tar.xz"
		rm -rf "$cache/unpack" "$tree"
		mkdir "$cache/unpack"
		nice -n 19 tar -xf /usr/src/linux-source-6.1.tar.xz -C "$cache/unpack"
		mv "$cache/unpack/linux-source-6.1" "$tree"
		rmdir "$cache/unpack"
	fi
	say "configuring (virtme-ng defconfig + $fragment)"
	(cd "$tree" && virtme-configkernel --defconfig --custom "$fragment") \
		>"$cache/config.log" 2>&1 || {
		tail -20 "$cache/config.log" >&2
		exit 1
	}
	check_config
	say "building in $tree with -j$jobs, niced (log: $cache/build.log)"
	start=$SECONDS
	times >"$cache/times"
	cpu0=$(children_cpu "$cache/times")
	if ! nice -n 19 make -C "$tree" -j"$jobs" all >"$cache/build.log" 2>&1; then
		tail -40 "$cache/build.log" >&2
		echo "debug-kernel.sh: the kernel build failed (log: $cache/build.log)" >&2
		exit 1
	fi
	cp "$tree/arch/x86/boot/bzImage" "$cache/bzImage"
	cp "$tree/.config" "$cache/config"
	printf '%s\n' "$want" >"$cache/stamp"
	times >"$cache/times"
	cpu=$(($(children_cpu "$cache/times") - cpu0))
	rm -f "$cache/times"
	say "kernel built in $(((SECONDS - start) / 60)) min, $((cpu / 60)) min of CPU"
fi
krel=$(make -s -C "$tree" kernelrelease)

say "building rtnoise and rtnoise.ko for $krel (W=1) in $build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKDIR="$tree" >/dev/null
nice -n 19 cmake --build "$build" -j"$jobs" --target rtnoise rtnoise_ioctl_abuse \
	rtnoise_ioctl_fuzz rtnoise_spike_ring rtnoise_disturb "kmod-$krel"
test -f "$build/kmod/$krel/rtnoise.ko"
[ "$run" -eq 1 ] || exit 0

out=${OUT_DIR:-$build/vm-out}
rm -rf "$out"
mkdir -p "$out"
# The stall detectors' limits raised: under TCG, on a busy host, a debug
# kernel's RCU grace periods can pass the default 21 s and a task wait
# 120 s with no fault of the code (a stock kernel already had an RCU
# stall there); a real hang still shows. A larger log keeps every splat.
append="isolcpus=2,3 nohz_full=2,3 rcu_nocbs=2,3 log_buf_len=8M"
append+=" rcupdate.rcu_cpu_stall_timeout=300 sysctl.kernel.hung_task_timeout_secs=600"
# 4-level paging: with LA57, 6.1's KASAN can call the 5-level direct map
# a wild access from an interrupt during identify_cpu() (tests/README.md,
# "The debug kernel"), and the taint turns lockdep off.
append+=" no5lvl"
say "booting $krel under TCG (guest output in $out)"
status=0
"$top/tests/vm/run-in-vm.sh" --image "$tree" --build "$build" --memory 3G \
	--append "$append" --timeout 10800 --out "$out" \
	--script "$top/tests/vm/guest-debug.sh" ${tests[@]+-- "${tests[@]}"} || status=$?
say "done, exit $status"
exit "$status"
