#!/usr/bin/env bash
# check.sh - the fleet files and the exposition through Prometheus's own
# checker, each also shown to fail on a broken copy.
#   check.sh metrics EXPOSITION.txt        promtool check metrics
#   check.sh rules RULES.yml               promtool check rules
#   check.sh dashboard DASHBOARD.json EXPOSITION.txt
#   check.sh cli RTNOISE                   monitor's usage errors
set -u
here=$(dirname "$(realpath "$0")")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; status=1; }
need_promtool() {
	command -v promtool >/dev/null || {
		echo "check.sh: promtool is missing (Debian: prometheus; scripts/install-deps.sh)" >&2
		exit 1
	}
}

case ${1:-} in
metrics)
	need_promtool
	if out=$(promtool check metrics <"$2" 2>&1); then
		pass "promtool check metrics $2"
	else
		fail "promtool check metrics $2: $out"
	fi
	# Broken copies: an unescaped quote in a label value, a sample
	# without a value, a counter without _total.
	sed '0,/name="24:virtio0-input"/s//name="24:"virtio0-input"/' "$2" >"$tmp/quote.txt"
	sed '0,/^rtnoise_sampling{cpu="2"} 1$/s//rtnoise_sampling{cpu="2"}/' "$2" >"$tmp/novalue.txt"
	sed 's/rtnoise_spikes_total/rtnoise_spikes/' "$2" >"$tmp/nototal.txt"
	for bad in quote novalue nototal; do
		cmp -s "$2" "$tmp/$bad.txt" && { fail "the $bad copy is not broken"; continue; }
		if out=$(promtool check metrics <"$tmp/$bad.txt" 2>&1); then
			fail "promtool accepts the $bad copy"
		else
			pass "promtool refuses the $bad copy: $(printf '%s' "$out" | head -1)"
		fi
	done
	;;
rules)
	need_promtool
	if out=$(promtool check rules "$2" 2>&1); then
		pass "promtool check rules $2"
	else
		fail "promtool check rules $2: $out"
	fi
	sed '0,/expr: rtnoise_sampling == 0/s//expr: rtnoise_sampling == == 0/' "$2" >"$tmp/bad.yml"
	if out=$(promtool check rules "$tmp/bad.yml" 2>&1); then
		fail "promtool accepts rules with a broken expression"
	else
		pass "promtool refuses rules with a broken expression"
	fi
	;;
dashboard)
	if out=$(python3 "$here/check_dashboard.py" "$2" "$3" 2>&1); then
		pass "$out"
	else
		fail "$out"
	fi
	sed '0,/rtnoise_spikes_total/s//rtnoise_spikes_count_total/' "$2" >"$tmp/unknown.json"
	head -c 200 "$2" >"$tmp/cut.json"
	for bad in unknown cut; do
		if out=$(python3 "$here/check_dashboard.py" "$tmp/$bad.json" "$3" 2>&1); then
			fail "check_dashboard accepts the $bad copy"
		else
			pass "check_dashboard refuses the $bad copy: $(printf '%s' "$out" | head -1)"
		fi
	done
	;;
cli)
	# One line, exit 2, before anything is attached (also without root).
	expect_usage() {
		local re=$1
		shift
		local out st lines
		out=$("$@" 2>&1)
		st=$?
		lines=$(printf '%s\n' "$out" | grep -c .)
		if [ "$st" -eq 2 ] && [ "$lines" -eq 1 ] && printf '%s' "$out" | grep -qE -- "$re"; then
			pass "$*: $out"
		else
			fail "$*: exit $st, $lines lines: $out"
		fi
	}
	expect_usage '^rtnoise: --listen 9464: no port' "$2" monitor --cpus 0 --listen 9464
	expect_usage '^rtnoise: --listen 1.2.3.4:99999: the port is out of range' \
		"$2" monitor --cpus 0 --listen 1.2.3.4:99999
	expect_usage '^rtnoise: --interval 0 is out of range' "$2" monitor --cpus 0 --interval 0
	expect_usage '^rtnoise: --interval fast: ' "$2" monitor --cpus 0 --interval fast
	expect_usage '^rtnoise: --textfile /tmp/x.txt: ' "$2" monitor --cpus 0 --textfile /tmp/x.txt
	expect_usage '^rtnoise: --metrics-sources: Value 0 not in range 1 to 1000' \
		"$2" monitor --cpus 0 --metrics-sources 0
	expect_usage '^rtnoise: .*--cpus' "$2" monitor --listen :9464
	;;
*)
	echo "usage: check.sh metrics|rules|dashboard|cli ..." >&2
	exit 2
	;;
esac
exit "$status"
