#!/usr/bin/env bash
# validate-libvirt.sh RTNOISE FIXTURE_ROOT - the guest XML of `rtnoise tune`
# must be accepted by libvirt's own schema (virt-xml-validate).
set -euo pipefail
xml=$(mktemp --suffix=.xml)
trap 'rm -f "$xml"' EXIT
"$1" tune --cpus 2-3 --print libvirt --root "$2" --name rt-guest >"$xml"
virt-xml-validate "$xml" domain
