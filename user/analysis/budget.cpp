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

// positive - a number > 0 (a ratio: 0 would allow nothing at all).
double positive(const Parser& p, const YAML::Node& n, const std::string& key)
{
	const double v = p.number(n, key);
	if (v <= 0)
		p.fail(n, key, "not above 0");
	return v;
}

BaselineLatency baseline_latency(const Parser& p, const YAML::Node& n, const std::string& key)
{
	p.map(n, key,
	      {"max_ratio", "p50_ratio", "p99_ratio", "p999_ratio", "p9999_ratio", "floor_us"});
	BaselineLatency l;
	if (n["max_ratio"])
		l.max_ratio = positive(p, n["max_ratio"], "max_ratio");
	for (std::size_t i = 0; i < Percentiles::kKeys.size(); i++) {
		const std::string k = std::string(Percentiles::kKeys[i]) + "_ratio";
		if (n[k])
			l.pct_ratio[i] = positive(p, n[k], k);
	}
	if (n["floor_us"])
		l.floor_us = p.number(n["floor_us"], "floor_us");
	return l;
}

// parse_baseline - `baseline:`, the limits relative to the run before.
BaselineLimits parse_baseline(const Parser& p, const YAML::Node& n)
{
	p.map(n, "baseline",
	      {"new_source_us_per_s", "source_ratio", "source_floor_us_per_s", "latency"});
	BaselineLimits bl;
	if (n["new_source_us_per_s"])
		bl.new_source_us_per_s = p.number(n["new_source_us_per_s"], "new_source_us_per_s");
	if (n["source_ratio"])
		bl.source_ratio = positive(p, n["source_ratio"], "source_ratio");
	if (n["source_floor_us_per_s"])
		bl.source_floor_us_per_s =
			p.number(n["source_floor_us_per_s"], "source_floor_us_per_s");
	if (const YAML::Node lat = n["latency"]) {
		p.map(lat, "latency", {"irq", "thread"});
		for (LatType type : kLatTypes)
			if (lat[lat_type_name(type)])
				bl.latency[static_cast<unsigned>(type)] = baseline_latency(
					p, lat[lat_type_name(type)], lat_type_name(type));
	}
	return bl;
}

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
					      "noise, sources, spikes, workload, baseline)",
					      file, std::max(root.Mark().line, 0) + 1));
	p.map(root, "(top)", {"latency", "noise", "sources", "spikes", "workload", "baseline"});

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
	if (const YAML::Node baseline = root["baseline"])
		b.baseline = parse_baseline(p, baseline);
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

// Verdict - the checks of a BudgetResult and their violations, as
// judging adds them.
class Verdict {
public:
	explicit Verdict(BudgetResult& r) : r_(r) {}

	// check - a limit judged on @cpu; its index, for measured() and fail().
	std::size_t check(std::string limit, std::optional<unsigned> cpu, double allowed,
			  std::string unit)
	{
		r_.checks.push_back({std::move(limit), cpu, "", allowed, std::move(unit), {}});
		return r_.checks.size() - 1;
	}
	void measured(std::size_t c, std::string m) { r_.checks[c].measured = std::move(m); }
	void fail(std::size_t c, Violation v)
	{
		r_.checks[c].violations.push_back(r_.violations.size());
		r_.violations.push_back(std::move(v));
	}

private:
	BudgetResult& r_;
};

// Worst - the largest of some values, and its text, for Check::measured.
struct Worst {
	std::optional<double> value;
	std::string text;

	void see(double v, std::string t)
	{
		if (!value || v > *value) {
			value = v;
			text = std::move(t);
		}
	}
};

