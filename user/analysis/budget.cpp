// SPDX-License-Identifier: GPL-2.0
#include "analysis/budget.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "analysis/percentiles.hpp"
#include "model/trace.hpp"
#include "model/workload_group.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

class Parser {
public:
	explicit Parser(std::string file) : file_(std::move(file)) {}

	[[noreturn]] void fail(const YAML::Node& at, const std::string& key,
			       const std::string& what) const
	{
		throw usage_error(fmt::format("budget {}:{}: key '{}': {}", file_,
					      std::max(at.Mark().line, 0) + 1, key, what));
	}

	// map - node must be a map; each of its keys one of known.
	void map(const YAML::Node& n, const std::string& key,
		 std::initializer_list<const char*> known) const
	{
		if (!n.IsMap())
			fail(n, key, "not a map");
		for (const auto& kv : n) {
			const std::string k = scalar(kv.first, key);
			bool ok = false;
			for (const char* c : known)
				ok |= k == c;
			if (!ok)
				fail(kv.first, k, "unknown key (" + list(known) + ")");
		}
	}

	std::string scalar(const YAML::Node& n, const std::string& key) const
	{
		if (!n.IsScalar())
			fail(n, key, "not a single value");
		// A budget is anyone's file: what it says is printed, and its
		// names match the model's, which are escaped (utf8.hpp).
		return clean_name(n.Scalar());
	}

	// number - a finite number >= 0.
	double number(const YAML::Node& n, const std::string& key) const
	{
		const std::string s = scalar(n, key);
		double v = 0;
		const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
		if (ec != std::errc() || end != s.data() + s.size() || s.empty())
			fail(n, key, "'" + s + "' is not a number");
		if (!std::isfinite(v))
			fail(n, key, "not a finite number");
		if (v < 0)
			fail(n, key, "negative");
		return v;
	}

	std::uint64_t count(const YAML::Node& n, const std::string& key) const
	{
		const std::string s = scalar(n, key);
		std::uint64_t v = 0;
		if (!s.empty() && s[0] == '-')
			fail(n, key, "negative");
		const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
		if (ec != std::errc() || end != s.data() + s.size() || s.empty())
			fail(n, key, "'" + s + "' is not a whole number");
		return v;
	}

	unsigned cpu(const YAML::Node& n) const
	{
		const std::string s = scalar(n, "cpu");
		unsigned v = 0;
		const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
		if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v > 65535)
			fail(n, s, "not a CPU number");
		return v;
	}

	LatencyLimits latency(const YAML::Node& n, const std::string& key) const
	{
		map(n, key, {"max_us", "p50_us", "p99_us", "p999_us", "p9999_us"});
		LatencyLimits l;
		if (n["max_us"])
			l.max_us = number(n["max_us"], "max_us");
		for (std::size_t i = 0; i < Percentiles::kKeys.size(); i++) {
			const std::string k = std::string(Percentiles::kKeys[i]) + "_us";
			if (n[k])
				l.pct_us[i] = number(n[k], k);
		}
		return l;
	}

	std::array<LatencyLimits, 2> types(const YAML::Node& n, const std::string& key,
					   bool with_cpus) const
	{
		if (with_cpus)
			map(n, key, {"irq", "thread", "cpus"});
		else
			map(n, key, {"irq", "thread"});
		std::array<LatencyLimits, 2> t;
		for (LatType type : kLatTypes)
			if (n[lat_type_name(type)])
				t[static_cast<unsigned>(type)] =
					latency(n[lat_type_name(type)], lat_type_name(type));
		return t;
	}

	const std::string& file() const { return file_; }

private:
	static std::string list(std::initializer_list<const char*> known)
	{
		std::string s;
		for (const char* k : known)
			s += (s.empty() ? "" : ", ") + std::string(k);
		return s;
	}

	std::string file_;
};

