// SPDX-License-Identifier: GPL-2.0
// test_workload.cpp - the workload's own latency in every format: the
// report's text, JSON (and read back), Prometheus, cyclictest's, HTML,
// compare and budgets, on report_fixtures' two workload threads.
#include <gtest/gtest.h>

#include "analysis/series.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/budget.hpp"
#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

// A worse run (twice the timer thread's spikes, the poller interrupted
// twice as much) and a better one.
Snapshot worse()
{
	return report_fixtures::with_workload(report_fixtures::before(), 2);
}

Snapshot better()
{
	return report_fixtures::with_workload(report_fixtures::after(), 1);
}

std::string refusal(const std::string& text)
{
	try {
		read_report_json(text);
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	return "(read)";
}

// edited - the worse run's JSON, changed by f.
template <typename F>
std::string edited(F f)
{
	nlohmann::json j = nlohmann::json::parse(render_json(worse()));
	f(j);
	return j.dump();
}

}  // namespace

// ---- JSON ----------------------------------------------------------------------

TEST(WorkloadJson, Golden)
{
	golden::expect("golden/workload-report.json", render_json(worse()));
}

TEST(WorkloadJson, ThreadsAndSpikesWithTheirFigures)
{
	const nlohmann::json j = nlohmann::json::parse(render_json(worse()));
	ASSERT_EQ(j["workload"].size(), 2U);
	const nlohmann::json& t = j["workload"][0];
	EXPECT_EQ(t["comm"], "cyclictest");
	EXPECT_EQ(t["tid"], 4242);
	EXPECT_EQ(t["cpu"], 2);
	EXPECT_EQ(t["wakeup"]["spikes"], 6);
	EXPECT_EQ(t["wakeup"]["histogram_us"]["60"], 1);
	EXPECT_EQ(t["wakeup"]["percentiles"]["p50_us"], 2);
	EXPECT_EQ(t["taken"]["total_ns"], 300000 + 3000000);
	EXPECT_EQ(t["self"]["syscalls"], 10003);
	EXPECT_EQ(j["workload"][1]["taken"]["interrupts"], 4000);
	ASSERT_EQ(j["workload_spikes"].size(), 7U);
	EXPECT_EQ(j["workload_spikes"][0]["type"], "wakeup");
	EXPECT_EQ(j["workload_spikes"][0]["causes"][0]["name"], "24:virtio0-input");
	EXPECT_EQ(j["workload_spikes"][6]["type"], "taken");
	EXPECT_EQ(j["workload_threshold_ns"], 50000);
	// Without a workload, none of its keys.
	const std::string plain = render_json(report_fixtures::before());
	EXPECT_EQ(plain.find("workload"), std::string::npos);
}

TEST(WorkloadJson, ReadsBackWhatItRendered)
{
	const Snapshot s = worse();
	const Snapshot r = read_report_json(render_json(s));
	ASSERT_EQ(r.workload.size(), s.workload.size());
	for (std::size_t i = 0; i < s.workload.size(); i++) {
		const WorkloadThread &a = s.workload[i], &b = r.workload[i];
		EXPECT_EQ(b.tid, a.tid);
		EXPECT_EQ(b.tgid, a.tgid);
		EXPECT_EQ(b.comm, a.comm);
		EXPECT_EQ(b.cpu, a.cpu);
		EXPECT_EQ(b.wakeup.hist, a.wakeup.hist);
		EXPECT_EQ(b.wakeup.count, a.wakeup.count);
		EXPECT_EQ(b.wakeup.max_ns, a.wakeup.max_ns);
		EXPECT_EQ(b.wakeup.pct, a.wakeup.pct);
		EXPECT_EQ(b.timer_wakeups, a.timer_wakeups);
		EXPECT_EQ(b.taken.total_ns(), a.taken.total_ns());
		EXPECT_EQ(b.taken.max_ns, a.taken.max_ns);
		EXPECT_EQ(b.self.involuntary, a.self.involuntary);
		EXPECT_EQ(b.self.faults_user, a.self.faults_user);
	}
	ASSERT_EQ(r.workload_spikes.size(), s.workload_spikes.size());
	EXPECT_EQ(r.workload_spikes.back().stack, std::vector<std::string>{});
	EXPECT_EQ(r.workload_spikes[5].stack, s.workload_spikes[5].stack);
	EXPECT_EQ(r.workload_spikes[0].causes.size(), 2U);
	EXPECT_EQ(r.workload_threshold_ns, s.workload_threshold_ns);
	// Render, read, render: the same bytes.
	EXPECT_EQ(render_json(r), render_json(s));
	EXPECT_EQ(render_text(r, 10), render_text(s, 10));
}

