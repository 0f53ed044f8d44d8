// SPDX-License-Identifier: GPL-2.0
// json.cpp - the report as JSON (its fields: DESIGN.md, "The report's JSON").
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <string_view>

#include "model/trace.hpp"
#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

using namespace render_detail;

nlohmann::json latency_json(const LatencyStats& l)
{
	nlohmann::json hist = nlohmann::json::object();
	for (std::size_t us = 0; us < l.hist.size(); us++)
		if (l.hist[us])
			hist[std::to_string(us)] = l.hist[us];
	nlohmann::json pct = {{"samples", l.pct.samples}, {"overflow_us", l.pct.overflow_us}};
	const auto values = l.pct.values();
	for (std::size_t i = 0; i < values.size(); i++)
		pct[std::string(Percentiles::kKeys[i]) + "_us"] =
			*values[i] ? nlohmann::json(**values[i]) : nlohmann::json(nullptr);
	pct["max_us"] = l.pct.max_us ? nlohmann::json(*l.pct.max_us) : nlohmann::json(nullptr);
	return {{"count", l.count},   {"min_ns", l.min_ns},	      {"avg_ns", l.avg_ns()},
		{"max_ns", l.max_ns}, {"overflows", l.overflows},     {"histogram_us", hist},
		{"spikes", l.spikes}, {"spikes_lost", l.spikes_lost}, {"missed_periods", l.missed},
		{"percentiles", pct}};
}

// joins_missing_json - a CPU's spikes without the kernel's join, by why.
nlohmann::json joins_missing_json(const NoiseBudget& n)
{
	nlohmann::json j = nlohmann::json::object();
	for (std::size_t r = 1; r < kJoinMissingCount; r++)
		j[join_missing_name(static_cast<JoinMissing>(r))] = n.joins_missing[r];
	return j;
}

nlohmann::json causes_json(const std::vector<Cause>& causes)
{
	nlohmann::json j = nlohmann::json::array();
	for (const Cause& c : causes)
		j.push_back({{"kind", c.kind}, {"name", c.name}, {"duration_ns", c.duration_ns}});
	return j;
}

// noise_json - a CPU's noise budget, with what it could not count.
nlohmann::json noise_json(const NoiseBudget& n)
{
	return {{"total_ns", n.total_ns},
		{"per_second_us", n.per_second_us},
		{"available_pct", n.available_pct},
		{"events_lost", n.events_lost},
		{"incomplete", n.incomplete()},
		{"nesting_overflow", n.nesting_overflow},
		{"clamped", n.clamped},
		{"clamped_ns", n.clamped_ns},
		{"source_drops", n.source_drops},
		{"origin_drops", n.origin_drops},
		{"nested", n.nested},
		{"preempted", n.preempted},
		{"parked_lost", n.parked_lost},
		{"parked_stale", n.parked_stale},
		{"joins_missing", joins_missing_json(n)}};
}

// cpus_json - each CPU: its latencies where it was sampled, its noise
// where causes were traced.
nlohmann::json cpus_json(const Snapshot& s)
{
	nlohmann::json cpus = nlohmann::json::array();
	for (const CpuResult& c : s.cpus) {
		nlohmann::json cpu = {{"cpu", c.cpu}};
		if (s.sampled) {
			cpu["irq"] = latency_json(c.of(LatType::irq));
			cpu["thread"] = latency_json(c.of(LatType::thread));
			cpu["sampling"] = c.running;
			cpu["hotplug_offline"] = c.hotplug_offline;
			if (c.start_error)
				cpu["sampler_error"] = errno_text(c.start_error);
		}
		if (s.attributed)
			cpu["noise"] = noise_json(c.noise);
		cpus.push_back(cpu);
	}
	return cpus;
}

// sources_json - the noise budget's rows, each with its origins.
nlohmann::json sources_json(const Snapshot& s)
{
	nlohmann::json sources = nlohmann::json::array();
	for (const SourceRow& r : s.sources) {
		nlohmann::json origins = nlohmann::json::array();
		for (const OriginRow& o : r.origins) {
			nlohmann::json jo = {{"cpu", o.cpu},
					     {"pid", o.pid},
					     {"comm", o.comm},
					     {"count", o.count}};
			if (!o.via.empty())
				jo["via"] = o.via;
			origins.push_back(std::move(jo));
		}
		sources.push_back({{"cpu", r.cpu},
				   {"kind", r.kind},
				   {"name", r.name},
				   {"count", r.count},
				   {"total_ns", r.total_ns},
				   {"max_ns", r.max_ns},
				   {"running", r.running},
				   {"origins", std::move(origins)}});
	}
	return sources;
}

