#!/usr/bin/env bash
# guest-all.sh - every guest test, in one boot.
#   guest-all.sh BUILD_DIR OUT_DIR
here=$(dirname "$(realpath "$0")")
status=0
# If no step finishes for 12 min (the slowest step, an attach while a vCPU
# spins, takes up to 700 s), leave the kernel's view of the blocked tasks
# behind (once: the dump itself would fail the dmesg check).
touch "$2/progress"
(
	while sleep 30; do
		[ -n "$(find "$2/progress" -mmin -12)" ] && continue
		ps -eo pid,stat,wchan:32,args >"$2/ps"
		echo w >/proc/sysrq-trigger
		dmesg >"$2/dmesg"
		break
	done
) &
watchdog=$!
for t in sampler attribution partition; do
	echo "==== guest-$t.sh"
	"$here/guest-$t.sh" "$1" "$2" || status=1
done
kill "$watchdog" 2>/dev/null
dmesg >"$2/dmesg"
touch "$2/done"
exit "$status"
