// SPDX-License-Identifier: GPL-2.0
#include "analysis/report_json.hpp"

#include <cerrno>
#include <cmath>
#include <exception>
#include <istream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "analysis/percentiles.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

using json = nlohmann::json;

[[noreturn]] void refuse(const std::string& where, const std::string& what)
{
	throw usage_error("not an rtnoise report: " + (where.empty() ? "" : where + ": ") + what);
}

// Obj - one JSON object whose keys are taken one by one: a key never
// taken is unknown (done()).
class Obj {
public:
	Obj(const json& j, std::string where) : j_(j), where_(std::move(where))
	{
		if (!j_.is_object())
			refuse(where_, "not an object");
	}

	const std::string& where() const { return where_; }
	std::string at(const std::string& key) const
	{
		return where_.empty() ? key : where_ + "." + key;
	}
	bool has(const std::string& key) const { return j_.contains(key); }

	const json& get(const std::string& key)
	{
		auto it = j_.find(key);
		if (it == j_.end())
			refuse(where_, "no key '" + key + "'");
		taken_.insert(key);
		return *it;
	}

	std::uint64_t u64(const std::string& key,
			  std::uint64_t max = std::numeric_limits<std::uint64_t>::max())
	{
		const json& v = get(key);
		if (!v.is_number_unsigned())
			refuse(at(key), "not an unsigned integer");
		const auto n = v.get<std::uint64_t>();
		if (n > max)
			refuse(at(key), "larger than " + std::to_string(max));
		return n;
	}
	std::uint32_t u32(const std::string& key, std::uint32_t max = 0xffffffffU)
	{
		return static_cast<std::uint32_t>(u64(key, max));
	}
	double number(const std::string& key)
	{
		const json& v = get(key);
		if (!v.is_number() || !std::isfinite(v.get<double>()))
			refuse(at(key), "not a finite number");
		return v.get<double>();
	}
	bool boolean(const std::string& key)
	{
		const json& v = get(key);
		if (!v.is_boolean())
			refuse(at(key), "not true or false");
		return v.get<bool>();
	}
	// string - escaped as names read from the kernel are (utf8.hpp): a
	// report is anyone's file, and what it holds goes to a terminal.
	std::string string(const std::string& key)
	{
		const json& v = get(key);
		if (!v.is_string())
			refuse(at(key), "not a string");
		return clean_name(v.get<std::string>());
	}
	const json& array(const std::string& key)
	{
		const json& v = get(key);
		if (!v.is_array())
			refuse(at(key), "not an array");
		return v;
	}

	void done() const
	{
		for (const auto& [key, _] : j_.items())
			if (!taken_.count(key))
				refuse(where_, "unknown key '" + key + "'");
	}

private:
	const json& j_;
	std::string where_;
	std::set<std::string> taken_;
};

LatencyStats read_latency(Obj o, std::uint32_t buckets)
{
	LatencyStats l;
	l.count = o.u64("count");
	l.min_ns = o.u64("min_ns");
	const std::uint64_t avg = o.u64("avg_ns");
	l.max_ns = o.u64("max_ns");
	l.overflows = o.u64("overflows");
	if (l.count && avg > std::numeric_limits<std::uint64_t>::max() / l.count)
		refuse(o.at("avg_ns"), "avg_ns times count does not fit in 64 bits");
	if (!l.count && avg)
		refuse(o.at("avg_ns"), "an average of no samples");
	l.sum_ns = avg * l.count;
	l.hist.assign(buckets, 0);
	const json& h = o.get("histogram_us");
	if (!h.is_object())
		refuse(o.at("histogram_us"), "not an object");
	for (const auto& [key, n] : h.items()) {
		const std::string where = o.at("histogram_us") + "." + key;
		if (key.empty() || key.size() > 6 ||
		    key.find_first_not_of("0123456789") != std::string::npos ||
		    (key.size() > 1 && key[0] == '0'))
			refuse(where, "not a bucket number");
		const unsigned long us = std::stoul(key);
		if (us >= buckets)
			refuse(where, "beyond the " + std::to_string(buckets) + " buckets");
		if (!n.is_number_unsigned() || !n.get<std::uint64_t>())
			refuse(where, "not a positive integer");
		l.hist[us] = n.get<std::uint64_t>();
	}
	l.spikes = o.u64("spikes");
	l.spikes_lost = o.u64("spikes_lost");
	l.missed = o.u64("missed_periods");
	// Computed again from the histogram: a report without them (older
	// than percentiles) reads too.
	if (o.has("percentiles"))
		Obj(o.get("percentiles"), o.at("percentiles"));
	o.done();
	return l;
}

