#!/usr/bin/env bash
# run-in-vm-output.sh - run-in-vm.sh's output, where it is a file
# (`scripts/demo.sh >log 2>&1`), kept whole and in order. QEMU, as
# virtme-ng starts it, writes the guest's output to files it opens anew,
# -chardev file,path=/proc/self/fd/1 (and fd/2): O_TRUNC, with an offset
# of its own. The vng here does the same, without a VM, and checks that
# what was written before the boot is still there, with no hole, and
# that what comes after follows it.
#   run-in-vm-output.sh
set -euo pipefail
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtnoise-vm-output.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/bin" "$tmp/out"
cat >"$tmp/bin/vng" <<'EOF'
#!/usr/bin/env bash
# vng as far as the output goes: its own lines through the descriptors
# it was given, the guest's through /proc/self/fd/1 and 2 opened anew.
out=
while [ $# -gt 0 ]; do
	case "$1" in
	--rwdir) out=$2; shift 2 ;;
	*) shift ;;
	esac
done
echo "vng: starting QEMU"
exec 3>/proc/self/fd/1 4>/proc/self/fd/2
echo "guest: a line on stdout" >&3
echo "guest: a line on stderr" >&4
touch "$out/done"
EOF
chmod +x "$tmp/bin/vng"
: >"$tmp/image"
printf '#!/bin/sh\n' >"$tmp/guest.sh"

log=$tmp/log
{
	echo "before the boot"
	PATH=$tmp/bin:$PATH "$here/run-in-vm.sh" --image "$tmp/image" --build "$tmp" \
		--script "$tmp/guest.sh" --out "$tmp/out" --timeout 60
	echo "after the boot"
} >"$log" 2>&1

fail=0
if ! tr -d '\000' <"$log" | cmp -s - "$log"; then
	echo "run-in-vm-output.sh: NUL bytes in the output: a hole where" \
		"what was written before the boot was" >&2
	fail=1
fi
# line PATTERN - the number of the first line that matches, 0 if none
line() {
	grep -an -m 1 -e "$1" "$log" | cut -d: -f1 || echo 0
}
prev=0
for p in '^before the boot$' '^run-in-vm.sh: booting' '^guest: a line on stdout$' \
	'^after the boot$'; do
	n=$(line "$p")
	if [ "$n" -le "$prev" ]; then
		echo "run-in-vm-output.sh: '$p' missing or out of order" >&2
		fail=1
	fi
	prev=$n
done
for p in '^vng: starting QEMU$' '^guest: a line on stderr$'; do
	if [ "$(line "$p")" -eq 0 ]; then
		echo "run-in-vm-output.sh: '$p' missing" >&2
		fail=1
	fi
done
if [ "$fail" -ne 0 ]; then
	echo "---- the output (NUL bytes as ^@) ----" >&2
	cat -v "$log" >&2
	exit 1
fi
echo "run-in-vm-output.sh: the output kept whole and in order"
