#!/usr/bin/env bash
# junit-validate.sh RTNOISE - the JUnit form of budget verdicts against
# tests/fixtures/junit/junit.xsd (the shape CI systems read), by xmllint:
# the golden files of the unit tests (report --budget of the fixture
# run, compare --budget, hostile names) and what `rtnoise compare
# --budget --format junit` writes from the fixture reports, both ways;
# a broken copy must be refused. Then the usage errors of the format.
set -u
rt=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/fixtures
xsd=$fixtures/junit/junit.xsd
budget=$here/../examples/ci/budget.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }

valid() { # FILE DESC
	if xmllint --noout --schema "$xsd" "$1" 2>"$tmp/err"; then
		pass "$2 validates"
	else
		fail "$2: $(cat "$tmp/err")"
	fi
}

for f in report-budget.junit.xml compare-budget.junit.xml junit-hostile.xml; do
	valid "$fixtures/golden/$f" "golden/$f"
done

# compare: a run against itself holds the example budget (0); the way
# from the isolated run back to the noisy one breaks it (1), naming the
# new source.
"$rt" compare "$fixtures/golden/report-after.json" "$fixtures/golden/report-after.json" \
	--budget "$budget" --format junit --output "$tmp/held.xml"
st=$?
if [ "$st" -eq 0 ]; then pass "compare: held, status 0"; else fail "compare: held, status $st"; fi
valid "$tmp/held.xml" "compare (held)"
"$rt" compare "$fixtures/golden/report-after.json" "$fixtures/golden/report-before.json" \
	--budget "$budget" --format junit >"$tmp/broken.xml"
st=$?
if [ "$st" -eq 1 ]; then pass "compare: broken, status 1"; else fail "compare: broken, status $st"; fi
valid "$tmp/broken.xml" "compare (broken)"
if grep -q 'name="baseline.new_source_us_per_s"' "$tmp/broken.xml" &&
	grep -q 'by irq 24:virtio0-input: 2200.0 us/s &gt; 20 allowed' "$tmp/broken.xml"; then
	pass "compare (broken) names the new source"
else
	fail "compare (broken) does not name the new source"
fi

# The schema refuses what CI would: a testcase without its classname.
sed '0,/ classname="[^"]*"/s///' "$tmp/broken.xml" >"$tmp/bad.xml"
if xmllint --noout --schema "$xsd" "$tmp/bad.xml" 2>/dev/null; then
	fail "a testcase without classname validates"
else
	pass "a testcase without classname is refused"
fi

# Usage errors (status 2, one line), before anything is read.
usage() { # DESC WANT ARGS...
	local desc=$1 want=$2
	shift 2
	got=$("$rt" "$@" 2>&1 >/dev/null)
	st=$?
	if [ "$st" -eq 2 ] && [ "$got" = "$want" ]; then pass "$desc"; else
		fail "$desc: status $st, '$got'"
	fi
}
usage "report --format junit needs --budget" \
	"rtnoise: --format junit is a budget's verdict: give --budget FILE" report --format junit
usage "compare --format junit needs --budget" \
	"rtnoise: --format junit is a budget's verdict: give --budget FILE" \
	compare "$fixtures/golden/report-before.json" "$fixtures/golden/report-after.json" \
	--format junit
usage "report refuses baseline limits" \
	"rtnoise: budget $budget: baseline limits need a run before: rtnoise compare BEFORE AFTER --budget $budget" \
	report --budget "$budget"

echo "junit-validate.sh: $fails failed"
[ "$fails" -eq 0 ]