// judge_latency - CPU @c's latency of @type against @lim: its maximum,
// then its percentiles (one in the histogram's overflow is known only
// to be at least its start).
void judge_latency(Verdict& out, const LatencyLimits& lim, const CpuResult& c, LatType type,
		   bool sampled)
{
	const LatencyStats& l = c.of(type);
	const std::string prefix = std::string("latency.") + lat_type_name(type) + ".";
	if (!sampled) {
		if (lim.max_us || std::any_of(lim.pct_us.begin(), lim.pct_us.end(),
					      [](const auto& v) { return v.has_value(); })) {
			const std::size_t k =
				out.check(prefix + "*", c.cpu, lim.max_us.value_or(0), "us");
			out.measured(k, "not sampled");
			out.fail(k, {prefix + "*", c.cpu, "", "not sampled", lim.max_us.value_or(0),
				     "us", ""});
		}
		return;
	}
	const double max_us = static_cast<double>(l.max_ns) / 1000.0;
	if (lim.max_us) {
		const std::size_t k = out.check(prefix + "max_us", c.cpu, *lim.max_us, "us");
		if (l.count)
			out.measured(k, num(max_us));
		if (l.count && max_us > *lim.max_us)
			out.fail(k, {prefix + "max_us", c.cpu, "", num(max_us), *lim.max_us, "us",
				     ""});
	}
	const auto values = l.pct.values();
	for (std::size_t i = 0; i < lim.pct_us.size(); i++) {
		if (!lim.pct_us[i])
			continue;
		const std::string name = prefix + Percentiles::kKeys[i] + "_us";
		const std::size_t k = out.check(name, c.cpu, *lim.pct_us[i], "us");
		if (!l.count || !l.pct.samples)
			continue;
		const std::optional<std::uint64_t>& v = *values[i];
		const std::string text =
			v ? std::to_string(*v) : ">= " + std::to_string(l.pct.overflow_us);
		out.measured(k, text);
		if ((v && static_cast<double>(*v) > *lim.pct_us[i]) ||
		    (!v && max_us > *lim.pct_us[i]))
			out.fail(k, {name, c.cpu, "", text, *lim.pct_us[i], "us", ""});
	}
}

// judge_noise - CPU @c's noise per second against the budget's limit for
// it, or for every CPU.
void judge_noise(Verdict& out, const Budget& b, const Snapshot& s, const CpuResult& c)
{
	const auto nc = b.noise_cpus.find(c.cpu);
	const std::optional<double> noise =
		nc != b.noise_cpus.end() ? std::optional<double>(nc->second) : b.noise_us_per_s;
	if (!noise)
		return;
	const std::string name = nc != b.noise_cpus.end()
					 ? fmt::format("noise.cpus.{}.us_per_s", c.cpu)
					 : "noise.us_per_s";
	const std::size_t k = out.check(name, c.cpu, *noise, "us/s");
	const std::string text =
		s.attributed ? fmt::format("{:.1f}", c.noise.per_second_us) : "not traced";
	out.measured(k, text);
	if (!s.attributed || c.noise.per_second_us > *noise)
		out.fail(k, {name, c.cpu, "", text, *noise, "us/s", ""});
}

// judge_sources - the sources of CPU @c against each source limit that
// applies to it: each source that matches one, by kind and name pattern.
void judge_sources(Verdict& out, const Budget& b, const Snapshot& s, const CpuResult& c)
{
	for (std::size_t i = 0; i < b.sources.size(); i++) {
		const SourceLimit& l = b.sources[i];
		if (l.cpu && *l.cpu != c.cpu)
			continue;
		const std::string name = fmt::format("sources[{}].us_per_s", i);
		const std::size_t k = out.check(name, c.cpu, l.us_per_s, "us/s");
		if (!s.attributed) {
			out.measured(k, "not traced");
			out.fail(k, {name, c.cpu, l.kind + " " + l.name, "not traced", l.us_per_s,
				     "us/s", ""});
			continue;
		}
		Worst worst;
		for (const SourceRow& row : s.sources) {
			if (row.cpu != c.cpu || row.kind != l.kind ||
			    ::fnmatch(l.name.c_str(), row.name.c_str(), 0) != 0)
				continue;
			const double us_s = s.us_per_s(row.total_ns);
			worst.see(us_s, fmt::format("{:.1f}", us_s));
			if (us_s > l.us_per_s)
				out.fail(k, {name, c.cpu, row.kind + " " + row.name,
					     fmt::format("{:.1f}", us_s), l.us_per_s, "us/s", ""});
		}
		out.measured(k, worst.text);
	}
}

