#!/usr/bin/env bash
# test.sh - build everything and run every test: the unit tests, the
# fuzzers (label fuzz: about 2 minutes), the unit tests again under ASan
# and UBSan (label sanitize) and, for each installed Debian kernel, the
# VM tests under virtme-ng (TCG); for each kernel scripts/kernels.sh
# fetches (Debian's 5.10, 6.12 and 7.3, stock and RT), the module built
# against it and a smoke test booting it.
#
#   scripts/test.sh                 # all tests
#   scripts/test.sh -L unit         # extra arguments go to ctest
#
# Installs what is missing first (scripts/install-deps.sh: installing
# needs root; with nothing missing it runs as any user), then fetches the
# other kernels into their cache while the rest builds (scripts/kernels.sh:
# on a fresh machine about 1.5 GB from Debian's archive and a debootstrap
# of trixie; then only a check of the package lists; its messages in
# BUILD_DIR/kernels.log). The fetch needs root: a user other than root
# gets the rest, with one line on stderr saying the other kernels' tests
# are left out.
# BUILD_DIR overrides the build directory (default: build/).
# RTNOISE_SKIP_KERNELS=1 skips the other kernels (no fetch, no module for
# them, no smoke test), for a quick local run; CI never sets it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
# The other kernels are fetched while everything else builds: most of
# the fetch waits on the network and the disk. Their modules are built
# once the list is there.
fetch=
mkdir -p "$build"
kernel_list=$build/kernels.list
if [ "${RTNOISE_SKIP_KERNELS:-0}" != 1 ] && [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: not root: the other kernels' tests are left out" \
		"(scripts/kernels.sh needs root to fetch them)" >&2
elif [ "${RTNOISE_SKIP_KERNELS:-0}" != 1 ]; then
	"$top/scripts/kernels.sh" >"$kernel_list.new" 2>"$build/kernels.log" &
	fetch=$!
fi
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTNOISE_WERROR=ON \
	-DRTNOISE_KERNEL_LIST=
cmake --build "$build" -j"$(nproc)"
if [ -n "$fetch" ]; then
	if ! wait "$fetch"; then
		cat "$build/kernels.log" >&2
		echo "test.sh: scripts/kernels.sh failed (RTNOISE_SKIP_KERNELS=1 skips the other kernels)" >&2
		exit 1
	fi
	mv "$kernel_list.new" "$kernel_list"
	cmake -S "$top" -B "$build" -DRTNOISE_KERNEL_LIST="$kernel_list"
	cmake --build "$build" -j"$(nproc)"
fi
# One test per CPU at a time (a test that takes them all says so, see
# tests/CMakeLists.txt): the VM tests, one TCG thread each, run in pairs.
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@" || status=$?
# A smoke test killed outright (ctest's timeout) leaves its link in
# /lib/modules to the modules it booted (tests/vm/run-in-vm.sh --modules):
# remove those whose release no boot holds the lock of.
vm_modules=/var/lib/rtnoise/vm-modules
for l in /lib/modules/*; do
	rel=${l##*/}
	[ -L "$l" ] && [[ "$(readlink "$l")" =~ ^"$vm_modules/$rel."[^/]{6}"/lib/modules/$rel"$ ]] ||
		continue
	flock -n "$vm_modules/$rel.lock" rm -rf "$l" "$(readlink "$l" | sed 's|/lib/modules/.*||')" || true
done
exit "$status"