int errno_of(const std::string& text)
{
	for (int e = 1; e < 4096; e++)
		if (errno_text(e) == text)
			return e;
	return EIO;
}

CpuResult read_cpu(Obj o, const Snapshot& s)
{
	CpuResult c;
	c.cpu = o.u32("cpu", 65535);
	if (s.sampled) {
		c.of(LatType::irq) = read_latency(Obj(o.get("irq"), o.at("irq")), s.hist_buckets);
		c.of(LatType::thread) =
			read_latency(Obj(o.get("thread"), o.at("thread")), s.hist_buckets);
		c.running = o.boolean("sampling");
		c.hotplug_offline = o.u32("hotplug_offline");
		if (o.has("sampler_error"))
			c.start_error = errno_of(o.string("sampler_error"));
	}
	if (s.attributed) {
		Obj n(o.get("noise"), o.at("noise"));
		c.noise.total_ns = n.u64("total_ns");
		c.noise.per_second_us = n.number("per_second_us");
		c.noise.available_pct = n.number("available_pct");
		c.noise.events_lost = n.u64("events_lost");
		const bool incomplete = n.boolean("incomplete");
		c.noise.nesting_overflow = n.u64("nesting_overflow");
		c.noise.clamped = n.u64("clamped");
		c.noise.clamped_ns = n.u64("clamped_ns");
		c.noise.source_drops = n.u64("source_drops");
		c.noise.origin_drops = n.u64("origin_drops");
		if (n.has("nested"))
			c.noise.nested = n.u64("nested");
		if (n.has("preempted"))
			c.noise.preempted = n.u64("preempted");
		if (n.has("parked_lost"))
			c.noise.parked_lost = n.u64("parked_lost");
		if (n.has("parked_stale"))
			c.noise.parked_stale = n.u64("parked_stale");
		if (n.has("joins_missing")) {
			Obj m(n.get("joins_missing"), n.at("joins_missing"));
			// "unsupported" came later: a report without it has none.
			for (std::size_t r = 1; r < kJoinMissingCount; r++) {
				const auto why = static_cast<JoinMissing>(r);
				if (why != JoinMissing::unsupported ||
				    m.has(join_missing_name(why)))
					c.noise.joins_missing[r] = m.u64(join_missing_name(why));
			}
			m.done();
		}
		if (incomplete != c.noise.incomplete())
			refuse(n.at("incomplete"),
			       "disagrees with the counts of what was not counted");
		n.done();
	}
	o.done();
	return c;
}

SourceRow read_source(Obj o)
{
	SourceRow r;
	r.cpu = o.u32("cpu", 65535);
	r.kind = o.string("kind");
	r.name = o.string("name");
	r.count = o.u64("count");
	r.total_ns = o.u64("total_ns");
	r.max_ns = o.u64("max_ns");
	r.running = o.boolean("running");
	const json& origins = o.array("origins");
	for (std::size_t i = 0; i < origins.size(); i++) {
		Obj g(origins[i], o.at("origins") + "[" + std::to_string(i) + "]");
		OriginRow row;
		row.cpu = g.u32("cpu", 65535);
		row.pid = g.u32("pid");
		row.comm = g.string("comm");
		row.count = g.u64("count");
		if (g.has("via")) {
			row.via = g.string("via");
			if (row.via.empty())
				refuse(g.at("via"), "empty");
		}
		g.done();
		r.origins.push_back(std::move(row));
	}
	o.done();
	return r;
}