// judge_spikes - the spikes of every CPU, together, against the budget's
// most.
void judge_spikes(Verdict& out, const Budget& b, const Snapshot& s)
{
	if (!b.spikes_max)
		return;
	std::uint64_t n = 0;
	for (const CpuResult& c : s.cpus)
		for (const LatencyStats& l : c.lat)
			n += l.spikes;
	const auto most = static_cast<double>(*b.spikes_max);
	const std::size_t k = out.check("spikes.max", std::nullopt, most, "spikes");
	const std::string text = s.sampled ? std::to_string(n) : "not sampled";
	out.measured(k, text);
	if (!s.sampled || n > *b.spikes_max)
		out.fail(k, {"spikes.max", std::nullopt, "", text, most, "spikes", ""});
}

// kLeading - the sources named beside a verdict, per CPU.
constexpr std::size_t kLeading = 3;

void keep_leading(std::vector<LeadingSource>& v)
{
	std::stable_sort(v.begin(), v.end(), [](const LeadingSource& x, const LeadingSource& y) {
		return x.us_per_s > y.us_per_s;
	});
	if (v.size() > kLeading)
		v.resize(kLeading);
}

// leading - the largest sources of each CPU of s.
std::map<unsigned, std::vector<LeadingSource>> leading(const Snapshot& s)
{
	std::map<unsigned, std::vector<LeadingSource>> m;
	for (const SourceRow& row : s.sources)
		m[row.cpu].push_back({row.kind, row.name, s.us_per_s(row.total_ns), std::nullopt});
	for (auto& [cpu, v] : m)
		keep_leading(v);
	return m;
}

// leading - the largest sources after of each CPU of c, with their us/s
// before.
std::map<unsigned, std::vector<LeadingSource>> leading(const Comparison& c)
{
	std::map<unsigned, std::vector<LeadingSource>> m;
	for (const SourceDelta& d : c.sources)
		if (d.us_per_s.after)
			m[d.cpu].push_back({d.kind, d.name, *d.us_per_s.after, d.us_per_s.before});
	for (auto& [cpu, v] : m)
		keep_leading(v);
	return m;
}

// judge_new_sources - on CPU @cpu, each source absent before against the
// baseline's most for new sources.
void judge_new_sources(Verdict& out, const BaselineLimits& bl, const Comparison& c, unsigned cpu)
{
	if (!bl.new_source_us_per_s)
		return;
	const std::string name = "baseline.new_source_us_per_s";
	const double most = *bl.new_source_us_per_s;
	const std::size_t k = out.check(name, cpu, most, "us/s");
	if (!c.before.attributed || !c.after.attributed) {
		out.measured(k, "not traced");
		out.fail(k, {name, cpu, "", "not traced", most, "us/s", ""});
		return;
	}
	Worst worst;
	for (const SourceDelta& d : c.sources) {
		if (d.cpu != cpu || d.presence != Presence::appeared || !d.us_per_s.after)
			continue;
		const double us_s = *d.us_per_s.after;
		worst.see(us_s, fmt::format("{:.1f}", us_s));
		if (us_s > most)
			out.fail(k, {name, cpu, d.kind + " " + d.name, fmt::format("{:.1f}", us_s),
				     most, "us/s", "absent"});
	}
	out.measured(k, worst.text);
}

