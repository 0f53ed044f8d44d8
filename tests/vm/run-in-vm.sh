#!/usr/bin/env bash
# run-in-vm.sh - boot a Debian kernel under virtme-ng (TCG) with isolated
# CPUs and run one guest script there against the host's build tree.
#
#   run-in-vm.sh --kernel RELEASE --build DIR --script FILE [--cpus N]
#                [--append "ARGS"] [--timeout SECONDS] [--out DIR]
#                [-- SCRIPT-ARGS...]
#   run-in-vm.sh --image PATH [--modules DIR] ...
#
# --kernel boots /boot/vmlinuz-RELEASE, its modules from /lib/modules.
# --image boots a kernel by path: a built kernel tree (or its
# arch/x86/boot/bzImage), whose modules vng takes from the tree, or any
# other image (then only what is built in, unless --modules DIR gives
# its modules: a tree named for the kernel's release, such as
# scripts/kernels.sh unpacks). BTF is the kernel's own
# (/sys/kernel/btf/vmlinux in the guest).
# The guest sees the host's files read-only; the script gets the build
# directory and a writable output directory as $1 and $2 (a temporary
# one, or --out DIR, which is kept). The exit status
# is the script's; a boot that hangs is killed by the outer timeout.
set -euo pipefail

kernel="" image="" modules="" build="" script="" cpus=4 timeout=900 memory=2G out=""
append="isolcpus=2,3 nohz_full=2,3 rcu_nocbs=2,3"
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--image) image=$(realpath "$2"); shift 2 ;;
	--modules) modules=$(realpath "$2"); shift 2 ;;
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
if [ -n "$modules" ] && { [ -n "$kernel" ] || [ ! -d "$modules/kernel" ]; }; then
	echo "run-in-vm.sh: --modules takes a modules tree (with kernel/), with --image" >&2
	exit 2
fi
if ! command -v vng >/dev/null; then
	echo "run-in-vm.sh: vng not found: run scripts/install-deps.sh" >&2
	exit 2
fi

# --modules: the guest sees the host's / read-only and takes a kernel's
# modules from /lib/modules/<release> there, depmod'ed; it does not see
# every directory of the host (not /var/cache, a tmpfs in the guest). So
# for the boot only, /lib/modules/<release> is a link to a copy (hard
# links where it can) under /var/lib/rtnoise/vm-modules with depmod's
# files (made here if DIR has none), both removed when this script ends, however it ends; a link
# left by a run killed outright is replaced by the next one. A
# directory of the host's own kernel there is never touched: that
# release is refused. One boot of a release at a time (a lock).
vm_modules=/var/lib/rtnoise/vm-modules
link="" copy="" tmp_out=""
cleanup() {
	if [ -n "$link" ] && [ -L "$link" ] && [ "$(readlink "$link")" = "$copy" ]; then
		rm -f "$link"
	fi
	[ -z "$copy" ] || rm -rf "${copy%/lib/modules/*}"
	[ -z "$tmp_out" ] || rm -rf "$tmp_out"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/rtnoise-vm.XXXXXX")
	tmp_out=$out
fi
if [ -n "$modules" ]; then
	rel=$(basename "$modules")
	link=/lib/modules/$rel
	mkdir -p "$vm_modules"
	exec 9>"$vm_modules/$rel.lock"
	flock 9
	# Under the lock, a link to a copy of this script's naming is one
	# that a run killed outright left; anything else there is not ours.
	if [ -e "$link" ] || [ -L "$link" ]; then
		if [ ! -L "$link" ] || [[ ! "$(readlink "$link")" =~ ^"$vm_modules/$rel."[^/]{6}"/lib/modules/$rel"$ ]]; then
			echo "run-in-vm.sh: $link is not a link of ours: not booting a copy over it" >&2
			exit 2
		fi
	fi
	rm -rf "$vm_modules/$rel".??????	# of a run killed outright
	base=$(mktemp -d "$vm_modules/$rel.XXXXXX")
	copy=$base/lib/modules/$rel
	mkdir -p "$base/lib/modules"
	cp -al "$modules" "$copy" 2>/dev/null || { rm -rf "$copy"; cp -a "$modules" "$copy"; }
	rm -f "$copy/build" "$copy/source"
	# scripts/kernels.sh ran depmod in its cache already.
	[ -e "$copy/modules.dep" ] || depmod -b "$base" "$rel"
	rm -f "$link"
	ln -s "$copy" "$link"
	echo "run-in-vm.sh: $link -> $copy for this boot"
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

# vng has QEMU write the guest's output to /proc/self/fd/1 and 2
# (-chardev file,path=...): files it opens anew, with O_TRUNC and an
# offset of their own. Where this script's output is a file
# (`scripts/demo.sh >log 2>&1`), that emptied it and wrote over it. So
# vng's stdout and stderr are pipes, and cat writes what comes through
# them to ours (tests/vm/run-in-vm-output.sh).
echo "run-in-vm.sh: booting ${kernel:-$image} ($cpus vCPUs, $append)"
status=0
{
	timeout --foreground -k 30 "$timeout" \
		vng --run "$image" --disable-kvm --cpus "$cpus" --memory "$memory" \
		--rwdir "$out" --append "$append" --qemu-opts="$tcg" \
		--exec "${envs:+env ${envs[*]} }$script $build $out ${extra[*]}" \
		</dev/null 2>&1 >&3 3>&- | cat >&2
} 3>&1 | cat || status=$?

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
