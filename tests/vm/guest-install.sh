#!/usr/bin/env bash
# guest-install.sh - rtnoise as a real host installs it (VM test): dpkg -i
# of the rtnoise and rtnoise-dkms packages, DKMS building the module for
# the running kernel, modprobe, `attach` from the installed CLI with
# nothing of the build tree, the man page and completion, then
# dpkg --purge leaving nothing behind.
#   guest-install.sh BUILD_DIR OUT_DIR
#
# The guest's root is the host's, read-only. The script runs again in a
# mount namespace of its own with tmpfs overlays on /usr, /etc and /var:
# dpkg, DKMS and depmod write there, and it all goes when the script ends
# (the host never sees it).
set -u
build=$1
outdir=$2

if [ -z "${RTNOISE_OVERLAID:-}" ]; then
	exec unshare --mount --propagation private env RTNOISE_OVERLAID=1 "$0" "$@"
fi
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/../../kmod/dkms.conf")
debs=("$build/packages/rtnoise_${version}_$(dpkg --print-architecture).deb" "$build/packages/rtnoise-dkms_${version}_all.deb")
rel=$(uname -r)
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset RTNOISE_MODULE
start=$SECONDS

for d in "${debs[@]}"; do
	[ -f "$d" ] || { ko "no $d: run cpack first (ctest's package_debs does)"; finish "$outdir"; exit 1; }
done

# --- writable /usr, /etc and /var, in this namespace only -------------------
ov=$(mktemp -d /run/rtnoise-overlay.XXXXXX)
mount -t tmpfs rtnoise-overlay "$ov"
overlaid=1
for d in usr etc var; do
	mkdir -p "$ov/$d/upper" "$ov/$d/work"
	opts="lowerdir=/$d,upperdir=$ov/$d/upper,workdir=$ov/$d/work"
	mount -t overlay -o "xino=off,$opts" overlay "/$d" 2>/dev/null ||
		mount -t overlay -o "$opts" overlay "/$d" || overlaid=0
done
check "/usr, /etc and /var writable (overlays in a mount namespace)" \
	test "$overlaid" -eq 1 -a -w /usr/bin -a -w /var/lib/dpkg
