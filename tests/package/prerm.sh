#!/usr/bin/env bash
# prerm.sh - the rtnoise package's prerm on removal: the monitor service
# is stopped before anything is detached (a running monitor whose tracer
# is taken away exits and systemd starts it again), then rtnoise detaches.
# deb-systemd-invoke and rtnoise are stubs that log their calls; DPKG_ROOT
# (which dpkg gives maintainer scripts) is a tree where the module is
# loaded.
#   prerm.sh PRERM
set -u
prerm=$(realpath "$1")
fails=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin"
for cmd in deb-systemd-invoke rtnoise; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$cmd" "$dir" >"$dir/bin/$cmd"
	chmod +x "$dir/bin/$cmd"
done

mkdir -p "$dir/root/sys/module/rtnoise"
run() {
	: >"$dir/calls"
	PATH="$dir/bin:$PATH" DPKG_ROOT="$dir/root" sh "$prerm" "$1"
}

if run remove; then pass "prerm remove exits 0"; else fail "prerm remove: exit $?"; fi
calls=$(cat "$dir/calls")
stop=$(grep -n '^deb-systemd-invoke stop rtnoise-monitor.service' "$dir/calls" | cut -d: -f1)
detach=$(grep -n '^rtnoise detach --unload' "$dir/calls" | cut -d: -f1)
if [ -n "$stop" ]; then pass "remove stops the monitor service"; else fail "remove does not stop the monitor: $calls"; fi
if [ -n "$detach" ]; then pass "remove detaches"; else fail "remove does not detach: $calls"; fi
if [ -n "$stop" ] && [ -n "$detach" ] && [ "$stop" -lt "$detach" ]; then
	pass "the monitor is stopped before the detach"
else
	fail "the monitor is not stopped before the detach: $calls"
fi

if run upgrade; then pass "prerm upgrade exits 0"; else fail "prerm upgrade: exit $?"; fi
if [ ! -s "$dir/calls" ]; then pass "upgrade leaves the monitor and what is attached"; else fail "upgrade: $(cat "$dir/calls")"; fi

[ "$fails" -eq 0 ] && echo "prerm.sh: all passed" || echo "prerm.sh: $fails failed"
[ "$fails" -eq 0 ]
