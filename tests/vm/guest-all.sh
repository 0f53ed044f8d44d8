#!/usr/bin/env bash
# guest-all.sh - every guest test, in one boot.
#   guest-all.sh BUILD_DIR OUT_DIR
here=$(dirname "$(realpath "$0")")
status=0
for t in sampler attribution; do
	echo "==== guest-$t.sh"
	"$here/guest-$t.sh" "$1" "$2" || status=1
done
dmesg >"$2/dmesg"
touch "$2/done"
exit "$status"