// parse_workload - workload: {COMM: {max_us, p99_us, p999_us, spikes,
// taken_us_per_s}}, any subset of them for each comm.
std::map<std::string, WorkloadLimits> parse_workload(const Parser& p, const YAML::Node& n)
{
	if (!n.IsMap())
		p.fail(n, "workload", "not a map of comms");
	std::map<std::string, WorkloadLimits> out;
	for (const auto& kv : n) {
		const std::string comm = p.scalar(kv.first, "workload");
		const YAML::Node& v = kv.second;
		p.map(v, comm, {"max_us", "p99_us", "p999_us", "spikes", "taken_us_per_s"});
		WorkloadLimits l;
		if (v["max_us"])
			l.max_us = p.number(v["max_us"], "max_us");
		if (v["p99_us"])
			l.p99_us = p.number(v["p99_us"], "p99_us");
		if (v["p999_us"])
			l.p999_us = p.number(v["p999_us"], "p999_us");
		if (v["spikes"])
			l.spikes = p.count(v["spikes"], "spikes");
		if (v["taken_us_per_s"])
			l.taken_us_per_s = p.number(v["taken_us_per_s"], "taken_us_per_s");
		out[comm] = l;
	}
	return out;
}

bool kind_known(const std::string& k)
{
	for (unsigned i = 0; i < kKindCount; i++)
		if (k == kind_name(i))
			return true;
	return false;
}

std::string kinds()
{
	std::string s;
	for (unsigned i = 0; i < kKindCount; i++)
		s += (i ? ", " : "") + std::string(kind_name(i));
	return s;
}

std::string num(double v)
{
	return fmt::format("{:g}", v);
}

Budget parse_yaml(const YAML::Node& root, const std::string& file);

}  // namespace

Budget parse_budget(std::string_view text, const std::string& file)
{
	try {
		return parse_yaml(YAML::Load(std::string(text)), file);
	} catch (const YAML::Exception& e) {
		throw usage_error(fmt::format("budget {}:{}: not YAML: {}", file,
					      std::max(e.mark.line, 0) + 1, e.msg));
	}
}

