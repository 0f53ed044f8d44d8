#!/usr/bin/env bash
# man.sh - the generated man page renders without groff warnings and has
# what it must: a section per subcommand of `rtnoise --help` naming each
# of its options, the exit status and the files rtnoise touches.
#   man.sh RTNOISE_BINARY PAGE.8
set -u
rt=$1
page=$2
fails=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

warnings=$(groff -man -ww -z "$page" 2>&1)
if [ -z "$warnings" ]; then pass "groff -man -ww: no warning"; else fail "groff: $warnings"; fi
text=$(MANWIDTH=80 MANPAGER=cat man --no-hyphenation --no-justification -l "$page" 2>&1)
st=$?
if [ "$st" -eq 0 ] && [ -n "$text" ]; then pass "man -l renders"; else fail "man -l: exit $st"; fi

has() { grep -qF -- "$1" <<<"$text"; }
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
	grep -qx "$s" <<<"$text" && pass "section $s" || fail "no section $s"
done
subs=$("$rt" --help | sed -n '/^Subcommands:/,$s/^  \([a-z][a-z-]*\).*/\1/p')
for sub in $subs; do
	section=$(awk -v h="RTNOISE ${sub^^}" '$0 == h { on = 1; next } /^[A-Z]/ { on = 0 } on' <<<"$text")
	[ -n "$section" ] && pass "section RTNOISE ${sub^^}" || fail "no section RTNOISE ${sub^^}"
	missing=""
	for opt in $("$rt" "$sub" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' ' '); do
		grep -qF -- "$opt" <<<"$section" || missing+=" $opt"
	done
	[ -z "$missing" ] && pass "$sub: every option" || fail "$sub: missing$missing"
done
for f in /run/rtnoise/partition.json /sys/fs/bpf/rtnoise /dev/rtnoise; do
	has "$f" && pass "FILES: $f" || fail "FILES: no $f"
done
for code in 0 1 2 3 130; do
	awk '/^EXIT STATUS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' <<<"$text" |
		grep -qE "^ +([0-9]+, )*$code\b" && pass "exit status $code" || fail "exit status $code"
done

echo "man.sh: $fails failed"
[ "$fails" -eq 0 ]
