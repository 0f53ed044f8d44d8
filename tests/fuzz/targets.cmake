# SPDX-License-Identifier: GPL-2.0
# The libFuzzer targets: tests/fuzz/fuzz_<name>.cpp, each with its seeds in
# tests/fuzz/corpus/<name>/. Read by tests/fuzz/CMakeLists.txt (the build,
# with clang++) and tests/CMakeLists.txt (one ctest test each).
set(RTNOISE_FUZZ_TARGETS
  cpulist     # util/cpulist: parse_cpulist, format_cpulist, to_bitmap, set ops
  duration    # util/units: parse_duration_ns, format_duration, format_bytes
  utf8        # util/utf8: valid_utf8, escape_name, unescape_name
  ksyms       # host/ksyms: Ksyms::parse and the lookups
  stat        # host/procfs: parse_stat, list_tasks
  swaps       # host/procfs: parse_swaps
  cmdline     # host/procfs: parse_cmdline, isolcpus_cpus, isolcpus_flags
  hex_mask    # host/procfs: parse_hex_mask, format_hex_mask
  kconfig     # host/procfs: read_kernel_config, /boot and /proc/config.gz
  state       # isolation/state: state_from_json, state_to_json
  check       # isolation/check*: run_checks on a rewritten host tree
  irqbalance  # isolation/check_irqs: /etc/default/irqbalance
  plan        # isolation/plan: plan_partition on a rewritten host tree
  listen     # cli/parse: parse_listen, parse_interval
  report_json # analysis/report_json: read_report_json, render_json
  budget      # analysis/budget: parse_budget, judge
  compare     # analysis/compare: two reports read, compared, rendered
  http)       # app/metrics_http: a request to the monitor's HTTP server
