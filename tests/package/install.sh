#!/usr/bin/env bash
# install.sh - `cmake --install` into a DESTDIR: exactly the files of the
# layout, the completion found where bash-completion and zsh look, the
# man page where man looks, and (as root, for a kernel with headers) DKMS
# building the installed module source, in trees of its own under the
# DESTDIR: the host's /var/lib/dkms and /lib/modules are not touched.
#   install.sh BUILD_DIR VERSION
set -u
build=$1
version=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fails=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

if DESTDIR=$dest cmake --install "$build" --prefix /usr >"$dest.log" 2>&1; then
	pass "cmake --install"
else
	fail "cmake --install: $(cat "$dest.log")"
fi
rm -f "$dest.log"

want=$(sort <<EOF2
usr/bin/rtnoise
usr/share/man/man8/rtnoise.8.gz
usr/share/bash-completion/completions/rtnoise
usr/share/zsh/vendor-completions/_rtnoise
usr/share/doc/rtnoise/README.md
usr/lib/systemd/system/rtnoise-monitor.service
usr/share/doc/rtnoise/examples/rtnoise-rules.yml
usr/share/doc/rtnoise/examples/rtnoise-dashboard.json
usr/share/doc/rtnoise/copyright
usr/share/doc/rtnoise/changelog.gz
usr/share/doc/rtnoise/LICENSES/preferred/GPL-2.0
usr/share/doc/rtnoise/LICENSES/preferred/MIT
usr/share/doc/rtnoise/LICENSES/exceptions/Linux-syscall-note
usr/share/doc/rtnoise-dkms/copyright
usr/share/doc/rtnoise-dkms/changelog.gz
usr/src/rtnoise-$version/dkms.conf
usr/src/rtnoise-$version/Kbuild
usr/src/rtnoise-$version/Makefile
usr/src/rtnoise-$version/rtnoise.c
usr/src/rtnoise-$version/rtnoise_abi.h
usr/src/rtnoise-$version/rtnoise_ring.h
usr/src/rtnoise-$version/rtnoise_trace.h
EOF2
)
got=$(cd "$dest" && find . -type f -printf '%P\n' | sort)
if [ "$want" = "$got" ]; then
	pass "the installed files"
else
	fail "the installed files differ (< wanted, > installed):"
	diff <(echo "$want") <(echo "$got") | grep '^[<>]'
fi

# The unit as systemd reads it (systemd-analyze verify: the binary it
# starts must exist, so against the installed one).
if command -v systemd-analyze >/dev/null; then
	unit=$dest/usr/lib/systemd/system/rtnoise-monitor.service
	sed "s|ExecStart=/usr/bin/rtnoise|ExecStart=$dest/usr/bin/rtnoise|" "$unit" >"$dest/rtnoise-monitor.service"
	if out=$(systemd-analyze verify --man=no "$dest/rtnoise-monitor.service" 2>&1); then
		pass "systemd-analyze verify rtnoise-monitor.service"
	else
		fail "systemd-analyze verify rtnoise-monitor.service: $out"
	fi
	rm -f "$dest/rtnoise-monitor.service"
fi

share=$dest/usr/share
got=$(XDG_DATA_DIRS=$share bash --norc --noprofile -c '
	. /usr/share/bash-completion/bash_completion
	_completion_loader rtnoise; complete -p rtnoise' 2>&1)
[ "$got" = "complete -F _rtnoise rtnoise" ] && pass "bash-completion loads it" ||
	fail "bash-completion: $got"
got=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D
	print -r -- $_comps[rtnoise]' _ "$share/zsh/vendor-completions" 2>&1)
[ "$got" = "_rtnoise" ] && pass "zsh's compinit finds it" || fail "zsh: $got"
got=$(MANPATH=$share/man man -w rtnoise 2>&1)
[ "$got" = "$share/man/man8/rtnoise.8.gz" ] && pass "man -w rtnoise finds it" || fail "man -w: $got"
"$dest/usr/bin/rtnoise" --version | grep -qx "rtnoise $version" && pass "rtnoise --version" ||
	fail "rtnoise --version: $("$dest/usr/bin/rtnoise" --version 2>&1)"

# DKMS, on the installed source, for the first kernel with headers.
rel=""
for b in /lib/modules/*/build; do
	[ -e "$b/Makefile" ] && { rel=$(basename "$(dirname "$b")"); break; }
done
if [ "$(id -u)" -ne 0 ] || ! command -v dkms >/dev/null || [ -z "$rel" ]; then
	echo "SKIP: dkms build (needs root, dkms and kernel headers)"
else
	trees=(--sourcetree "$dest/usr/src" --dkmstree "$dest/var/lib/dkms"
		--installtree "$dest/lib/modules")
	mkdir -p "$dest/var/lib/dkms" "$dest/lib/modules"
	if out=$(dkms add -m rtnoise -v "$version" "${trees[@]}" 2>&1 &&
		dkms build -m rtnoise -v "$version" -k "$rel" "${trees[@]}" 2>&1); then
		pass "dkms add, build for $rel"
	else
		fail "dkms: $out"
	fi
	ko=$dest/var/lib/dkms/rtnoise/$version/$rel/x86_64/module/rtnoise.ko
	got=$(modinfo -F version "$ko" 2>&1)
	[ "$got" = "$version" ] && pass "the module DKMS built has version $version" ||
		fail "modinfo $ko: $got"
	got=$(dkms status -m rtnoise "${trees[@]}" 2>&1)
	grep -q "^rtnoise/$version, $rel, .*: built" <<<"$got" && pass "dkms status: built" ||
		fail "dkms status: $got"
fi

echo "install.sh: $fails failed"
[ "$fails" -eq 0 ]