// workload_thread_json - one workload thread: its wakeup latency as a
// CPU's latency types are, the time taken from it, what it did itself.
nlohmann::json workload_thread_json(const WorkloadThread& t)
{
	const WorkloadTaken& k = t.taken;
	const WorkloadSelf& f = t.self;
	return {{"tid", t.tid},
		{"tgid", t.tgid},
		{"comm", t.comm},
		{"cpu", t.cpu >= 0 ? nlohmann::json(t.cpu) : nlohmann::json(nullptr)},
		{"exited", t.exited},
		{"hist_buckets", t.wakeup.hist.size()},
		{"wakeup", latency_json(t.wakeup)},
		{"timer_wakeups", t.timer_wakeups},
		{"taken",
		 {{"preemptions", k.preemptions},
		  {"preempted_ns", k.preempted_ns},
		  {"interrupts", k.interrupts},
		  {"interrupted_ns", k.interrupted_ns},
		  {"max_ns", k.max_ns},
		  {"total_ns", k.total_ns()}}},
		{"self",
		 {{"run_ns", f.run_ns},
		  {"faults_user", f.faults_user},
		  {"faults_kernel", f.faults_kernel},
		  {"syscalls", f.syscalls},
		  {"syscall_ns", f.syscall_ns},
		  {"migrations", f.migrations},
		  {"voluntary", f.voluntary},
		  {"involuntary", f.involuntary}}}};
}

nlohmann::json workload_spike_json(const WorkloadSpike& sp)
{
	nlohmann::json j = {{"cpu", sp.cpu},
			    {"tid", sp.tid},
			    {"comm", sp.comm},
			    {"type", workload_spike_type_name(sp.type)},
			    {"timer", sp.timer},
			    {"from_ns", sp.from_ns},
			    {"to_ns", sp.to_ns},
			    {"latency_ns", sp.latency_ns()},
			    {"causes", causes_json(sp.causes)},
			    {"unexplained_ns", sp.unexplained_ns},
			    {"explained", explained_name(sp.explained)}};
	if (sp.cut)
		j["cut"] = true;
	if (!sp.stack.empty())
		j["stack"] = sp.stack;
	return j;
}

// workload_json - the workload's keys, when the run followed one, its
// spikes as an empty array.
void workload_json(nlohmann::json& j, const Snapshot& s)
{
	if (!has_workload(s) && !s.workload_threshold_ns)
		return;
	nlohmann::json threads = nlohmann::json::array();
	for (const WorkloadThread& t : s.workload)
		threads.push_back(workload_thread_json(t));
	j["workload"] = std::move(threads);
	// Written one at a time into this empty array by render_json().
	j["workload_spikes"] = nlohmann::json::array();
	j["workload_threshold_ns"] = s.workload_threshold_ns;
	j["workload_lost"] = s.workload_lost;
	j["workload_spikes_lost"] = s.workload_spikes_lost;
}

// document_json - the report but its spikes and the workload's, which
// stand as empty arrays.
nlohmann::json document_json(const Snapshot& s, const BudgetResult* budget)
{
	nlohmann::json tick = nlohmann::json::array();
	for (const TickRow& t : s.ticks)
		tick.push_back({{"cpu", t.cpu}, {"reason", t.reason}, {"count", t.count}});

	nlohmann::json j = {
		{"version", 1},
		{"kernel", s.kernel_release + " " + s.kernel_version},
		{"state", sampler_state_name(s.state)},
		{"period_ns", s.period_ns},
		{"threshold_ns", s.threshold_ns},
		{"duration_ns", s.duration_ns()},
		{"start_ns", s.start_ns},
		{"hist_buckets", s.hist_buckets},
		{"priority", s.prio},
		{"sampled", s.sampled},
		{"attribution", s.attributed},
		{"cpus", cpus_json(s)},
		{"sources", sources_json(s)},
		{"spikes", nlohmann::json::array()},
		{"tick", std::move(tick)},
	};
	if (s.attributed) {
		nlohmann::json limits = nlohmann::json::array();
		for (const TraceLimit& l : s.limits)
			limits.push_back({{"name", l.name}, {"effect", l.effect}});
		j["bpf_limits"] = std::move(limits);
	}
	workload_json(j, s);
	if (!s.symbols_hidden.empty())
		j["symbols_hidden"] = s.symbols_hidden;
	if (budget)
		j["budget"] = budget_json(*budget);
	return j;
}