std::vector<Cause> read_causes(Obj& o)
{
	std::vector<Cause> out;
	const json& causes = o.array("causes");
	for (std::size_t i = 0; i < causes.size(); i++) {
		Obj c(causes[i], o.at("causes") + "[" + std::to_string(i) + "]");
		out.push_back({c.string("kind"), c.string("name"), c.u64("duration_ns")});
		c.done();
	}
	return out;
}

std::vector<std::string> read_stack(Obj& o)
{
	std::vector<std::string> out;
	const json& st = o.array("stack");
	for (std::size_t i = 0; i < st.size(); i++) {
		if (!st[i].is_string())
			refuse(o.at("stack") + "[" + std::to_string(i) + "]", "not a string");
		out.push_back(clean_name(st[i].get<std::string>()));
	}
	if (out.empty())
		refuse(o.at("stack"), "empty (it is left out then)");
	return out;
}

Spike read_spike(Obj o, bool attributed)
{
	Spike sp;
	sp.cpu = o.u32("cpu", 65535);
	const std::string type = o.string("type");
	if (type != "irq" && type != "thread")
		refuse(o.at("type"), "not irq or thread");
	sp.type = type == "irq" ? LatType::irq : LatType::thread;
	sp.expected_ns = o.u64("at_ns");
	sp.observed_ns = o.u64("observed_ns");
	if (o.u64("latency_ns") != sp.latency_ns())
		refuse(o.at("latency_ns"), "not observed_ns - at_ns");
	sp.cycle = o.u64("cycle");
	sp.seq = sp.cycle;
	sp.causes = read_causes(o);
	sp.unexplained_ns = o.u64("unexplained_ns");
	if (attributed) {
		const std::string e = o.string("explained");
		if (e == "spike")
			sp.explained = Explained::at_spike;
		else if (e == "history")
			sp.explained = Explained::history;
		else if (e != "none")
			refuse(o.at("explained"), "not spike, history or none");
		if (o.has("join_missing")) {
			const std::string m = o.string("join_missing");
			for (std::size_t r = 1; r < kJoinMissingCount; r++)
				if (m == join_missing_name(static_cast<JoinMissing>(r)))
					sp.join_missing = static_cast<JoinMissing>(r);
			if (sp.join_missing == JoinMissing::none)
				refuse(o.at("join_missing"),
				       "not before_trace, overwritten, not_run, mismatch or "
				       "unsupported");
		}
		if (o.has("cut") && !(sp.cut = o.boolean("cut")))
			refuse(o.at("cut"), "false (it is left out then)");
		if (o.has("stack"))
			sp.stack = read_stack(o);
	} else {
		if (!sp.causes.empty())
			refuse(o.at("causes"), "causes without attribution");
		if (sp.unexplained_ns != sp.latency_ns())
			refuse(o.at("unexplained_ns"), "not latency_ns without attribution");
		sp.unexplained_ns = 0;
	}
	if (o.has("smis") && !(sp.smis = o.u64("smis")))
		refuse(o.at("smis"), "0 (it is left out then)");
	if (o.has("history_lost") && !(sp.history_lost = o.boolean("history_lost")))
		refuse(o.at("history_lost"), "false (it is left out then)");
	o.done();
	return sp;
}

