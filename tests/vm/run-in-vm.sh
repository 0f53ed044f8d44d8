#!/usr/bin/env bash
# run-in-vm.sh - boot a Debian kernel under virtme-ng (TCG) with isolated
# CPUs and run one guest script there against the host's build tree.
#
#   run-in-vm.sh --kernel RELEASE --build DIR --script FILE [--cpus N]
#                [--append "ARGS"] [--timeout SECONDS] [--out DIR]
#                [-- SCRIPT-ARGS...]
#   run-in-vm.sh --image PATH ...
#
# --kernel boots /boot/vmlinuz-RELEASE, its modules from /lib/modules.
# --image boots a kernel by path: a built kernel tree (or its
# arch/x86/boot/bzImage), whose modules vng takes from the tree, or any
# other image (then only what is built in). BTF is the kernel's own
# (/sys/kernel/btf/vmlinux in the guest).
# The guest sees the host's files read-only; the script gets the build
# directory and a writable output directory as $1 and $2 (a temporary
# one, or --out DIR, which is kept). The exit status
# is the script's; a boot that hangs is killed by the outer timeout.
set -euo pipefail

kernel="" image="" build="" script="" cpus=4 timeout=900 memory=2G out=""
append="isolcpus=2,3 nohz_full=2,3 rcu_nocbs=2,3"
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--image) image=$(realpath "$2"); shift 2 ;;
	--build) build=$(realpath "$2"); shift 2 ;;
	--script) script=$(realpath "$2"); shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$(realpath "$2"); shift 2 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "run-in-vm.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if [ -z "$kernel$image" ] || { [ -n "$kernel" ] && [ -n "$image" ]; } ||
	[ -z "$build" ] || [ -z "$script" ]; then
	echo "run-in-vm.sh: --kernel or --image, --build and --script are required" >&2
	exit 2
fi

if [ -n "$kernel" ]; then
	image=/boot/vmlinuz-$kernel
	if [ ! -r "$image" ]; then
		echo "run-in-vm.sh: no readable $image: run scripts/install-deps.sh" >&2
		exit 2
	fi
elif [ -d "$image" ] && [ ! -r "$image/arch/x86/boot/bzImage" ]; then
	echo "run-in-vm.sh: $image is a directory without arch/x86/boot/bzImage" >&2
	exit 2
elif [ ! -r "$image" ]; then
	echo "run-in-vm.sh: no readable kernel image $image" >&2
	exit 2
fi
if ! command -v vng >/dev/null; then
	echo "run-in-vm.sh: vng not found: run scripts/install-deps.sh" >&2
	exit 2
fi

if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/rtnoise-vm.XXXXXX")
	trap 'rm -rf "$out"' EXIT
fi

# vng does not pass the environment on: the caller's RTNOISE_* variables
# (RTNOISE_FUZZ_CALLS, ...) go to the guest script through env(1).
envs=()
while IFS= read -r v; do
	envs+=("$(printf '%q' "$v")")
done < <(env | grep -E '^RTNOISE_[A-Z0-9_]+=' || true)
[ "${#envs[@]}" -eq 0 ] || echo "run-in-vm.sh: for the guest script: ${envs[*]}"

# One TCG thread for all vCPUs. With QEMU 7.2's multi-threaded TCG a vCPU
# can keep executing a stale translation of code that another vCPU has
# just patched: after a text_poke_bp() (every tracepoint enable/disable,
# module load) it loops on an int3 that is no longer in memory, IRQs
# off, and the other vCPUs soon wait on it: the whole guest freezes.
# Seen in 3 of 4 boots of attach/detach + hotplug loops (the guest's
# memory at the trapping RIP read back as the restored 5-byte NOP);
# single-threaded TCG ran 25 loops clean, no slower on a 2-core host.
tcg="-accel tcg,thread=single"

echo "run-in-vm.sh: booting ${kernel:-$image} ($cpus vCPUs, $append)"
status=0
timeout --foreground -k 30 "$timeout" \
	vng --run "$image" --disable-kvm --cpus "$cpus" --memory "$memory" \
	--rwdir "$out" --append "$append" --qemu-opts="$tcg" \
	--exec "${envs:+env ${envs[*]} }$script $build $out ${extra[*]}" </dev/null || status=$?

if [ -f "$out/dmesg" ]; then
	# The module's own lines (its pr_fmt is "rtnoise: "), and the
	# kernel's complaints; not every line that names a path with
	# "rtnoise" in it, like the kernel command line.
	echo "---- guest kernel log (rtnoise lines) ----"
	grep -E '^(\[[^]]*\] )?(rtnoise: |.*(BUG:|WARNING:|Oops))' "$out/dmesg" | tail -40 || true
fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "run-in-vm.sh: the guest did not finish within ${timeout}s" >&2
	if [ -f "$out/ps" ]; then
		echo "---- guest tasks at the last watchdog tick ----"
		grep -E ' D' "$out/ps" || true
		echo "---- blocked tasks (sysrq-w) ----"
		sed -n '/blocked state/,$p' "$out/dmesg" | tail -80
	fi
elif [ ! -f "$out/done" ]; then
	echo "run-in-vm.sh: the guest script did not run to its end" >&2
	[ "$status" -eq 0 ] && status=1
fi
exit "$status"