rmmod rtnoise 2>/dev/null   # a module an earlier test left loaded
# Only the running kernel's modules and headers, as on most hosts: the
# postinst would build for the newest other kernel too (DKMS's
# common.postinst), another 5+ minutes under TCG.
for d in /lib/modules/*; do
	[ "$d" = "/lib/modules/$rel" ] || mount -t tmpfs -o ro,mode=0755 other-kernel "$d"
done
# man-db's trigger would index every man page (minutes under TCG); man
# finds rtnoise.8.gz without its index.
rm -f /var/lib/man-db/auto-update
check "no rtnoise installed before the test" \
	test ! -e /usr/bin/rtnoise -a ! -e /var/lib/dkms/rtnoise

# --- install ------------------------------------------------------------------
# stamp - each line of stdin with the seconds since the script began (and
# a sign of progress for guest-all.sh's watchdog)
stamp()
{
	while IFS= read -r line; do
		printf '[%4d] %s\n' "$SECONDS" "$line"
		touch "$outdir/progress"
	done
}
t0=$SECONDS
timeout --foreground -k 10 1200 dpkg -i "${debs[@]}" 2>&1 | stamp >"$outdir/dpkg-install.log"
st=${PIPESTATUS[0]}
cp /var/lib/dkms/rtnoise/"$version"/build/make.log "$outdir/dkms-make.log" 2>/dev/null
if [ "$st" -eq 0 ]; then
	ok "dpkg -i rtnoise rtnoise-dkms ($((SECONDS - t0)) s)"
else
	ko "dpkg -i: exit $st: $(tail -20 "$outdir/dpkg-install.log")"
fi
run dkms status -m rtnoise
check "dkms status: built and installed for $rel ($out)" \
	grep -qE "^rtnoise/$version, $rel, [^:]*: installed" <<<"$out"
run modinfo -n rtnoise
check "modinfo finds the DKMS module ($out)" \
	grep -qE "^/lib/modules/$rel/updates/dkms/rtnoise\.ko" <<<"$out"
run modinfo -F version rtnoise
check "the module carries its version ($out)" test "$out" = "$version"

# --- modprobe, --version --------------------------------------------------------
expect_ok "modprobe rtnoise" modprobe rtnoise
check "loaded from the DKMS tree" test -e /sys/module/rtnoise
run /usr/bin/rtnoise --version
printf '%s\n' "$out"
if grep -q "^rtnoise $version" <<<"$out" && grep -qE "^ioctl ABI: [0-9]+" <<<"$out" &&
	grep -qE "^rtnoise.ko: $version loaded, ABI [0-9]+$" <<<"$out"; then
	ok "--version names the release, the ABI and the loaded module"
else
	ko "--version: $out"
fi
expect_ok "modprobe -r rtnoise" modprobe -r rtnoise

# --- attach from the installed CLI: it loads the module through modprobe -------
cd /
RUN_TIMEOUT=600 run rtnoise attach --cpus 2 --duration 3s
printf '%s\n' "$out" >"$outdir/install-attach.txt"
if [ "$st" -eq 0 ] &&
	grep -q "loaded /lib/modules/$rel/updates/dkms/rtnoise.ko.* (modprobe)" <<<"$out" &&
	grep -q "CPU 2" <<<"$out"; then
	ok "rtnoise attach --cpus 2 --duration 3s: module by modprobe, report printed"
else
	ko "rtnoise attach --cpus 2 --duration 3s: exit $st: $out"
fi
check "attach used the installed CLI" test "$(command -v rtnoise)" = /usr/bin/rtnoise
check "nothing pinned after --duration" test ! -e /sys/fs/bpf/rtnoise

# --- man page and completion ----------------------------------------------------
run env MANPAGER=cat MANWIDTH=80 man rtnoise
if [ "$st" -eq 0 ] && grep -q "RTNOISE ATTACH" <<<"$out" && grep -q "EXIT STATUS" <<<"$out" &&
	grep -q "/run/rtnoise/partition.json" <<<"$out"; then
	ok "man rtnoise renders (a section per subcommand, exit status, files)"
else
	ko "man rtnoise: exit $st: $(head -5 <<<"$out")"
fi
run bash -c '. /usr/share/bash-completion/bash_completion
	_completion_loader rtnoise; complete -p rtnoise
	COMP_WORDS=(rtnoise att); COMP_CWORD=1; _rtnoise; echo "${COMPREPLY[*]}"'
if grep -q "complete -F _rtnoise rtnoise" <<<"$out" && grep -qx attach <<<"$out"; then
	ok "bash completion loaded on demand: rtnoise att -> attach"
else
	ko "bash completion: $out"
fi

# --- purge: nothing left ----------------------------------------------------------
t0=$SECONDS
timeout --foreground -k 10 600 dpkg --purge rtnoise rtnoise-dkms 2>&1 | stamp >"$outdir/dpkg-purge.log"
st=${PIPESTATUS[0]}
if [ "$st" -eq 0 ]; then
	ok "dpkg --purge rtnoise rtnoise-dkms ($((SECONDS - t0)) s)"
else
	ko "dpkg --purge: exit $st: $(tail -20 "$outdir/dpkg-purge.log")"
fi
check "module unloaded by the removal" test ! -e /sys/module/rtnoise
check "no DKMS entry" test -z "$(dkms status -m rtnoise 2>/dev/null)" -a ! -e /var/lib/dkms/rtnoise
# What dpkg, DKMS and depmod wrote is in the overlays' upper layers:
# after the purge, nothing of rtnoise may be there (but man-db's cache
# of the page `man rtnoise` formatted, which is man's, as on any host).
left=$(find "$ov"/*/upper -name '*rtnoise*' -not -path "$ov/var/upper/cache/man/*" 2>/dev/null)
check "no file left (${left:-none})" test -z "$left"
check "modules.dep forgot rtnoise" bash -c "! grep -q rtnoise /lib/modules/$rel/modules.dep"
check "dpkg knows no rtnoise package" bash -c \
	"! dpkg-query -W -f='\${Status}\n' rtnoise rtnoise-dkms 2>/dev/null | grep -qv not-installed"

echo "guest-install.sh: $((SECONDS - start)) s"
finish "$outdir"
