#!/usr/bin/env bash
# lintian.sh - lintian on the .deb packages: no error (what it warns of
# is shown).
#   lintian.sh PACKAGE.deb...
set -u
command -v lintian >/dev/null || {
	echo "lintian.sh: lintian is not installed: run scripts/install-deps.sh" >&2
	exit 1
}
for deb in "$@"; do
	[ -f "$deb" ] || { echo "lintian.sh: no $deb" >&2; exit 1; }
done
lintian --fail-on error --display-info "$@"
st=$?
echo "lintian.sh: exit $st"
exit "$st"