// read_run - the run a report is of: its kernel, the sampler's state
// and settings, its span, and what it measured.
Snapshot read_run(Obj& o)
{
	Snapshot s;
	const std::string kernel = o.string("kernel");
	const std::size_t space = kernel.find(' ');
	s.kernel_release = kernel.substr(0, space);
	s.kernel_version = space == std::string::npos ? "" : kernel.substr(space + 1);
	if (space == std::string::npos)
		refuse("kernel", "not a release and a version");
	const std::string state = o.string("state");
	if (state == "running")
		s.state = SamplerState::running;
	else if (state == "stopped")
		s.state = SamplerState::stopped;
	else if (state != "idle")
		refuse("state", "not idle, running or stopped");
	s.period_ns = o.u64("period_ns");
	s.threshold_ns = o.u64("threshold_ns");
	const std::uint64_t duration = o.u64("duration_ns");
	s.start_ns = o.u64("start_ns");
	if (duration > std::numeric_limits<std::uint64_t>::max() - s.start_ns)
		refuse("duration_ns", "ends after 2^64 ns");
	s.end_ns = s.start_ns + duration;
	s.hist_buckets = o.u32("hist_buckets", kReportMaxBuckets);
	s.prio = o.u32("priority");
	s.sampled = o.boolean("sampled");
	s.attributed = o.boolean("attribution");
	// The trace's start is not in the report: the noise budgets already
	// are over the span it gives.
	s.trace_start_ns = s.start_ns;
	return s;
}

// read_cpus - the report's CPUs, each once, within the size a report
// may have; returns their numbers.
std::set<unsigned> read_cpus(Obj& o, Snapshot& s)
{
	const json& cpus = o.array("cpus");
	if (cpus.size() > kReportMaxCpus)
		refuse("cpus", "more than " + std::to_string(kReportMaxCpus) + " CPUs");
	if (std::uint64_t{cpus.size()} * 2 * s.hist_buckets > kReportMaxCells)
		refuse("cpus", std::to_string(cpus.size()) + " CPUs of " +
				       std::to_string(s.hist_buckets) + " buckets, more than the " +
				       std::to_string(kReportMaxCells) +
				       " buckets in all a report may hold");
	std::set<unsigned> seen;
	for (std::size_t i = 0; i < cpus.size(); i++) {
		CpuResult c = read_cpu(Obj(cpus[i], "cpus[" + std::to_string(i) + "]"), s);
		if (!seen.insert(c.cpu).second)
			refuse("cpus[" + std::to_string(i) + "].cpu",
			       "CPU " + std::to_string(c.cpu) + " twice");
		s.cpus.push_back(std::move(c));
	}
	return seen;
}

// check_watched - refuse a row (at @where) on a CPU not among @cpus.
void check_watched(const std::set<unsigned>& cpus, unsigned cpu, const std::string& where)
{
	if (!cpus.count(cpu))
		refuse(where, "CPU " + std::to_string(cpu) + " is not among cpus");
}

// read_sources - the report's sources, on its CPUs.
void read_sources(Obj& o, Snapshot& s, const std::set<unsigned>& cpus)
{
	const json& sources = o.array("sources");
	if (sources.size() > kReportMaxSources)
		refuse("sources", "more than " + std::to_string(kReportMaxSources) + " sources");
	for (std::size_t i = 0; i < sources.size(); i++) {
		const std::string where = "sources[" + std::to_string(i) + "]";
		s.sources.push_back(read_source(Obj(sources[i], where)));
		check_watched(cpus, s.sources.back().cpu, where + ".cpu");
	}
}

// read_ticks - why the tick ran on the report's CPUs.
void read_ticks(Obj& o, Snapshot& s, const std::set<unsigned>& cpus)
{
	const json& tick = o.array("tick");
	for (std::size_t i = 0; i < tick.size(); i++) {
		Obj t(tick[i], "tick[" + std::to_string(i) + "]");
		TickRow row;
		row.cpu = t.u32("cpu", 65535);
		row.reason = t.string("reason");
		row.count = t.u64("count");
		t.done();
		check_watched(cpus, row.cpu, t.at("cpu"));
		s.ticks.push_back(std::move(row));
	}
}

// read_limits - what the BPF side could not do on the run's kernel, if
// the report says.
void read_limits(Obj& o, Snapshot& s)
{
	if (!o.has("bpf_limits"))
		return;
	const json& limits = o.array("bpf_limits");
	for (std::size_t i = 0; i < limits.size() && i < kReportMaxLimits; i++) {
		Obj l(limits[i], "bpf_limits[" + std::to_string(i) + "]");
		s.limits.push_back({l.string("name"), l.string("effect")});
		l.done();
	}
	if (limits.size() > kReportMaxLimits)
		refuse("bpf_limits", "more than " + std::to_string(kReportMaxLimits));
}

