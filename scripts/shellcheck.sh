#!/usr/bin/env bash
# scripts/shellcheck.sh - every shell script of the tree through shellcheck, at
# warning level and following what each sources; any finding fails.
#   scripts/shellcheck.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mapfile -t files < <(git ls-files '*.sh' 2>/dev/null || find . -name '*.sh' -not -path './build*')
files+=(.ci/run)
# SCRIPTDIR: "# shellcheck source=lib.sh" is beside the script that says it.
shellcheck --external-sources --source-path=SCRIPTDIR --severity=warning "${files[@]}"
echo "shellcheck.sh: ${#files[@]} scripts clean"
