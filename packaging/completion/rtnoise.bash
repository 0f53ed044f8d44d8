# SPDX-License-Identifier: GPL-2.0
# bash completion for rtnoise(8): subcommands, their options, the values
# of --format, --type and --print, files for --textfile and --spike-log, and CPU lists from the online CPUs.
# Self-contained (bash-completion's helpers are not needed); installed as
# .../bash-completion/completions/rtnoise, loaded when first used.

# _rtnoise_cpus CUR - CPU lists: after the last comma of CUR, the online
# ranges and each online CPU.
_rtnoise_cpus()
{
	local cur=$1 online range lo hi i words=()
	online=$(cat /sys/devices/system/cpu/online 2>/dev/null) || return
	local IFS=,
	for range in $online; do
		words+=("$range")
		if [[ $range == *-* ]]; then
			lo=${range%-*} hi=${range#*-}
			for ((i = lo; i <= hi; i++)); do
				words+=("$i")
			done
		fi
	done
	local prefix=""
	[[ $cur == *,* ]] && prefix=${cur%,*},
	IFS=$'\n'
	COMPREPLY=($(compgen -P "$prefix" -W "${words[*]}" -- "${cur##*,}"))
	compopt -o nospace 2>/dev/null
}

_rtnoise()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: bash splits at '='.
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	local sub="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} != -* ]]; then
			sub=${COMP_WORDS[i]}
			break
		fi
	done

	local opts
	case $sub in
	"")
		opts="attach report compare detach monitor check partition tune -h --help --version"
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
		;;
	attach)
		opts="-c --cpus -p --period -t --threshold -d --duration --hist-us --spikes
		      --priority -f --format -o --output --budget --module --no-bpf --no-sampler --events
		      -w --workload -v --verbose --isolate --on-spike --on-spike-threshold
		      --stop-on-spike -h --help" ;;
	report) opts="-f --format -o --output --type --top --budget -w --workload -h --help" ;;
	compare) opts="-f --format -o --output --budget -h --help" ;;
	detach) opts="--unload -h --help" ;;
	monitor)
		opts="-c --cpus -p --period -t --threshold --listen --textfile --interval
		      --metrics-sources --spike-log --module --no-sampler -w --workload --on-spike
		      --on-spike-threshold --stop-on-spike -h --help" ;;
	check) opts="-c --cpus -f --format --root -h --help" ;;
	partition) opts="--isolate --restore --dry-run --state -h --help" ;;
	tune) opts="-c --cpus --print --hugepages --name --memory --root -h --help" ;;
	*) return ;;
	esac

	case $prev in
	-c | --cpus | --isolate)
		_rtnoise_cpus "$cur"
		return
		;;
	-f | --format)
		if [[ $sub == check ]]; then
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		elif [[ $sub == compare ]]; then
			COMPREPLY=($(compgen -W "text json html junit" -- "$cur"))
		elif [[ $sub == report ]]; then
			COMPREPLY=($(compgen -W "text json cyclictest cyclictest-json html prometheus junit" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json cyclictest cyclictest-json html" -- "$cur"))
		fi
		return
		;;
	--type)
		COMPREPLY=($(compgen -W "thread irq" -- "$cur"))
		return
		;;
	--print)
		COMPREPLY=($(compgen -W "cmdline libvirt" -- "$cur"))
		return
		;;
	--module)
		COMPREPLY=($(compgen -f -X '!*.ko' -- "$cur") $(compgen -d -S / -- "$cur"))
		compopt -o filenames -o nospace 2>/dev/null
		return
		;;
	--root)
		COMPREPLY=($(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return
		;;
	--state | -o | --output | --textfile | --spike-log | --budget)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return
		;;
	-p | --period | -t | --threshold | -d | --duration | --hist-us | --spikes | \
		--priority | --events | -w | --workload | --top | --hugepages | --name | \
		--memory | --listen | --interval | --metrics-sources | --on-spike | --on-spike-threshold)
		return # a value of the user's
		;;
	esac
	if [[ $sub == compare && $cur != -* ]]; then
		COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -S / -- "$cur"))
		compopt -o filenames -o nospace 2>/dev/null
		return
	fi
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}

complete -F _rtnoise rtnoise