// read_workload_thread - one thread of the workload; @cells counts the
// buckets of the workload's histograms read so far.
WorkloadThread read_workload_thread(Obj o, std::uint64_t& cells)
{
	WorkloadThread t;
	t.tid = o.u64("tid");
	t.tgid = o.u64("tgid");
	t.comm = o.string("comm");
	if (!o.get("cpu").is_null())
		t.cpu = static_cast<int>(o.u32("cpu", 65535));
	t.exited = o.boolean("exited");
	const std::uint32_t buckets = o.u32("hist_buckets", kReportMaxBuckets);
	cells += buckets;
	if (cells > kReportMaxCells)
		refuse(o.at("hist_buckets"), "more than the " + std::to_string(kReportMaxCells) +
						     " buckets in all a report may hold");
	t.wakeup = read_latency(Obj(o.get("wakeup"), o.at("wakeup")), buckets);
	t.timer_wakeups = o.u64("timer_wakeups");
	if (t.timer_wakeups > t.wakeup.count)
		refuse(o.at("timer_wakeups"), "more than the wakeups");
	Obj k(o.get("taken"), o.at("taken"));
	t.taken = {k.u64("preemptions"), k.u64("preempted_ns"), k.u64("interrupts"),
		   k.u64("interrupted_ns"), k.u64("max_ns")};
	if (t.taken.preempted_ns >
		    std::numeric_limits<std::uint64_t>::max() - t.taken.interrupted_ns ||
	    k.u64("total_ns") != t.taken.total_ns())
		refuse(k.at("total_ns"), "not preempted_ns + interrupted_ns");
	k.done();
	Obj f(o.get("self"), o.at("self"));
	t.self = {f.u64("run_ns"),    f.u64("faults_user"), f.u64("faults_kernel"),
		  f.u64("syscalls"),  f.u64("syscall_ns"),  f.u64("migrations"),
		  f.u64("voluntary"), f.u64("involuntary")};
	f.done();
	o.done();
	return t;
}

WorkloadSpike read_workload_spike(Obj o)
{
	WorkloadSpike sp;
	sp.cpu = o.u32("cpu", 65535);
	sp.tid = o.u64("tid");
	sp.comm = o.string("comm");
	const std::string type = o.string("type");
	if (type != "wakeup" && type != "taken")
		refuse(o.at("type"), "not wakeup or taken");
	sp.type = type == "wakeup" ? WorkloadSpikeType::wakeup : WorkloadSpikeType::taken;
	sp.timer = o.boolean("timer");
	sp.from_ns = o.u64("from_ns");
	sp.to_ns = o.u64("to_ns");
	if (o.u64("latency_ns") != sp.latency_ns())
		refuse(o.at("latency_ns"), "not to_ns - from_ns");
	sp.causes = read_causes(o);
	sp.unexplained_ns = o.u64("unexplained_ns");
	const std::string e = o.string("explained");
	if (e == "spike")
		sp.explained = Explained::at_spike;
	else if (e == "history")
		sp.explained = Explained::history;
	else if (e != "none")
		refuse(o.at("explained"), "not spike, history or none");
	if (o.has("cut") && !(sp.cut = o.boolean("cut")))
		refuse(o.at("cut"), "false (it is left out then)");
	if (o.has("stack"))
		sp.stack = read_stack(o);
	o.done();
	return sp;
}

// ReportIn - a report's bytes from src, 64 KiB at a time: at most
// kReportMaxBytes in all, and kReportMaxToken from one mark() (a value
// the reader was handed) to the next, as the parser holds a string or a
// number whole before handing it on; a read error is a usage Error.
class ReportIn : public std::streambuf {
public:
	explicit ReportIn(std::streambuf& src) : src_(src), buf_(std::size_t{1} << 16) {}