TEST(WorkloadJson, ReportsWithoutItStillRead)
{
	const Snapshot s = read_report_json(golden::read("golden/report-before.json"));
	EXPECT_TRUE(s.workload.empty());
	EXPECT_TRUE(s.workload_spikes.empty());
}

TEST(WorkloadJson, RefusesWhatAReportCannotHold)
{
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][0]["hist_buckets"] = 100001;
		  })).find("workload[0].hist_buckets: larger than 100000"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][0]["wakeup"]["histogram_us"]["200"] = 1;
		  })).find("workload[0].wakeup.histogram_us.200: beyond the 200 buckets"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][0]["taken"]["total_ns"] = 1;
		  })).find("workload[0].taken.total_ns"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][1]["self"]["x"] = 1;
		  })).find("workload[1].self: unknown key 'x'"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload_spikes"][0]["type"] = "irq";
		  })).find("workload_spikes[0].type: not wakeup or taken"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][0]["cpu"] = -3;
		  })).find("workload[0].cpu: not an unsigned integer"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"][0]["timer_wakeups"] = 1000000;
		  })).find("more than the wakeups"),
		  std::string::npos);
	// Threads of 100000 buckets each, beyond the cells a report may hold.
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  nlohmann::json t = j["workload"][1];
			  t["hist_buckets"] = 100000;
			  j["workload"] = nlohmann::json::array();
			  for (int i = 0; i < 200; i++)
				  j["workload"].push_back(t);
		  })).find("buckets in all a report may hold"),
		  std::string::npos);
	EXPECT_NE(refusal(edited([](nlohmann::json& j) {
			  j["workload"] = nlohmann::json::array();
			  for (std::size_t i = 0; i <= kReportMaxWorkload; i++)
				  j["workload"].push_back(nlohmann::json::object());
		  })).find("more than 65536 threads"),
		  std::string::npos);
}

// ---- text ----------------------------------------------------------------------

TEST(WorkloadText, Golden)
{
	golden::expect("golden/workload-report.txt", render_text(worse(), 10));
}

TEST(WorkloadText, ThreadsTakenSelfAndSpikes)
{
	const std::string t = render_text(worse(), 3);
	EXPECT_NE(t.find("Workload: 2 thread(s)"), std::string::npos);
	EXPECT_NE(t.find("cyclictest:4242"), std::string::npos);
	EXPECT_NE(t.find("Workload spikes >= 50 us: 7 recorded; the 3 largest:"),
		  std::string::npos);
	EXPECT_NE(t.find("wakeup (timer) 110.0 us"), std::string::npos);
	EXPECT_NE(t.find("virtnet_poll"), std::string::npos);
	EXPECT_EQ(render_text(report_fixtures::before(), 3).find("Workload"), std::string::npos);
}

// ---- Prometheus --------------------------------------------------------------

TEST(WorkloadPrometheus, Golden)
{
	// Sampling, as a scrape of `monitor` sees it (tests/prometheus/check.sh
	// breaks a copy of it at rtnoise_sampling{cpu="2"} 1).
	Snapshot s = worse();
	s.state = SamplerState::running;
	for (CpuResult& c : s.cpus)
		c.running = true;
	golden::expect("golden/workload-prometheus.txt",
		       render_prometheus(s, metrics_of(s, nullptr, kSeriesSourcesDefault), 0));
}

