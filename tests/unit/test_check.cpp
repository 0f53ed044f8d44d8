// SPDX-License-Identifier: GPL-2.0
// `rtnoise check` on trees captured from two real boots (capture-host.sh
// in virtme-ng guests): Debian's stock 6.1 as it boots, and its
// PREEMPT_RT kernel booted with the guides' parameters and partitioned
// with `rtnoise partition --isolate 2-3`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "host_tree.hpp"
#include "isolation/check.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

const std::string kHosts = std::string(RTNOISE_FIXTURES) + "/hosts/";

std::map<std::string, Verdict> verdicts(const CheckResult& r)
{
	std::map<std::string, Verdict> m;
	for (const Finding& f : r.findings)
		m[f.id] = f.verdict;
	return m;
}

const Finding& find(const CheckResult& r, const std::string& id)
{
	for (const Finding& f : r.findings)
		if (f.id == id)
			return f;
	throw std::runtime_error("no finding " + id);
}

}  // namespace

TEST(Check, TunedHostPassesEveryRule)
{
	CheckResult r = run_checks(kHosts + "debian-6.1-rt-tuned", std::nullopt);
	EXPECT_EQ(r.cpus, (CpuSet{2, 3}));  // from isolated/nohz_full
	EXPECT_EQ(r.housekeeping, (CpuSet{0, 1}));
	EXPECT_GE(r.findings.size(), 35u);
	for (const Finding& f : r.findings)
		EXPECT_EQ(f.verdict, Verdict::pass) << f.id << ": " << f.what;
	EXPECT_FALSE(r.failed());
}

TEST(Check, DefaultHostFailsWhereTheGuidesSay)
{
	EXPECT_THROW(run_checks(kHosts + "debian-6.1-default", std::nullopt), Error);

	CheckResult r = run_checks(kHosts + "debian-6.1-default", CpuSet{2, 3});
	auto v = verdicts(r);
	EXPECT_TRUE(r.failed());
	EXPECT_EQ(v["kernel.preempt_rt"], Verdict::warn);
	EXPECT_EQ(v["kernel.config.NO_HZ_FULL"], Verdict::pass);
	EXPECT_EQ(v["boot.nohz_full"], Verdict::fail);
	EXPECT_EQ(v["boot.isolcpus"], Verdict::warn);
	EXPECT_EQ(v["boot.rcu_nocbs"], Verdict::warn);
	EXPECT_EQ(v["irq.affinity"], Verdict::fail);
	EXPECT_EQ(v["irq.default_affinity"], Verdict::fail);
	EXPECT_EQ(v["wq.cpumask"], Verdict::fail);
	EXPECT_EQ(v["tasks.kthreads"], Verdict::fail);
	EXPECT_EQ(v["tasks.rcu"], Verdict::warn);
	EXPECT_EQ(v["tasks.priorities"], Verdict::warn);
	EXPECT_EQ(v["sysctl.watchdog"], Verdict::warn);
	EXPECT_EQ(v["sysctl.sched_rt_runtime_us"], Verdict::warn);
	EXPECT_EQ(v["sysctl.timer_migration"], Verdict::warn);
	EXPECT_EQ(v["sysctl.stat_interval"], Verdict::warn);
	EXPECT_EQ(v["mm.thp"], Verdict::warn);
	EXPECT_EQ(v["mm.swap"], Verdict::pass);
	EXPECT_EQ(v["clock.source"], Verdict::fail);
	EXPECT_EQ(v["irq.irqbalance"], Verdict::pass);
}

