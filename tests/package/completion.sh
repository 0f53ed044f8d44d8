#!/usr/bin/env bash
# completion.sh - the bash and zsh completion of rtnoise, against the
# CLI's own help: syntax (bash -n, zsh -n), registration (complete -p,
# zsh's compinit), `rtnoise att<TAB>`, every subcommand's options, the
# values of --format, --type and --print, and CPU lists from the online
# CPUs.
#   completion.sh RTNOISE_BINARY
set -u
rt=$1
src=$(cd "$(dirname "$0")/../../packaging/completion" && pwd)
fails=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }
expect() { # DESC WANT GOT
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi
}

# complete WORD... - what the bash completion offers for the last word,
# sorted, one line
complete_bash() {
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_rtnoise
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$src/rtnoise.bash" "$@" |
		sed 's/ $//'
}

# help_options SUB - the options `rtnoise SUB --help` lists, sorted
help_options() {
	"$rt" "$1" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | sort | tr '\n' ' ' |
		sed 's/ $//'
}

# --- bash ------------------------------------------------------------------
if bash -n "$src/rtnoise.bash"; then pass "bash -n"; else fail "bash -n"; fi
got=$(bash --norc --noprofile -c '. "$1"; complete -p rtnoise' _ "$src/rtnoise.bash")
expect "complete -p rtnoise" "complete -F _rtnoise rtnoise" "$got"
expect "rtnoise att<TAB>" "attach" "$(complete_bash rtnoise att)"
subs=$("$rt" --help | sed -n '/^Subcommands:/,$s/^  \([a-z][a-z-]*\).*/\1/p' | sort | tr '\n' ' ')
expect "subcommands as in rtnoise --help" "--help --version -h ${subs% }" \
	"$(complete_bash rtnoise '')"
for sub in ${subs}; do
	expect "rtnoise $sub -<TAB>: the options of '$sub --help'" "$(help_options "$sub")" \
		"$(complete_bash rtnoise "$sub" -)"
done
expect "attach --format" "cyclictest cyclictest-json html json text" "$(complete_bash rtnoise attach --format '')"
expect "attach -f j" "json" "$(complete_bash rtnoise attach -f j)"
expect "report --format=" "cyclictest cyclictest-json html json junit prometheus text" "$(complete_bash rtnoise report --format = '')"
expect "check --format" "json text" "$(complete_bash rtnoise check --format '')"
expect "report --type" "irq thread" "$(complete_bash rtnoise report --type '')"
expect "tune --print" "cmdline libvirt" "$(complete_bash rtnoise tune --print '')"
expect "compare --format" "html json junit text" "$(complete_bash rtnoise compare --format '')"
for sub in attach report compare check tune; do
	for opt in --format --type --print; do
		"$rt" "$sub" --help | grep -q -- "$opt TEXT:{" || continue
		want=$("$rt" "$sub" --help | sed -n "s/.*$opt TEXT:{\([^}]*\)}.*/\1/p" | tr ',' '\n' |
			sort | tr '\n' ' ')
		expect "$sub $opt: the values of '$sub --help'" "${want% }" \
			"$(complete_bash rtnoise "$sub" "$opt" '')"
	done
done

# CPU lists: the online CPUs, their ranges, after a comma too.
online=$(cat /sys/devices/system/cpu/online)
want=$( (
	IFS=,
	for r in $online; do
		echo "$r"
		if [[ $r == *-* ]]; then seq "${r%-*}" "${r#*-}"; fi
	done
) | sort | tr '\n' ' ')
expect "attach --cpus: online CPUs ($online)" "${want% }" "$(complete_bash rtnoise attach --cpus '')"
expect "partition --isolate 0,<TAB>" "$(sed 's/\([^ ]*\)/0,\1/g' <<<"${want% }")" \
	"$(complete_bash rtnoise partition --isolate 0,)"

# --- zsh -----------------------------------------------------------------------
if ! command -v zsh >/dev/null; then
	fail "zsh is not installed (scripts/install-deps.sh installs it)"
else
	if zsh -n "$src/_rtnoise"; then pass "zsh -n"; else fail "zsh -n"; fi
	got=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -D
		print -r -- $_comps[rtnoise]' _ "$src")
	expect "compinit registers _rtnoise for rtnoise" "_rtnoise" "$got"
	# Each subcommand's block names every option of its help.
	for sub in $subs; do
		block=$(awk -v s="$sub)" '$1 == s { on = 1; next } on && /;;/ { exit } on' \
			"$src/_rtnoise")
		missing=""
		for opt in $(help_options "$sub"); do
			grep -q -- "[{'\"(,]${opt}[]+=,)}'[]" <<<"$block" || missing+=" $opt"
		done
		expect "zsh: every option of '$sub --help'" "" "${missing# }"
	done
	# Completion typed into an interactive zsh.
	first=${online%%,*}
	lines=("rtnoise att" "rtnoise attach --hist" "rtnoise report --format js"
		"rtnoise report --type i" "rtnoise check --format t" "rtnoise tune --print l"
		"rtnoise par" "rtnoise partition --is")
	want=("rtnoise attach " "rtnoise attach --hist-us=" "rtnoise report --format json "
		"rtnoise report --type irq " "rtnoise check --format text "
		"rtnoise tune --print libvirt " "rtnoise partition " "rtnoise partition --isolate=")
	if [[ $first == *-* ]]; then
		lines+=("rtnoise attach --cpus ${first%-*}-")
		want+=("rtnoise attach --cpus $first,")
	fi
	mapfile -t got < <(timeout 120 zsh -f "$(dirname "$0")/zsh-complete.zsh" "$src" "${lines[@]}")
	for i in "${!lines[@]}"; do
		expect "zsh: ${lines[i]}<TAB>" "<${want[i]}>" "${got[i]:-}"
	done
fi

echo "completion.sh: $fails failed"
[ "$fails" -eq 0 ]