// put_string - bytes as nlohmann's dump() writes a string (UTF-8 kept,
// what is not valid replaced): printable ASCII as it is, the rest by
// nlohmann itself.
void put_string(std::ostream& out, std::string_view v)
{
	for (const char c : v)
		if (c < 0x20 || c == '"' || c == '\\') {  // a control byte, or any byte >= 0x80
			out << nlohmann::json(v).dump(-1, ' ', false,
						      nlohmann::json::error_handler_t::replace);
			return;
		}
	out << '"' << v << '"';
}

// SpikeStyle - how put_spike() lays a spike out: as dump(2) indents it
// two levels into the report's spikes, or as dump(-1) writes one line of
// the spike log, which has two keys more.
struct SpikeStyle {
	const char* open;   // "{" and what comes before the first key
	const char* next;   // between a value and the next key
	const char* colon;  // after a key
	const char* item;   // before an element of an array after the first
	const char* first;  // before its first element
	const char* close;  // after its last
	const char* end;    // closes the spike
	// The spike log's: its seq, and its wall time ("": none).
	std::optional<std::uint64_t> seq;
	std::string time;
};

const SpikeStyle kReportSpike = {"{\n      \"",
				 ",\n      \"",
				 "\": ",
				 ",\n        ",
				 "\n        ",
				 "\n      ]",
				 "\n    }",
				 {},
				 {}};

// put_causes - a spike's causes as @st lays them out.
void put_causes(std::ostream& out, const std::vector<Cause>& causes, const SpikeStyle& st)
{
	const bool line = st.seq.has_value();
	if (causes.empty()) {
		out << "[]";
		return;
	}
	out << '[';
	for (std::size_t i = 0; i < causes.size(); i++) {
		out << (i ? st.item : st.first)
		    << (line ? "{\"duration_ns\":" : "{\n          \"duration_ns\": ")
		    << causes[i].duration_ns << (line ? ",\"kind\":" : ",\n          \"kind\": ");
		put_string(out, causes[i].kind);
		out << (line ? ",\"name\":" : ",\n          \"name\": ");
		put_string(out, causes[i].name);
		out << (line ? "}" : "\n        }");
	}
	out << st.close;
}

// put_spike - a spike as nlohmann's dump() of its object lays it out in
// @st, its keys in their order (sorted), written without a document:
// the same bytes as 17 us a spike less.
void put_spike(std::ostream& out, const Spike& sp, bool attributed,
	       const SpikeStyle& st = kReportSpike)
{
	auto key = [&](const char* k) -> std::ostream& { return out << st.next << k << st.colon; };
	out << st.open << "at_ns" << st.colon << sp.expected_ns;
	key("causes");
	put_causes(out, sp.causes, st);
	key("cpu") << sp.cpu;
	if (attributed && sp.cut)
		key("cut") << "true";
	key("cycle") << sp.cycle;
	if (attributed)
		key("explained") << '"' << explained_name(sp.explained) << '"';
	if (sp.history_lost)
		key("history_lost") << "true";
	if (attributed && sp.join_missing != JoinMissing::none)
		key("join_missing") << '"' << join_missing_name(sp.join_missing) << '"';
	key("latency_ns") << sp.latency_ns();
	key("observed_ns") << sp.observed_ns;
	if (st.seq)
		key("seq") << *st.seq;
	if (sp.smis)
		key("smis") << sp.smis;
	if (attributed && !sp.stack.empty()) {
		key("stack") << '[';
		for (std::size_t i = 0; i < sp.stack.size(); i++) {
			out << (i ? st.item : st.first);
			put_string(out, sp.stack[i]);
		}
		out << st.close;
	}
	if (!st.time.empty())
		key("time") << '"' << st.time << '"';
	key("type") << '"' << lat_type_name(sp.type) << '"';
	key("unexplained_ns") << (attributed ? sp.unexplained_ns : sp.latency_ns());
	out << st.end;
}