TEST(WorkloadPrometheus, SummedPerCommAndCpuNeverByTid)
{
	Snapshot s = worse();
	WorkloadThread second = s.workload[1];
	second.tid = 4251;
	second.taken = {0, 0, 10, 1000000, 5000};
	second.self.voluntary = 7;
	s.workload.push_back(second);
	const std::string m =
		render_prometheus(s, metrics_of(s, nullptr, kSeriesSourcesDefault), 0);
	EXPECT_EQ(m.find("tid"), std::string::npos);
	EXPECT_EQ(m.find("4250"), std::string::npos);
	// 12 ms + 1 ms
	EXPECT_NE(m.find("rtnoise_workload_taken_seconds_total{comm=\"poller\",cpu=\"3\"} 0.013\n"),
		  std::string::npos);
	EXPECT_NE(m.find("rtnoise_workload_latency_seconds_count{comm=\"poller\",cpu=\"3\"} 100\n"),
		  std::string::npos);
	EXPECT_NE(m.find("rtnoise_workload_latency_seconds_bucket{comm=\"poller\",cpu=\"3\",le="
			 "\"1e-05\"} 100\n"),
		  std::string::npos);
	EXPECT_NE(m.find("rtnoise_workload_switches_total{comm=\"poller\",cpu=\"3\",kind="
			 "\"voluntary\"} 7\n"),
		  std::string::npos);
	EXPECT_EQ(golden::count(m, "rtnoise_workload_spikes_total{"), 2U);
	EXPECT_NE(m.find("rtnoise_workload_spikes_total{comm=\"cyclictest\",cpu=\"2\"} 6\n"),
		  std::string::npos);
	EXPECT_EQ(render_prometheus(
			  report_fixtures::before(),
			  metrics_of(report_fixtures::before(), nullptr, kSeriesSourcesDefault), 0)
			  .find("workload"),
		  std::string::npos);
}

// ---- cyclictest ----------------------------------------------------------------

TEST(WorkloadCyclictest, EachThreadIsOneMoreThread)
{
	const Snapshot s = worse();
	const std::string t = render_cyclictest(s, LatType::thread);
	golden::expect("golden/workload-cyclictest.txt", t);
	// Two CPUs, then the two threads.
	EXPECT_NE(t.find("# Thread 3:"), std::string::npos);
	EXPECT_NE(t.find("\n000002 005000\t009000\t007000\t000000\n"), std::string::npos);
	EXPECT_NE(t.find("# Max Latencies: 00152 00005 00110 00006\n"), std::string::npos);
	// The timer thread's spikes of 100 and 110 us are beyond 100 buckets.
	EXPECT_NE(t.find("# Histogram Overflows: 00003 00000 00002 00000\n"), std::string::npos);
	EXPECT_NE(t.find("# Thread 2: # 00002 others\n"), std::string::npos);

	const std::string j = render_cyclictest_json(s, LatType::thread, {});
	const nlohmann::json doc = nlohmann::json::parse(j);
	EXPECT_EQ(doc["num_threads"], 4);
	EXPECT_EQ(doc["thread"]["2"]["cpu"], 2);
	EXPECT_EQ(doc["thread"]["3"]["cpu"], 3);
	EXPECT_EQ(doc["thread"]["2"]["histogram"]["110"], 1);
	EXPECT_EQ(doc["thread"]["3"]["max"], 6);
}

// ---- compare -------------------------------------------------------------------

TEST(WorkloadCompare, PerCommAndCpuWithDeltas)
{
	const Snapshot b = read_report_json(render_json(worse()));
	const Snapshot a = read_report_json(render_json(better()));
	const Comparison c = compare(b, a);
	ASSERT_EQ(c.workload.size(), 2U);
	const WorkloadDelta& w = c.workload[0];
	EXPECT_EQ(w.comm, "cyclictest");
	EXPECT_EQ(w.cpu, 2);
	EXPECT_EQ(w.presence, Presence::both);
	EXPECT_EQ(w.max_us.before, 110.0);
	EXPECT_EQ(w.max_us.after, 80.0);
	EXPECT_EQ(w.taken_us.change(), -1500.0);
	EXPECT_EQ(c.workload[1].taken_us.change(), -6000.0);
	golden::expect("golden/workload-compare.txt", render_compare_text(c));
	golden::expect("golden/workload-compare.json", render_compare_json(c));
	const nlohmann::json j = nlohmann::json::parse(render_compare_json(c));
	EXPECT_EQ(j["workload"][0]["max_us"]["change"], -30.0);
	EXPECT_EQ(j["workload"][1]["comm"], "poller");
	// A comm only on one side.
	Snapshot moved = a;
	moved.workload[1].cpu = 2;
	const Comparison m = compare(b, moved);
	ASSERT_EQ(m.workload.size(), 3U);
	EXPECT_EQ(m.workload[1].presence, Presence::appeared);
	EXPECT_EQ(m.workload[2].presence, Presence::vanished);
	// Without a workload, no section.
	EXPECT_EQ(render_compare_text(compare(report_fixtures::before(), report_fixtures::after()))
			  .find("Workload"),
		  std::string::npos);
}