// judge_source_ratios - on CPU @cpu, each source of both runs against
// the baseline's ratio of its us/s before, or the floor.
void judge_source_ratios(Verdict& out, const BaselineLimits& bl, const Comparison& c, unsigned cpu)
{
	if (!bl.source_ratio)
		return;
	const std::string name = "baseline.source_ratio";
	const double ratio = *bl.source_ratio;
	const std::size_t k = out.check(name, cpu, ratio, "x baseline");
	if (!c.before.attributed || !c.after.attributed) {
		out.measured(k, "not traced");
		out.fail(k, {name, cpu, "", "not traced", ratio, "x baseline", ""});
		return;
	}
	Worst worst;
	for (const SourceDelta& d : c.sources) {
		if (d.cpu != cpu || d.presence != Presence::both || !d.us_per_s.before ||
		    !d.us_per_s.after)
			continue;
		const double before = *d.us_per_s.before, after = *d.us_per_s.after;
		// Below the floor a source is too small to judge by its ratio.
		if (after <= bl.source_floor_us_per_s)
			continue;
		if (before > 0)
			worst.see(after / before, fmt::format("{:.2f}", after / before));
		else
			worst.see(INFINITY, "from 0");
		const double allowed = std::max(ratio * before, bl.source_floor_us_per_s);
		if (after > allowed)
			out.fail(k, {name, cpu, d.kind + " " + d.name, fmt::format("{:.1f}", after),
				     allowed, "us/s", fmt::format("{:.1f}", before)});
	}
	out.measured(k, worst.text);
}

// judge_latency_ratio - figure @key ("max", "p999") of a LatencyDelta
// against ratio times its value before, or the floor. A percentile
// among the overflows is bounded: after by its start (at least), before
// by the run's maximum (at most); a violation is reported only when
// certain.
void judge_latency_ratio(Verdict& out, const BaselineLatency& bl, const LatencyDelta& d,
			 const std::string& key, double ratio, const Delta& v, const Delta& max)
{
	const std::string name =
		std::string("baseline.latency.") + lat_type_name(d.type) + "." + key + "_ratio";
	std::optional<double> before = v.before, after = v.after;
	std::string after_text = after ? num(*after) : "";
	if (key != "max") {
		if (!before && d.before_pct.samples)
			before = max.before;
		if (!after && d.after_pct.samples) {
			after = static_cast<double>(d.after_pct.overflow_us);
			after_text = ">= " + std::to_string(d.after_pct.overflow_us);
		}
	}
	const double allowed = std::max(ratio * before.value_or(0), bl.floor_us);
	const std::size_t k = out.check(name, d.cpu, allowed, "us");
	if (!before || !after)
		return;	 // no samples on a side: nothing to hold to
	out.measured(k, after_text);
	if (*after > allowed)
		out.fail(k, {name, d.cpu, "", after_text, allowed, "us",
			     (v.before ? "" : "<= ") + num(*before)});
}

// judge_latency_ratios - on CPU @cpu, each latency figure the baseline
// limits against its value before.
void judge_latency_ratios(Verdict& out, const BaselineLimits& bl, const Comparison& c, unsigned cpu)
{
	for (LatType t : kLatTypes) {
		const BaselineLatency& l = bl.latency[static_cast<unsigned>(t)];
		const bool any =
			l.max_ratio || std::any_of(l.pct_ratio.begin(), l.pct_ratio.end(),
						   [](const auto& r) { return r.has_value(); });
		if (!any)
			continue;
		const auto d = std::find_if(
			c.latency.begin(), c.latency.end(),
			[&](const LatencyDelta& x) { return x.cpu == cpu && x.type == t; });
		if (d == c.latency.end()) {
			const std::string name =
				std::string("baseline.latency.") + lat_type_name(t) + ".*";
			const std::size_t k = out.check(name, cpu, 0, "us");
			out.measured(k, "not sampled");
			out.fail(k, {name, cpu, "", "not sampled", 0, "us", ""});
			continue;
		}
		if (l.max_ratio)
			judge_latency_ratio(out, l, *d, "max", *l.max_ratio, d->max_us, d->max_us);
		for (std::size_t i = 0; i < l.pct_ratio.size(); i++)
			if (l.pct_ratio[i])
				judge_latency_ratio(out, l, *d, Percentiles::kKeys[i],
						    *l.pct_ratio[i], d->pct_us[i], d->max_us);
	}
}

