#!/usr/bin/env python3
# big-report.py - a JSON report of N spikes, for compare's memory: the
# report REPORT.json (an rtnoise report) with its spikes repeated, each
# copy its own cycle, to N in all, written to OUT as it is made (the
# spikes are never all in memory), as rtnoise writes it: keys sorted,
# two-space indent.
#
#   bench/big-report.py REPORT.json N OUT
import json
import sys


def main():
    if len(sys.argv) != 4:
        print("usage: big-report.py REPORT.json N OUT", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        report = json.load(f)
    n = int(sys.argv[2])
    spikes = report["spikes"]
    if not spikes:
        print("big-report.py: the report has no spikes to repeat", file=sys.stderr)
        return 2
    report["spikes"] = []
    text = json.dumps(report, indent=2, sort_keys=True)
    hole = '"spikes": []'
    at = text.index(hole)
    with open(sys.argv[3], "w") as out:
        out.write(text[:at] + '"spikes": [')
        for i in range(n):
            sp = dict(spikes[i % len(spikes)])
            sp["cycle"] = i
            one = json.dumps(sp, indent=2, sort_keys=True).replace("\n", "\n    ")
            out.write(("," if i else "") + "\n    " + one)
        out.write("\n  ]" + text[at + len(hole):] + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
