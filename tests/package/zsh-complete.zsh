#!/bin/zsh -f
# zsh-complete.zsh DIR LINE... - type each LINE and a TAB into an
# interactive zsh whose fpath has the completion in DIR, and print the
# command line the completion made of it, one per line, as <LINE>.
zmodload zsh/zpty || exit 1
dir=$1
shift
out=$(mktemp) || exit 1
trap 'rm -f $out; zpty -d z 2>/dev/null' EXIT
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D; rtnoise() { :; }"
# ^X writes the command line to $out and clears it.
zpty -w z "dump() { print -r -- \"<\$BUFFER>\" >>${(q)out}; BUFFER=; }; zle -N dump; bindkey '^X' dump"
n=0
for line in "$@"; do
	# One line at a time: zsh drops what is typed ahead of a completion.
	zpty -w -n z "$line"$'\t\C-x'
	n=$((n + 1))
	for i in {1..300}; do
		(( $(wc -l <$out) >= n )) && break
		sleep 0.1
	done
done
cat $out