	// mark - a value was handed on where the parser is.
	void mark() { mark_ = read_ - static_cast<std::uint64_t>(egptr() - gptr()); }

protected:
	int_type underflow() override
	{
		if (gptr() < egptr())
			return traits_type::to_int_type(*gptr());
		if (read_ - mark_ > kReportMaxToken)
			refuse("", "more than " + std::to_string(kReportMaxToken >> 20) +
					   " MiB from one value to the next");
		std::streamsize n = 0;
		try {
			n = src_.sgetn(buf_.data(), static_cast<std::streamsize>(buf_.size()));
		} catch (const std::exception&) {
			throw usage_error("cannot read: " + errno_text(errno));
		}
		if (n <= 0)
			return traits_type::eof();
		read_ += static_cast<std::uint64_t>(n);
		if (read_ > kReportMaxBytes)
			throw usage_error("larger than " + std::to_string(kReportMaxBytes >> 30) +
					  " GiB, the most rtnoise reads of a report");
		setg(buf_.data(), buf_.data(), buf_.data() + n);
		return traits_type::to_int_type(*gptr());
	}

private:
	std::streambuf& src_;
	std::vector<char> buf_;
	std::uint64_t read_ = 0;  // bytes taken from src_
	std::uint64_t mark_ = 0;  // where the last value was handed on
};

// Stream - one array of spikes as it was read: how many it has, the
// first refused (or the count over kReportMaxSpikes), kept to be thrown
// where the report read whole would have refused it.
struct Stream {
	explicit Stream(const char* n) : name(n) {}

	const char* name;
	bool met = false;
	std::size_t n = 0;
	bool over = false;
	std::optional<Error> error;
	std::size_t error_at = std::numeric_limits<std::size_t>::max();
	std::map<unsigned, std::size_t> cpus;  // the first spike on each CPU

	std::string where(std::size_t i) const
	{
		return std::string(name) + "[" + std::to_string(i) + "]";
	}
};

// Reader - nlohmann's SAX events made into the report's document, but
// for the elements of its "spikes" and "workload_spikes": each of those
// is built alone, read and checked as it ends, handed on (or kept) and
// dropped, in O(1) of what was read before it. The nesting, the spikes
// and what is held at once are bounded as they come.
class Reader : public nlohmann::json_sax<json> {
public:
	Reader(const ReportSpikes& out, ReportIn* in) : out_(out), in_(in) {}

	bool null() override { return value(json(nullptr)); }
	bool boolean(bool b) override
	{
		if (open_.size() == 1 && top_ == "attribution")
			attributed_ = b ? 1 : 0;
		return value(json(b));
	}
	bool number_integer(number_integer_t n) override { return value(json(n)); }
	bool number_unsigned(number_unsigned_t n) override { return value(json(n)); }
	bool number_float(number_float_t n, const string_t& /*text*/) override
	{
		return value(json(n));
	}
	bool string(string_t& text) override { return value(json(std::move(text))); }
	// binary - never in JSON text.
	bool binary(binary_t& /*bytes*/) override { refuse("", "not JSON"); }
	bool start_object(std::size_t /*elements*/) override { return open(json::object()); }
	bool key(string_t& k) override
	{
		mark();
		count_bytes(k.size());
		if (open_.size() == 1)
			top_ = k;
		member_ = &(*open_.back())[k];
		return true;
	}
	bool end_object() override { return close(); }
	bool start_array(std::size_t /*elements*/) override { return open(json::array()); }
	bool end_array() override { return close(); }
	bool parse_error(std::size_t /*at*/, const std::string& /*token*/,
			 const nlohmann::detail::exception& /*e*/) override
	{
		refuse("", "not JSON");
	}

	json& document() { return root_; }