TEST(Check, FindingsCarryEvidenceAndTheFix)
{
	CheckResult r = run_checks(kHosts + "debian-6.1-default", CpuSet{2, 3});
	const Finding& nohz = find(r, "boot.nohz_full");
	EXPECT_EQ(nohz.fix, "boot with nohz_full=2-3");
	EXPECT_EQ(nohz.evidence, "/proc/cmdline has no nohz_full=");
	const Finding& wq = find(r, "wq.cpumask");
	EXPECT_EQ(wq.evidence, "/sys/devices/virtual/workqueue/cpumask = f");
	EXPECT_EQ(wq.fix, "echo 00000003 > /sys/devices/virtual/workqueue/cpumask");
	const Finding& irq = find(r, "irq.affinity");
	EXPECT_NE(irq.what.find("(ttyS0)"), std::string::npos) << irq.what;
	const Finding& prio = find(r, "tasks.priorities");
	EXPECT_NE(prio.what.find("ksoftirqd/2"), std::string::npos);
	const Finding& sysctl = find(r, "sysctl.sched_rt_runtime_us");
	EXPECT_EQ(sysctl.fix, "sysctl -w kernel.sched_rt_runtime_us=-1");
	for (const Finding& f : r.findings) {
		if (f.verdict != Verdict::pass) {
			EXPECT_FALSE(f.fix.empty()) << f.id;
		}
	}
}

TEST(Check, Renderings)
{
	CheckResult r = run_checks(kHosts + "debian-6.1-default", CpuSet{2, 3});
	std::string text = render_check_text(r);
	EXPECT_NE(text.find("FAIL  boot.nohz_full"), std::string::npos);
	EXPECT_NE(text.find("      fix:  boot with nohz_full=2-3\n"), std::string::npos);
	auto j = nlohmann::json::parse(render_check_json(r));
	EXPECT_EQ(j["cpus"], "2-3");
	EXPECT_EQ(j["housekeeping"], "0-1");
	EXPECT_GT(j["summary"]["fail"].get<int>(), 0);
	EXPECT_EQ(j["findings"].size(), r.findings.size());
}

TEST(Check, RefusesWhatItCannotJudge)
{
	// Stock 6.1 prints its unset nohz_full mask as "(null)": no CPUs,
	// so the user must name them.
	try {
		run_checks(kHosts + "debian-6.1-default", std::nullopt);
		FAIL() << "no error without isolated CPUs";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_NE(std::string(e.what()).find("isolates no CPU"), std::string::npos);
	}
	try {
		run_checks(kHosts + "debian-6.1-default", CpuSet{2, 9});
		FAIL() << "no error for an absent CPU";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_NE(std::string(e.what()).find("CPU 9 does not exist"), std::string::npos);
	}
	// A directory that is no host tree must not audit as a clean host.
	try {
		run_checks(std::string(RTNOISE_FIXTURES), CpuSet{1});
		FAIL() << "a tree without /proc/cmdline was audited";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		EXPECT_NE(std::string(e.what()).find("proc/cmdline"), std::string::npos);
	}
}

// While rtnoise's BPF side is attached, function tracing stays on (its
// fentry programs stop without it): check says so instead of warning,
// and warns about the opposite, which silences them.
TEST(Check, FunctionTracingKeptOnForTheBpfSide)
{
	namespace fs = std::filesystem;
	const fs::path tree =
		fs::temp_directory_path() / ("rtnoise-check-" + std::to_string(::getpid()));
	fs::remove_all(tree);
	fs::copy(kHosts + "debian-6.1-default", tree, fs::copy_options::recursive);
	EXPECT_EQ(find(run_checks(tree, CpuSet{2, 3}), "trace.ftrace").verdict, Verdict::warn);

	fs::create_directories(tree / "sys/fs/bpf/rtnoise");
	Finding on = find(run_checks(tree, CpuSet{2, 3}), "trace.ftrace");
	EXPECT_EQ(on.verdict, Verdict::pass) << on.what;
	EXPECT_NE(on.what.find("BPF"), std::string::npos) << on.what;

	std::ofstream(tree / "proc/sys/kernel/ftrace_enabled") << "0\n";
	Finding off = find(run_checks(tree, CpuSet{2, 3}), "trace.ftrace");
	EXPECT_EQ(off.verdict, Verdict::warn) << off.what;
	EXPECT_NE(off.fix.find("kernel.ftrace_enabled=1"), std::string::npos) << off.fix;
	fs::remove_all(tree);
}

