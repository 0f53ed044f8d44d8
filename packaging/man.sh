#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# man.sh - write rtnoise.8 from the CLI's own help, at build time.
#
#   man.sh RTNOISE_BINARY VERSION INCLUDE.h2m OUT.8
#
# help2man turns `rtnoise --help` into the page; each subcommand's
# `rtnoise SUB --help` becomes a section of its own (RTNOISE ATTACH, ...);
# INCLUDE.h2m adds what help cannot say: the description, exit status,
# environment and files.
set -euo pipefail

bin=$(realpath "$1") version=$2 include=$(realpath "$3") out=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# help2man reads the program's help through a wrapper: argv[0] is
# "rtnoise", and an option's description always starts on a line of its
# own, as help2man's lists expect. CLI11 puts it beside the option, two
# spaces or more after it, or one when the option fills the 30 columns
# CLI11 gives it (an option longer than that has its description on the
# next line, indented by 30).
cat >"$tmp/split.awk" <<'AWK'
function flush(next_line,    name, desc) {
	if (!have)
		return
	have = 0
	name = 0
	if (held ~ /^  [^ ]/) {
		if (match(held, /[^ ]  +[^ ]/)) {
			name = RSTART
			desc = RSTART + RLENGTH - 1
		} else if (next_line !~ /^                              / &&
			   substr(held, 29, 2) ~ /^[^ ] $/ && substr(held, 31, 1) ~ /^[^ ]$/) {
			name = 29
			desc = 31
		}
	}
	if (name) {
		print substr(held, 1, name)
		print "                              " substr(held, desc)
	} else {
		print held
	}
}
{ flush($0); held = $0; have = 1 }
END { flush("") }
AWK
printf '#!/bin/sh\n"%s" "$@" | awk -f "%s"\n' "$bin" "$tmp/split.awk" >"$tmp/rtnoise"
chmod +x "$tmp/rtnoise"
export PATH="$tmp:$PATH"
h2m=(help2man --no-info --no-discard-stderr --section 8 --version-string "rtnoise $version")

# One section per subcommand: help2man's page of `rtnoise SUB --help`
# from its synopsis on, the headings made paragraphs.
subs=$(rtnoise --help | sed -n '/^Subcommands:/,$s/^  \([a-z][a-z-]*\).*/\1/p')
[ -n "$subs" ] || { echo "man.sh: no subcommands in 'rtnoise --help'" >&2; exit 1; }
for sub in $subs; do
	printf '[RTNOISE %s]\n' "${sub^^}"
	"${h2m[@]}" --help-option "$sub --help" rtnoise | awk '
		/^\.SH SYNOPSIS/ { on = 1; next }
		/^\.SH DESCRIPTION/ { print ".PP"; next }
		/^\.SH OPTIONS/ { print ".PP"; print "Options:"; next }
		/^\.SH / { on = 0 }
		/^\[/ { $0 = "\\&" $0 }  # not a section of the include file
		on'
done >"$tmp/commands.h2m"

"${h2m[@]}" --name "measure, explain and remove the noise on isolated CPUs" \
	--include "$tmp/commands.h2m" --include "$include" --output "$out" rtnoise