	// check_spikes - refuse the spikes as read_spikes() of the whole
	// document would: more than a report holds, then the first refused
	// or on a CPU not among cpus.
	void check_spikes(const std::set<unsigned>& cpus) const
	{
		if (spikes_.over)
			refuse("spikes",
			       "more than " + std::to_string(kReportMaxSpikes) + " spikes");
		std::size_t first = std::numeric_limits<std::size_t>::max();
		unsigned cpu = 0;
		for (const auto& [c, i] : spikes_.cpus)
			if (!cpus.count(c) && i < first) {
				first = i;
				cpu = c;
			}
		if (spikes_.error && spikes_.error_at < first)
			throw *spikes_.error;
		if (first != std::numeric_limits<std::size_t>::max())
			check_watched(cpus, cpu, spikes_.where(first) + ".cpu");
	}
	void check_workload_spikes() const
	{
		if (workload_spikes_.over)
			refuse("workload_spikes",
			       "more than " + std::to_string(kReportMaxSpikes) + " spikes");
		if (workload_spikes_.error)
			throw *workload_spikes_.error;
	}

	std::vector<Spike> spikes;  // where out_ takes none
	std::vector<WorkloadSpike> workload_spikes;

private:
	void mark()
	{
		if (in_)
			in_->mark();
	}
	void hold()
	{
		if (++held_ > kReportMaxValues)
			refuse("", "more than " + std::to_string(kReportMaxValues) +
					   " values besides its spikes");
	}
	void count_bytes(std::size_t n)
	{
		bytes_ += n;
		if (bytes_ > kReportMaxStrings)
			refuse("", "more than " + std::to_string(kReportMaxStrings >> 20) +
					   " MiB of keys and strings besides its spikes");
	}

	// place - where v goes: the document, the spike begun, or the
	// container open.
	json* place(json&& v)
	{
		if (open_.empty()) {
			root_ = std::move(v);
			return &root_;
		}
		json* top = open_.back();
		if (!top) {
			begin_element();
			elem_ = std::move(v);
			return &elem_;
		}
		if (top->is_array()) {
			top->push_back(std::move(v));
			return &top->back();
		}
		*member_ = std::move(v);
		return member_;
	}

	bool value(json&& v)
	{
		mark();
		const bool element = !open_.empty() && !open_.back();
		json* p = place(std::move(v));
		hold();
		if (p->is_string())
			count_bytes(p->get_ref<const std::string&>().size());
		if (element)
			end_element();
		return true;
	}

	bool open(json&& v)
	{
		mark();
		if (open_.size() + 1 > kReportMaxDepth)
			refuse("", "nested deeper than " + std::to_string(kReportMaxDepth));
		if (open_.size() == 1 && v.is_array() &&
		    (top_ == "spikes" || top_ == "workload_spikes")) {
			at_ = top_ == "spikes" ? &spikes_ : &workload_spikes_;
			if (at_->met)
				refuse(top_, "twice");
			at_->met = true;
			*member_ = json::array();
			hold();
			open_.push_back(nullptr);
			return true;
		}
		open_.push_back(place(std::move(v)));
		hold();
		return true;
	}

	bool close()
	{
		mark();
		const json* done = open_.back();
		open_.pop_back();
		if (done && !open_.empty() && !open_.back())
			end_element();
		return true;
	}

	// begin_element - a spike's place begins: counted, within the bound.
	void begin_element()
	{
		held_at_ = held_;
		bytes_at_ = bytes_;
		at_n_ = at_->n++;
		if (at_->n > kReportMaxSpikes)
			at_->over = true;
	}

	// end_element - the spike built in elem_ read, checked and handed on
	// unless one before was refused; then dropped.
	void end_element()
	{
		if (!at_->over && !at_->error) {
			try {
				take();
			} catch (const Error& e) {
				at_->error = e;
				at_->error_at = at_n_;
			}
		}
		elem_ = json();
		held_ = held_at_;
		bytes_ = bytes_at_;
	}