// ---- budgets -------------------------------------------------------------------

namespace {

std::vector<std::string> violated(const std::string& yaml, const Snapshot& s)
{
	std::vector<std::string> v;
	for (const Violation& x : judge(parse_budget(yaml, "b.yaml"), s).violations)
		v.push_back(x.limit + (x.cpu ? " cpu " + std::to_string(*x.cpu) : "") + ": " +
			    x.measured);
	return v;
}

}  // namespace

TEST(WorkloadBudget, PassesAndFailsNamingTheCommAndCpu)
{
	const std::string ok = "workload:\n  cyclictest: {max_us: 120, p99_us: 5, spikes: 6}\n"
			       "  poller: {taken_us_per_s: 1300}\n";
	EXPECT_TRUE(violated(ok, worse()).empty());
	const std::string tight = "workload:\n  cyclictest: {max_us: 100, p999_us: 5, spikes: 5}\n"
				  "  poller: {taken_us_per_s: 1000, max_us: 10}\n";
	using V = std::vector<std::string>;
	EXPECT_EQ(violated(tight, worse()), (V{"workload.cyclictest.max_us cpu 2: 110.5",
					       "workload.cyclictest.spikes cpu 2: 6",
					       "workload.poller.taken_us_per_s cpu 3: 1200.0"}));
	EXPECT_TRUE(violated(tight, better()).empty());
	// p99.9 of 9996 wakeups is at rank 9987: 4 us.
	EXPECT_EQ(violated("workload:\n  cyclictest: {p999_us: 3}\n", worse()),
		  V{"workload.cyclictest.p999_us cpu 2: 4"});
	const BudgetResult r = judge(parse_budget(tight, "b.yaml"), worse());
	const std::string text = render_budget_text(r);
	EXPECT_NE(text.find("VIOLATED workload.cyclictest.max_us on CPU 2 by workload "
			    "cyclictest: 110.5 us > 100 allowed"),
		  std::string::npos);
	golden::expect("golden/workload-budget.txt", text);
}

TEST(WorkloadBudget, ACommNotInTheReportIsAFailure)
{
	const std::vector<std::string> v =
		violated("workload:\n  jackd: {max_us: 100}\n", report_fixtures::before());
	ASSERT_EQ(v.size(), 1U);
	EXPECT_EQ(v[0].rfind("workload.jackd: not measured", 0), 0U);
	const std::string text = render_budget_text(
		judge(parse_budget("workload:\n  jackd: {max_us: 100}\n", "b.yaml"), worse()));
	EXPECT_NE(text.find("  VIOLATED workload.jackd by workload jackd: not measured: no thread "
			    "of this comm in the report"),
		  std::string::npos);
	EXPECT_EQ(golden::count(text, "\n"), 2U);
}

TEST(WorkloadBudget, UnknownKeysAreOneClearError)
{
	try {
		parse_budget("workload:\n  cyclictest:\n    p95_us: 3\n", "b.yaml");
		FAIL() << "parsed";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_EQ(std::string(e.what()),
			  "budget b.yaml:3: key 'p95_us': unknown key (max_us, p99_us, p999_us, "
			  "spikes, taken_us_per_s)");
	}
	EXPECT_THROW(parse_budget("workload: [a]\n", "b.yaml"), Error);
	EXPECT_THROW(parse_budget("workload:\n  x: {spikes: -1}\n", "b.yaml"), Error);
}

// ---- HTML ----------------------------------------------------------------------

// The page that the html_chromium_workload test opens in a browser.
TEST(WorkloadHtml, Golden)
{
	golden::expect("golden/workload-report.html", render_html(worse(), 10));
}

TEST(WorkloadHtml, APlotPerThreadAndItsSpikes)
{
	const std::string p = render_html(worse(), 10);
	EXPECT_EQ(golden::count(p, "class=\"histogram workload\""), 2U);
	EXPECT_NE(p.find("cyclictest:4242 on CPU 2"), std::string::npos);
	EXPECT_NE(p.find("<table class=\"workload-spikes\">"), std::string::npos);
	EXPECT_EQ(render_html(report_fixtures::before(), 10).find("id=\"workload\""),
		  std::string::npos);
}