namespace {

Budget parse_yaml(const YAML::Node& root, const std::string& file)
{
	const Parser p(file);
	Budget b;
	b.file = escape_name(file);
	if (!root.IsMap())
		throw usage_error(fmt::format("budget {}:{}: not a map of limits (latency, "
					      "noise, sources, spikes, workload)",
					      file, std::max(root.Mark().line, 0) + 1));
	p.map(root, "(top)", {"latency", "noise", "sources", "spikes", "workload"});

	if (const YAML::Node lat = root["latency"]) {
		b.latency = p.types(lat, "latency", true);
		if (const YAML::Node cpus = lat["cpus"]) {
			if (!cpus.IsMap())
				p.fail(cpus, "cpus", "not a map of CPUs");
			for (const auto& kv : cpus)
				b.latency_cpus[p.cpu(kv.first)] =
					p.types(kv.second, kv.first.Scalar(), false);
		}
	}
	if (const YAML::Node noise = root["noise"]) {
		p.map(noise, "noise", {"us_per_s", "cpus"});
		if (noise["us_per_s"])
			b.noise_us_per_s = p.number(noise["us_per_s"], "us_per_s");
		if (const YAML::Node cpus = noise["cpus"]) {
			if (!cpus.IsMap())
				p.fail(cpus, "cpus", "not a map of CPUs");
			for (const auto& kv : cpus) {
				const unsigned cpu = p.cpu(kv.first);
				p.map(kv.second, kv.first.Scalar(), {"us_per_s"});
				if (!kv.second["us_per_s"])
					p.fail(kv.second, "us_per_s", "missing");
				b.noise_cpus[cpu] = p.number(kv.second["us_per_s"], "us_per_s");
			}
		}
	}
	if (const YAML::Node sources = root["sources"]) {
		if (!sources.IsSequence())
			p.fail(sources, "sources", "not a list");
		for (const YAML::Node& s : sources) {
			p.map(s, "sources", {"kind", "name", "cpu", "us_per_s"});
			SourceLimit l;
			if (!s["kind"])
				p.fail(s, "kind", "missing");
			l.kind = p.scalar(s["kind"], "kind");
			if (!kind_known(l.kind))
				p.fail(s["kind"], "kind", "'" + l.kind + "' is none of " + kinds());
			l.name = s["name"] ? p.scalar(s["name"], "name") : "*";
			if (s["cpu"])
				l.cpu = p.cpu(s["cpu"]);
			if (!s["us_per_s"])
				p.fail(s, "us_per_s", "missing");
			l.us_per_s = p.number(s["us_per_s"], "us_per_s");
			b.sources.push_back(l);
		}
	}
	if (const YAML::Node spikes = root["spikes"]) {
		p.map(spikes, "spikes", {"max"});
		if (spikes["max"])
			b.spikes_max = p.count(spikes["max"], "max");
	}
	if (const YAML::Node workload = root["workload"])
		b.workload = parse_workload(p, workload);
	return b;
}

// latency_limits - the limits on @cpu's latency of @type: the budget's
// own for that CPU where it sets them, else those for every CPU.
LatencyLimits latency_limits(const Budget& b, unsigned cpu, LatType type)
{
	const auto ti = static_cast<unsigned>(type);
	LatencyLimits lim = b.latency[ti];
	const auto over = b.latency_cpus.find(cpu);
	if (over != b.latency_cpus.end()) {
		const LatencyLimits& o = over->second[ti];
		if (o.max_us)
			lim.max_us = o.max_us;
		for (std::size_t i = 0; i < lim.pct_us.size(); i++)
			if (o.pct_us[i])
				lim.pct_us[i] = o.pct_us[i];
	}
	return lim;
}

// judge_latency - CPU @c's latency of @type against @lim: its maximum,
// then its percentiles (one in the histogram's overflow is known only
// to be at least its start).
void judge_latency(std::vector<Violation>& out, const LatencyLimits& lim, const CpuResult& c,
		   LatType type, bool sampled)
{
	const LatencyStats& l = c.of(type);
	const std::string prefix = std::string("latency.") + lat_type_name(type) + ".";
	if (!sampled) {
		if (lim.max_us || std::any_of(lim.pct_us.begin(), lim.pct_us.end(),
					      [](const auto& v) { return v.has_value(); }))
			out.push_back({prefix + "*", c.cpu, "", "not sampled",
				       lim.max_us.value_or(0), "us"});
		return;
	}
	if (!l.count)
		return;
	const double max_us = static_cast<double>(l.max_ns) / 1000.0;
	if (lim.max_us && max_us > *lim.max_us)
		out.push_back({prefix + "max_us", c.cpu, "", num(max_us), *lim.max_us, "us"});
	const auto values = l.pct.values();
	for (std::size_t i = 0; i < lim.pct_us.size(); i++) {
		if (!lim.pct_us[i] || !l.pct.samples)
			continue;
		const std::string name = prefix + Percentiles::kKeys[i] + "_us";
		const std::optional<std::uint64_t>& v = *values[i];
		if (v && static_cast<double>(*v) > *lim.pct_us[i])
			out.push_back({name, c.cpu, "", std::to_string(*v), *lim.pct_us[i], "us"});
		else if (!v && max_us > *lim.pct_us[i])
			out.push_back({name, c.cpu, "", ">= " + std::to_string(l.pct.overflow_us),
				       *lim.pct_us[i], "us"});
	}
}

// judge_noise - CPU @c's noise per second against the budget's limit for
// it, or for every CPU.
void judge_noise(std::vector<Violation>& out, const Budget& b, const Snapshot& s,
		 const CpuResult& c)
{
	const auto nc = b.noise_cpus.find(c.cpu);
	const std::optional<double> noise =
		nc != b.noise_cpus.end() ? std::optional<double>(nc->second) : b.noise_us_per_s;
	if (!noise)
		return;
	const std::string name = nc != b.noise_cpus.end()
					 ? fmt::format("noise.cpus.{}.us_per_s", c.cpu)
					 : "noise.us_per_s";
	if (!s.attributed)
		out.push_back({name, c.cpu, "", "not traced", *noise, "us/s"});
	else if (c.noise.per_second_us > *noise)
		out.push_back({name, c.cpu, "", fmt::format("{:.1f}", c.noise.per_second_us),
			       *noise, "us/s"});
}

// judge_sources - the sources of CPU @c against each source limit that
// applies to it: each source that matches one, by kind and name pattern.
void judge_sources(std::vector<Violation>& out, const Budget& b, const Snapshot& s,
		   const CpuResult& c)
{
	for (std::size_t i = 0; i < b.sources.size(); i++) {
		const SourceLimit& l = b.sources[i];
		if (l.cpu && *l.cpu != c.cpu)
			continue;
		const std::string name = fmt::format("sources[{}].us_per_s", i);
		if (!s.attributed) {
			out.push_back({name, c.cpu, l.kind + " " + l.name, "not traced", l.us_per_s,
				       "us/s"});
			continue;
		}
		for (const SourceRow& row : s.sources) {
			if (row.cpu != c.cpu || row.kind != l.kind ||
			    ::fnmatch(l.name.c_str(), row.name.c_str(), 0) != 0)
				continue;
			const double us_s = s.us_per_s(row.total_ns);
			if (us_s > l.us_per_s)
				out.push_back({name, c.cpu, row.kind + " " + row.name,
					       fmt::format("{:.1f}", us_s), l.us_per_s, "us/s"});
		}
	}
}

// judge_spikes - the spikes of every CPU, together, against the budget's
// most.
void judge_spikes(std::vector<Violation>& out, const Budget& b, const Snapshot& s)
{
	if (!b.spikes_max)
		return;
	std::uint64_t n = 0;
	for (const CpuResult& c : s.cpus)
		for (const LatencyStats& l : c.lat)
			n += l.spikes;
	if (!s.sampled)
		out.push_back({"spikes.max", std::nullopt, "", "not sampled",
			       static_cast<double>(*b.spikes_max), "spikes"});
	else if (n > *b.spikes_max)
		out.push_back({"spikes.max", std::nullopt, "", std::to_string(n),
			       static_cast<double>(*b.spikes_max), "spikes"});
}

// judge_workload_group - the threads of one comm on one CPU, @g, against
// the limits on their comm.
void judge_workload_group(std::vector<Violation>& out, const WorkloadLimits& lim,
			  const WorkloadGroup& g, const Snapshot& s)
{
	const std::string prefix = "workload." + g.comm + ".";
	const std::optional<unsigned> cpu =
		g.cpu >= 0 ? std::optional<unsigned>(static_cast<unsigned>(g.cpu)) : std::nullopt;
	auto violated = [&](const char* key, const std::string& measured, double allowed,
			    const char* unit) {
		out.push_back({prefix + key, cpu, "workload " + g.comm, measured, allowed, unit});
	};
	const LatencyStats& l = g.wakeup;
	const double max_us = static_cast<double>(l.max_ns) / 1000.0;
	if (lim.max_us && l.count && max_us > *lim.max_us)
		violated("max_us", num(max_us), *lim.max_us, "us");
	const Percentiles pct = percentiles(l);
	const std::pair<const char*, std::pair<const std::optional<double>*,
					       const std::optional<std::uint64_t>*>>
		pcts[] = {{"p99_us", {&lim.p99_us, &pct.p99_us}},
			  {"p999_us", {&lim.p999_us, &pct.p999_us}}};
	for (const auto& [key, lv] : pcts) {
		const auto& [allowed, v] = lv;
		if (!*allowed || !pct.samples)
			continue;
		if (*v && static_cast<double>(**v) > **allowed)
			violated(key, std::to_string(**v), **allowed, "us");
		else if (!*v && max_us > **allowed)
			violated(key, ">= " + std::to_string(pct.overflow_us), **allowed, "us");
	}
	if (lim.spikes && l.spikes > *lim.spikes)
		violated("spikes", std::to_string(l.spikes), static_cast<double>(*lim.spikes),
			 "spikes");
	const double taken = s.us_per_s(g.taken.total_ns());
	if (lim.taken_us_per_s && taken > *lim.taken_us_per_s)
		violated("taken_us_per_s", fmt::format("{:.1f}", taken), *lim.taken_us_per_s,
			 "us/s");
}

// judge_workload - each comm the budget names, on each CPU its threads
// ran on; a comm without a thread in the report was not measured.
void judge_workload(std::vector<Violation>& out, const Budget& b, const Snapshot& s)
{
	if (b.workload.empty())
		return;
	const std::vector<WorkloadGroup> groups = workload_groups(s.workload);
	for (const auto& [comm, lim] : b.workload) {
		bool found = false;
		for (const WorkloadGroup& g : groups)
			if (g.comm == comm) {
				found = true;
				judge_workload_group(out, lim, g, s);
			}
		if (!found)
			out.push_back({"workload." + comm, std::nullopt, "workload " + comm,
				       "not measured: no thread of this comm in the report "
				       "(attach --workload names the comms to follow)",
				       0, ""});
	}
}

}  // namespace

BudgetResult judge(const Budget& b, const Snapshot& s)
{
	BudgetResult r;
	r.file = b.file;
	for (const CpuResult& c : s.cpus) {
		for (LatType t : kLatTypes)
			judge_latency(r.violations, latency_limits(b, c.cpu, t), c, t, s.sampled);
		judge_noise(r.violations, b, s, c);
		judge_sources(r.violations, b, s, c);
	}
	judge_spikes(r.violations, b, s);
	judge_workload(r.violations, b, s);
	return r;
}

}  // namespace rtnoise