// Kernels up to 7.x: the rules read what the kernel itself says where it
// says it (6.19's /sys/devices/system/cpu/housekeeping), do not advise
// what it does by itself, and flag boot parameters that contradict each
// other. The 6.1 tree has no housekeeping file; kernel7() gives it one.
namespace {

using test::HostTree;

const std::string kTuned = "debian-6.1-rt-tuned";

std::optional<Finding> finding(const CheckResult& r, const std::string& id)
{
	for (const Finding& f : r.findings)
		if (f.id == id)
			return f;
	return std::nullopt;
}

bool has(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

}  // namespace

TEST(CheckKernel7, HousekeepingFileIsTheKernelsWord)
{
	HostTree old(kTuned, "hk61");
	EXPECT_FALSE(finding(run_checks(old.path(), std::nullopt), "kernel.housekeeping"))
		<< "no such file before 6.19: nothing to judge";

	HostTree h(kTuned, "hk7");
	h.kernel7("0-1");
	auto ok = finding(run_checks(h.path(), std::nullopt), "kernel.housekeeping");
	ASSERT_TRUE(ok);
	EXPECT_EQ(ok->verdict, Verdict::pass) << ok->what;

	// The command line asks for 2-3, the kernel kept 2 for housekeeping
	// (as it does with nohz_full= and isolcpus=nohz of other lists).
	h.put("sys/devices/system/cpu/housekeeping", "0-2\n");
	auto kept = finding(run_checks(h.path(), CpuSet{2, 3}), "kernel.housekeeping");
	ASSERT_TRUE(kept);
	EXPECT_EQ(kept->verdict, Verdict::fail);
	EXPECT_TRUE(has(kept->what, "CPUs 2")) << kept->what;
	EXPECT_TRUE(has(kept->evidence, "/sys/devices/system/cpu/housekeeping = 0-2"))
		<< kept->evidence;
	EXPECT_TRUE(has(kept->fix, "dmesg")) << kept->fix;

	// An empty file: nohz isolation is off, every CPU does housekeeping.
	h.put("sys/devices/system/cpu/housekeeping", "\n");
	auto none = finding(run_checks(h.path(), CpuSet{2, 3}), "kernel.housekeeping");
	ASSERT_TRUE(none);
	EXPECT_EQ(none->verdict, Verdict::fail);
	EXPECT_TRUE(has(none->what, "2-3")) << none->what;
}

TEST(CheckKernel7, AuditsTheCpusTheKernelSaysItIsolates)
{
	// Neither "isolated" nor "nohz_full" lists a CPU: before 6.19 there
	// is nothing to audit; the housekeeping file names the others.
	HostTree h(kTuned, "hkcpus");
	h.put("sys/devices/system/cpu/isolated", "\n");
	h.put("sys/devices/system/cpu/nohz_full", "(null)\n");
	EXPECT_THROW(run_checks(h.path(), std::nullopt), Error);
	h.kernel7("0-2");
	CheckResult r = run_checks(h.path(), std::nullopt);
	EXPECT_EQ(r.cpus, (CpuSet{3}));
	EXPECT_EQ(r.housekeeping, (CpuSet{0, 1, 2}));
}

TEST(CheckKernel7, NoTimerMigrationAdviceWhereTheKernelKeepsIsolatedCpusOut)
{
	HostTree old(kTuned, "tm61");
	old.put("proc/sys/kernel/timer_migration", "1\n");
	Finding warn = find(run_checks(old.path(), std::nullopt), "sysctl.timer_migration");
	EXPECT_EQ(warn.verdict, Verdict::warn) << warn.what;
	EXPECT_TRUE(has(warn.fix, "timer_migration=0")) << warn.fix;

	HostTree h(kTuned, "tm7");
	h.put("proc/sys/kernel/timer_migration", "1\n");
	h.kernel7("0-1");
	Finding kernel = find(run_checks(h.path(), std::nullopt), "sysctl.timer_migration");
	EXPECT_EQ(kernel.verdict, Verdict::pass) << kernel.what;
	EXPECT_TRUE(kernel.fix.empty());
	EXPECT_TRUE(has(kernel.what, "timer migration")) << kernel.what;
	// A CPU the kernel does not isolate still gets the advice.
	Finding other = find(run_checks(h.path(), CpuSet{1, 2}), "sysctl.timer_migration");
	EXPECT_EQ(other.verdict, Verdict::warn) << other.what;
}

TEST(CheckKernel7, IrqaffinityAgainstManagedIrqIsolation)
{
	HostTree h(kTuned, "irqmgd");
	h.isolation("isolcpus=managed_irq,domain,2-3 nohz_full=2-3 irqaffinity=0-2");
	auto f = finding(run_checks(h.path(), CpuSet{3}), "boot.irqaffinity_managed");
	ASSERT_TRUE(f);
	EXPECT_EQ(f->verdict, Verdict::fail);
	EXPECT_TRUE(has(f->what, "CPUs 2")) << f->what;
	EXPECT_TRUE(has(f->what, "managed_irq")) << f->what;
	EXPECT_EQ(f->fix, "boot with irqaffinity=0-1");

	h.isolation("isolcpus=managed_irq,domain,2-3 nohz_full=2-3 irqaffinity=0-1");
	auto ok = finding(run_checks(h.path(), std::nullopt), "boot.irqaffinity_managed");
	ASSERT_TRUE(ok);
	EXPECT_EQ(ok->verdict, Verdict::pass);
	h.isolation("isolcpus=domain,2-3 nohz_full=2-3 irqaffinity=0-2");
	EXPECT_FALSE(finding(run_checks(h.path(), CpuSet{3}), "boot.irqaffinity_managed"));
}

TEST(CheckKernel7, NohzFullImpliesRcuNocbsOnlyWithNocbKernels)
{
	HostTree h(kTuned, "nocb");
	h.isolation("isolcpus=managed_irq,domain,2-3 nohz_full=2-3 irqaffinity=0-1");
	Finding implied = find(run_checks(h.path(), std::nullopt), "boot.rcu_nocbs");
	EXPECT_EQ(implied.verdict, Verdict::pass) << implied.what;

	std::string text = read_file(h.path() / "boot/config-6.1.0-56-rt-amd64").value();
	text.replace(text.find("CONFIG_RCU_NOCB_CPU=y"), 21, "# CONFIG_RCU_NOCB_CPU is not set");
	h.put("boot/config-6.1.0-56-rt-amd64", text);
	Finding off = find(run_checks(h.path(), std::nullopt), "boot.rcu_nocbs");
	EXPECT_EQ(off.verdict, Verdict::warn) << off.what;
	EXPECT_TRUE(has(off.what, "CONFIG_RCU_NOCB_CPU")) << off.what;
}

TEST(CheckKernel7, IsolcpusAndNohzFullThatDisagree)
{
	HostTree h(kTuned, "isonohz");
	h.isolation("isolcpus=domain,managed_irq,2-3 nohz_full=2-3 irqaffinity=0-1");
	Finding same = find(run_checks(h.path(), std::nullopt), "boot.isolcpus_nohz_full");
	EXPECT_EQ(same.verdict, Verdict::pass) << same.what;

	h.isolation("isolcpus=domain,managed_irq,2-3 nohz_full=3 irqaffinity=0-1");
	Finding differ = find(run_checks(h.path(), CpuSet{2, 3}), "boot.isolcpus_nohz_full");
	EXPECT_EQ(differ.verdict, Verdict::warn) << differ.what;
	EXPECT_TRUE(has(differ.what, "CPUs 2 keep the tick")) << differ.what;
	EXPECT_EQ(differ.fix, "give isolcpus= and nohz_full= the same list, 2-3");

	// isolcpus=nohz is nohz_full=: the kernel keeps the first list and
	// ignores the other ("nohz_full= must match isolcpus=").
	h.isolation("isolcpus=nohz,domain,managed_irq,2-3 nohz_full=3 irqaffinity=0-1");
	Finding ignored = find(run_checks(h.path(), CpuSet{2, 3}), "boot.isolcpus_nohz_full");
	EXPECT_EQ(ignored.verdict, Verdict::fail) << ignored.what;
	EXPECT_TRUE(has(ignored.what, "ignores")) << ignored.what;
}

TEST(CheckKernel7, ParametersThatLeaveNoHousekeepingCpu)
{
	HostTree h(kTuned, "nohk");
	Finding ok = find(run_checks(h.path(), std::nullopt), "boot.housekeeping_left");
	EXPECT_EQ(ok.verdict, Verdict::pass) << ok.what;

	// nohz_full= of every CPU: the kernel takes the boot CPU back.
	h.isolation("isolcpus=managed_irq,domain,2-3 nohz_full=0-3 irqaffinity=0-1");
	Finding all = find(run_checks(h.path(), CpuSet{2, 3}), "boot.housekeeping_left");
	EXPECT_EQ(all.verdict, Verdict::warn) << all.what;
	EXPECT_TRUE(has(all.what, "every CPU")) << all.what;

	// Between them they name every CPU: nothing is left to run global
	// timers; 6.19 and later ignore the second parameter instead.
	h.isolation("isolcpus=domain,0-1 nohz_full=2-3 irqaffinity=0-1");
	Finding both = find(run_checks(h.path(), CpuSet{2, 3}), "boot.housekeeping_left");
	EXPECT_EQ(both.verdict, Verdict::fail) << both.what;
	EXPECT_FALSE(has(both.what, "ignores")) << both.what;
	h.kernel7("0-1");
	Finding ignored = find(run_checks(h.path(), CpuSet{2, 3}), "boot.housekeeping_left");
	EXPECT_EQ(ignored.verdict, Verdict::fail) << ignored.what;
	EXPECT_TRUE(has(ignored.what, "ignores")) << ignored.what;
}

TEST(CheckKernel7, IsolatedPartitionDoesTheSchedulerDomainOn7)
{
	// No isolcpus=: before 7.0 the guide's isolcpus=domain is advised;
	// on 7.0+ the isolated partition updates the scheduler's
	// housekeeping itself, and only managed IRQs need isolcpus=.
	HostTree old(kTuned, "part61");
	old.isolation("nohz_full=2-3 irqaffinity=0-1");
	old.put("sys/fs/cgroup/cpuset.cpus.isolated", "2-3\n");
	Finding before = find(run_checks(old.path(), std::nullopt), "boot.isolcpus");
	EXPECT_EQ(before.verdict, Verdict::warn) << before.what;
	EXPECT_TRUE(has(before.fix, "isolcpus=managed_irq,domain,2-3")) << before.fix;

	HostTree h(kTuned, "part7");
	h.isolation("nohz_full=2-3 irqaffinity=0-1");
	h.put("sys/fs/cgroup/cpuset.cpus.isolated", "2-3\n");
	h.kernel7("0-1");
	Finding now = find(run_checks(h.path(), std::nullopt), "boot.isolcpus");
	EXPECT_EQ(now.verdict, Verdict::warn) << now.what;
	EXPECT_TRUE(has(now.what, "managed IRQs")) << now.what;
	EXPECT_EQ(now.fix, "boot with isolcpus=managed_irq,2-3");
	// A CPU outside the partition still gets the whole advice.
	Finding other = find(run_checks(h.path(), CpuSet{1, 2}), "boot.isolcpus");
	EXPECT_TRUE(has(other.fix, "isolcpus=managed_irq,domain,")) << other.fix;
}