	void take()
	{
		const std::string where = at_->where(at_n_);
		if (at_ == &workload_spikes_) {
			WorkloadSpike sp = read_workload_spike(Obj(elem_, where));
			if (out_.workload_spike)
				out_.workload_spike(std::move(sp));
			else
				workload_spikes.push_back(std::move(sp));
			return;
		}
		if (attributed_ < 0)
			refuse("spikes", "before attribution (true or false), which says what a "
					 "spike holds");
		Spike sp = read_spike(Obj(elem_, where), attributed_ == 1);
		spikes_.cpus.emplace(sp.cpu, at_n_);
		if (out_.spike)
			out_.spike(std::move(sp));
		else
			spikes.push_back(std::move(sp));
	}

	const ReportSpikes& out_;
	ReportIn* in_;
	json root_;
	std::vector<json*> open_;  // the containers open; nullptr: an array of spikes
	json* member_ = nullptr;   // where the value of the last key goes
	std::string top_;	   // the last key of the document's own
	int attributed_ = -1;	   // the document's attribution, once read
	json elem_;		   // the spike being built
	Stream spikes_{"spikes"};
	Stream workload_spikes_{"workload_spikes"};
	Stream* at_ = nullptr;	// the array of spikes open
	std::size_t at_n_ = 0;	// the spike being built in it
	std::size_t held_ = 0, held_at_ = 0;
	std::size_t bytes_ = 0, bytes_at_ = 0;
};

// read_workload - the workload's threads and spikes, if the run followed
// one (a report older than them has none of these keys); its spikes were
// read as they came (r).
void read_workload(Obj& o, Snapshot& s, Reader& r)
{
	if (o.has("workload")) {
		const json& threads = o.array("workload");
		if (threads.size() > kReportMaxWorkload)
			refuse("workload",
			       "more than " + std::to_string(kReportMaxWorkload) + " threads");
		std::uint64_t cells = std::uint64_t{s.cpus.size()} * 2 * s.hist_buckets;
		for (std::size_t i = 0; i < threads.size(); i++)
			s.workload.push_back(read_workload_thread(
				Obj(threads[i], "workload[" + std::to_string(i) + "]"), cells));
	}
	if (o.has("workload_spikes")) {
		o.array("workload_spikes");
		r.check_workload_spikes();
	}
	if (o.has("workload_threshold_ns"))
		s.workload_threshold_ns = o.u64("workload_threshold_ns");
	if (o.has("workload_lost"))
		s.workload_lost = o.u64("workload_lost");
	if (o.has("workload_spikes_lost"))
		s.workload_spikes_lost = o.u64("workload_spikes_lost");
}

// read_document - the report r has read, its spikes already checked as
// they came.
Snapshot read_document(Reader& r)
{
	const json& j = r.document();
	if (!j.is_object() || !j.contains("version") || !j.contains("cpus"))
		refuse("", "no version and cpus");
	Obj o(j, "");
	if (o.u64("version") != 1)
		refuse("version", "not 1, the only version this rtnoise reads");
	Snapshot s = read_run(o);
	const std::set<unsigned> cpus = read_cpus(o, s);
	read_sources(o, s, cpus);
	o.array("spikes");
	r.check_spikes(cpus);
	s.spikes = std::move(r.spikes);
	read_ticks(o, s, cpus);
	read_limits(o, s);
	read_workload(o, s, r);
	s.workload_spikes = std::move(r.workload_spikes);
	if (o.has("symbols_hidden"))
		s.symbols_hidden = o.string("symbols_hidden");
	// What `report --budget` adds: its own result, not the measurement.
	if (o.has("budget"))
		o.get("budget");
	o.done();
	fill_percentiles(s);
	workload_percentiles(s);
	return s;
}

}  // namespace

Snapshot read_report_json(std::string_view text)
{
	const ReportSpikes keep;
	Reader r(keep, nullptr);
	json::sax_parse(text.begin(), text.end(), &r);
	return read_document(r);
}

Snapshot read_report_json(std::istream& in, const ReportSpikes& spikes)
{
	ReportIn buf(*in.rdbuf());
	std::istream bounded(&buf);
	Reader r(spikes, &buf);
	json::sax_parse(bounded, &r);
	return read_document(r);
}

}  // namespace rtnoise