// put_indented - a JSON text two levels in, as an element of the top
// object's arrays (four spaces after each newline, which in a JSON text
// is between tokens, never in a string).
void put_indented(std::ostream& out, std::string_view one)
{
	std::size_t from = 0;
	for (std::size_t nl; (nl = one.find('\n', from)) != std::string_view::npos; from = nl + 1)
		out << one.substr(from, nl + 1 - from) << "    ";
	out << one.substr(from);
}

// put_hole - the part of doc before @hole (an empty array that stands for
// n elements), then the elements each written by put, in the place of the
// empty array as dump() would have indented them; returns where doc goes
// on after the hole (npos: no hole).
template <typename Put>
std::size_t put_hole(std::ostream& out, std::string_view doc, std::string_view hole, std::size_t n,
		     Put put)
{
	const std::size_t at = doc.find(hole);
	if (!n || at == std::string_view::npos)
		return std::string_view::npos;
	out << doc.substr(0, at) << hole.substr(0, hole.size() - 1);
	for (std::size_t i = 0; i < n; i++) {
		out << (i ? ",\n    " : "\n    ");
		put(i);
	}
	out << "\n  ]";
	return at + hole.size();
}

}  // namespace

namespace {

// put_spike_line - @sp as one line of the spike log: as put_spike()
// writes the report's, without a document.
void put_spike_line(std::ostream& out, const Spike& sp, bool attributed,
		    std::int64_t realtime_offset_ns)
{
	SpikeStyle st = {"{\"", ",\"", "\":", ",", "", "]", "}\n", sp.seq, {}};
	const std::int64_t at = static_cast<std::int64_t>(sp.expected_ns) + realtime_offset_ns;
	if (realtime_offset_ns && at > 0) {
		const std::time_t secs = at / 1000000000;
		std::tm tm{};
		gmtime_r(&secs, &tm);
		st.time = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", tm, (at % 1000000000) / 1000);
	}
	put_spike(out, sp, attributed, st);
}

}  // namespace

std::string render_spike_line(const Spike& sp, bool attributed, std::int64_t realtime_offset_ns)
{
	std::ostringstream out;
	put_spike_line(out, sp, attributed, realtime_offset_ns);
	return std::move(out).str();
}

std::string render_spike_lines(std::span<const Spike* const> spikes, bool attributed,
			       std::int64_t realtime_offset_ns)
{
	// One stream for all: making one for each line of 25 000 was a
	// fifth of their time.
	std::ostringstream out;
	for (const Spike* sp : spikes)
		put_spike_line(out, *sp, attributed, realtime_offset_ns);
	return std::move(out).str();
}

// render_json - the report as JSON, its spikes written one at a time.
void render_json(std::ostream& out, const Snapshot& s, const BudgetResult* budget)
{
	// The rest is small (by CPUs, buckets and sources): one document
	// with its spikes and the workload's as empty arrays. The spikes
	// are written into their places one at a time, as dump() would
	// have indented them: a document holding every spike at once took
	// 4.4 GiB and 17 s of CPU for 64 CPUs' half a million spikes.
	const std::string doc = document_json(s, budget).dump(
		2, ' ', false, nlohmann::json::error_handler_t::replace);
	std::string_view rest = doc;
	const std::size_t after =
		put_hole(out, rest, "\n  \"spikes\": []", s.spikes.size(),
			 [&](std::size_t i) { put_spike(out, s.spikes[i], s.attributed); });
	if (after != std::string_view::npos)
		rest.remove_prefix(after);
	const std::size_t wl_after = put_hole(
		out, rest, "\n  \"workload_spikes\": []", s.workload_spikes.size(),
		[&](std::size_t i) {
			put_indented(out, workload_spike_json(s.workload_spikes[i])
						  .dump(2, ' ', false,
							nlohmann::json::error_handler_t::replace));
		});
	if (wl_after != std::string_view::npos)
		rest.remove_prefix(wl_after);
	out << rest << '\n';
}

std::string render_json(const Snapshot& s, const BudgetResult* budget)
{
	std::ostringstream out;
	render_json(out, s, budget);
	return std::move(out).str();
}

}  // namespace rtnoise
