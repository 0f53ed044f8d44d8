#!/usr/bin/env bash
# kernel-matrix.sh - every VM guest test on every kernel, for a release:
# the host's own Debian kernels (/boot, with headers under /lib/modules)
# and those scripts/kernels.sh fetches (5.10, 6.12, 7.3, stock and RT),
# each in the two boots that CI gives the host's kernels (vm_<release>:
# sampler, attribution, partition; vm_host_<release>: install, stress,
# and on stock kernels monitor and compare). Not part of scripts/test.sh:
# about 45 minutes a kernel, one boot at a time.
#
#   scripts/kernel-matrix.sh [--build DIR] [--out DIR] [--kernel RELEASE]...
#                            [-- TEST...]
#
# --build: a build directory whose rtnoise.ko was built for every kernel
# (scripts/test.sh's, or one configured with -DRTNOISE_KERNEL_LIST=);
# default build/. --kernel: only these releases (repeatable). TEST...:
# one boot a kernel running these guest tests (guest-TEST.sh) instead of
# the two boots. Each boot's output goes to OUT/<release>/<boot>/ and its
# log beside it (default OUT: build/kernel-matrix); a table of every boot,
# its status and wall time ends the run. The exit status is 1 if any boot
# failed. guest-install.sh (DKMS in the guest) needs the kernel's headers
# where the guest sees them: the fetched kernels' are in the cache, which
# it does not, so on those kernels `install` is left out and said so.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
out=""
only=()
tests=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$(realpath "$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--kernel) only+=("$2"); shift 2 ;;
	--) shift; tests=("$@"); break ;;
	*) echo "kernel-matrix.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
out=$(realpath -m "${out:-$build/kernel-matrix}")
mkdir -p "$out"

# The kernels: "<release> <image> [<modules>]" a line.
kernels=()
for b in /lib/modules/*/build; do
	rel=$(basename "$(dirname "$b")")
	[ -e "$b/Makefile" ] && [ -r "/boot/vmlinuz-$rel" ] && kernels+=("$rel /boot/vmlinuz-$rel")
done
list=$out/kernels.list
"$top/scripts/kernels.sh" >"$list"
while read -r rel image modules _; do
	kernels+=("$rel $image $modules")
done <"$list"

declare -a rows
status=0
# boot RELEASE IMAGE MODULES NAME TEST... - one boot, timed, into the table
boot() {
	local rel=$1 image=$2 modules=$3 name=$4
	shift 4
	local dir=$out/$rel/$name args st=0 t0=$SECONDS
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -n "$modules" ]; then
		args=(--image "$image" --modules "$modules")
	else
		args=(--kernel "$rel")
	fi
	if [ ! -e "$build/kmod/$rel/rtnoise.ko" ]; then
		rows+=("$(printf '%-28s %-10s %-8s %6s  %s' "$rel" "$name" "no-module" - \
			"build/kmod/$rel/rtnoise.ko missing")")
		status=1
		return
	fi
	echo "kernel-matrix.sh: $rel $name: $*"
	"$top/tests/vm/run-in-vm.sh" "${args[@]}" --build "$build" --timeout 3500 \
		--out "$dir" --script "$top/tests/vm/guest-all.sh" -- "$@" >"$dir.log" 2>&1 || st=$?
	local verdict=pass
	[ "$st" -eq 0 ] || { verdict="fail($st)"; status=1; }
	rows+=("$(printf '%-28s %-10s %-8s %5ss  %s' "$rel" "$name" "$verdict" \
		$((SECONDS - t0)) "$*")")
	grep -E '^\[ *[0-9]+\] FAIL' "$dir.log" | head -5 || true
}

for k in "${kernels[@]}"; do
	read -r rel image modules <<<"$k"
	if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $rel "* ]]; then
		continue
	fi
	if [ ${#tests[@]} -gt 0 ]; then
		boot "$rel" "$image" "${modules:-}" tests "${tests[@]}"
		continue
	fi
	boot "$rel" "$image" "${modules:-}" vm sampler attribution partition
	host=(stress)
	if [ -z "${modules:-}" ]; then
		host=(install stress)
	else
		echo "kernel-matrix.sh: $rel: no install test (its headers are not in the guest's view)"
	fi
	[[ "$rel" == *-rt-* ]] || host+=(monitor compare)
	boot "$rel" "$image" "${modules:-}" vm_host "${host[@]}"
done

echo "---- kernel matrix ($out)"
printf '%s\n' "${rows[@]}"
exit "$status"