// judge_workload_group - the threads of one comm on one CPU, @g, against
// the limits on their comm.
void judge_workload_group(Verdict& out, const WorkloadLimits& lim, const WorkloadGroup& g,
			  const Snapshot& s)
{
	const std::string prefix = "workload." + g.comm + ".";
	const std::optional<unsigned> cpu =
		g.cpu >= 0 ? std::optional<unsigned>(static_cast<unsigned>(g.cpu)) : std::nullopt;
	// judged - limit @key, measured @measured, broken if @bad.
	auto judged = [&](const char* key, const std::string& measured, double allowed,
			  const char* unit, bool bad) {
		const std::size_t k = out.check(prefix + key, cpu, allowed, unit);
		out.measured(k, measured);
		if (bad)
			out.fail(k, {prefix + key, cpu, "workload " + g.comm, measured, allowed,
				     unit, ""});
	};
	const LatencyStats& l = g.wakeup;
	const double max_us = static_cast<double>(l.max_ns) / 1000.0;
	if (lim.max_us)
		judged("max_us", num(max_us), *lim.max_us, "us", l.count && max_us > *lim.max_us);
	const Percentiles pct = percentiles(l);
	const std::pair<const char*, std::pair<const std::optional<double>*,
					       const std::optional<std::uint64_t>*>>
		pcts[] = {{"p99_us", {&lim.p99_us, &pct.p99_us}},
			  {"p999_us", {&lim.p999_us, &pct.p999_us}}};
	for (const auto& [key, lv] : pcts) {
		const auto& [allowed, v] = lv;
		if (!*allowed)
			continue;
		if (*v || !pct.samples)
			judged(key, *v ? std::to_string(**v) : "", **allowed, "us",
			       *v && static_cast<double>(**v) > **allowed);
		else
			judged(key, ">= " + std::to_string(pct.overflow_us), **allowed, "us",
			       max_us > **allowed);
	}
	if (lim.spikes)
		judged("spikes", std::to_string(l.spikes), static_cast<double>(*lim.spikes),
		       "spikes", l.spikes > *lim.spikes);
	const double taken = s.us_per_s(g.taken.total_ns());
	if (lim.taken_us_per_s)
		judged("taken_us_per_s", fmt::format("{:.1f}", taken), *lim.taken_us_per_s, "us/s",
		       taken > *lim.taken_us_per_s);
}

// judge_workload - each comm the budget names, on each CPU its threads
// ran on; a comm without a thread in the report was not measured.
void judge_workload(Verdict& out, const Budget& b, const Snapshot& s)
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
		if (found)
			continue;
		const std::string what = "not measured: no thread of this comm in the report "
					 "(attach --workload names the comms to follow)";
		const std::size_t k = out.check("workload." + comm, std::nullopt, 0, "");
		out.measured(k, what);
		out.fail(k,
			 {"workload." + comm, std::nullopt, "workload " + comm, what, 0, "", ""});
	}
}

}  // namespace

BudgetResult judge(const Budget& b, const Snapshot& s)
{
	BudgetResult r;
	r.file = b.file;
	Verdict out(r);
	for (const CpuResult& c : s.cpus) {
		for (LatType t : kLatTypes)
			judge_latency(out, latency_limits(b, c.cpu, t), c, t, s.sampled);
		judge_noise(out, b, s, c);
		judge_sources(out, b, s, c);
	}
	judge_spikes(out, b, s);
	judge_workload(out, b, s);
	if (s.attributed)
		r.leading = leading(s);
	return r;
}

BudgetResult judge(const Budget& b, const Snapshot& after, const Comparison& c)
{
	BudgetResult r = judge(b, after);
	if (!b.baseline)
		return r;
	r.baseline = true;
	Verdict out(r);
	for (unsigned cpu : c.cpus) {
		judge_new_sources(out, *b.baseline, c, cpu);
		judge_source_ratios(out, *b.baseline, c, cpu);
		judge_latency_ratios(out, *b.baseline, c, cpu);
	}
	if (c.before.attributed && c.after.attributed)
		r.leading = leading(c);
	return r;
}

void refuse_baseline(const Budget& b)
{
	if (b.baseline)
		throw usage_error(fmt::format("budget {}: baseline limits need a run before: "
					      "rtnoise compare BEFORE AFTER --budget {}",
					      b.file, b.file));
}

}  // namespace rtnoise
