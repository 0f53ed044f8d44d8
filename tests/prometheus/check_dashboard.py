#!/usr/bin/env python3
# check_dashboard.py - the Grafana dashboard is valid JSON, and every
# PromQL expression in it (panel targets, template variable queries) names
# only metrics that rtnoise's exposition defines.
#   check_dashboard.py DASHBOARD.json EXPOSITION.txt
import json
import re
import sys

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "inf", "nan"}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def defined_metrics(exposition):
    """Sample names each # TYPE of the exposition allows."""
    names = set()
    for line in exposition.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)$", line)
        if not m:
            continue
        name, kind = m.groups()
        names.add(name)
        if kind == "histogram":
            names |= {name + "_bucket", name + "_sum", name + "_count"}
    return names


def metric_names(expr):
    """The metric names a PromQL expression (with Grafana variables) reads."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)           # string literals
    e = re.sub(r"\{[^}]*\}", " ", e)                         # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                        # ranges
    e = re.sub(r"\$\{?\w+\}?", " ", e)                       # Grafana variables
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = []
    for m in IDENT.finditer(e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if rest.startswith("("):
            continue                                         # a function
        if word.lower() in KEYWORDS:
            continue
        if re.match(r"\d", e[m.start() - 1:m.start()] if m.start() else ""):
            continue                                         # 1e-06 and the like
        names.append(word)
    return names


def expressions(node, where="$"):
    """Every PromQL expression in the dashboard, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}"
            if key == "expr" and isinstance(value, str):
                yield here, value
            elif key == "query" and isinstance(value, str) and "(" in value:
                yield here, value
            else:
                yield from expressions(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from expressions(value, f"{where}[{i}]")


def main():
    if len(sys.argv) != 3:
        print("usage: check_dashboard.py DASHBOARD.json EXPOSITION.txt", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_dashboard: {sys.argv[1]}: not valid JSON: {e}")
        return 1
    with open(sys.argv[2], encoding="utf-8") as f:
        known = defined_metrics(f.read())
    if not known:
        print(f"check_dashboard: {sys.argv[2]} defines no metric")
        return 1
    failures = 0
    count = 0
    for where, expr in expressions(dash):
        count += 1
        # label_values(metric{...}, label): the metric, before the last comma.
        m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", expr)
        if m:
            expr = m.group(1)
        names = metric_names(expr)
        if not names:
            print(f"check_dashboard: {where}: names no metric: {expr}")
            failures += 1
        for name in names:
            if name not in known:
                print(f"check_dashboard: {where}: {name} is not a metric of rtnoise: {expr}")
                failures += 1
    for i, panel in enumerate(dash.get("panels", [])):
        if not panel.get("targets"):
            print(f"check_dashboard: panel {i} ({panel.get('title')}) has no query")
            failures += 1
    print(f"check_dashboard: {count} expressions, {failures} problems")
    return 1 if failures or not count else 0


if __name__ == "__main__":
    sys.exit(main())
