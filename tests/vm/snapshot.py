#!/usr/bin/env python3
"""snapshot.py - print, one sorted line each, everything `rtnoise partition`
may change on a host: IRQ affinities, the default IRQ affinity, the
workqueue cpumask, the sysctls and mm knobs, the cgroup tree and its
controllers, and each kernel thread's policy, priority and CPUs. Two
snapshots that differ say what a restore failed to put back."""
import glob
import os


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return "<unreadable>"


lines = []
for p in glob.glob("/proc/irq/[0-9]*/smp_affinity_list"):
    lines.append(f"{p} {read(p)}")
for p in ["/proc/irq/default_smp_affinity",
          "/sys/devices/virtual/workqueue/cpumask",
          "/proc/sys/kernel/watchdog", "/proc/sys/kernel/nmi_watchdog",
          "/proc/sys/kernel/sched_rt_runtime_us",
          "/proc/sys/kernel/timer_migration", "/proc/sys/vm/stat_interval",
          "/proc/sys/kernel/ftrace_enabled", "/sys/kernel/mm/ksm/run",
          "/sys/kernel/mm/transparent_hugepage/enabled", "/proc/swaps",
          "/sys/fs/cgroup/cgroup.subtree_control",
          "/sys/fs/cgroup/cpuset.cpus.effective"]:
    if os.path.exists(p):
        lines.append(f"{p} {read(p)!r}")
for d in sorted(glob.glob("/sys/fs/cgroup/*/")):
    lines.append(f"cgroup {d}")
for stat in glob.glob("/proc/[0-9]*/task/[0-9]*/stat"):
    text = read(stat)
    try:
        comm = text[text.index("(") + 1:text.rindex(")")]
        f = text[text.rindex(")") + 2:].split()
    except ValueError:
        continue
    if not int(f[9 - 3]) & 0x00200000:     # kernel threads only
        continue
    if comm.startswith("kworker/"):         # come and go on their own
        continue
    if comm.startswith("irq/"):             # follow their IRQ's effective
        continue                            # CPU, which the kernel picks
    if read(os.path.dirname(stat) + "/wchan") == "rescuer_thread":
        continue                            # workqueue rescuers: likewise
    status = read(os.path.dirname(stat) + "/status")
    allowed = [l.split(":", 1)[1].strip() for l in status.splitlines()
               if l.startswith("Cpus_allowed_list")]
    # By name: a kthread stopped and restarted (khugepaged) has a new pid.
    lines.append(f"kthread {comm} policy={f[41 - 3]} "
                 f"prio={f[40 - 3]} cpus={allowed[0] if allowed else '?'}")
print("\n".join(sorted(lines)))
