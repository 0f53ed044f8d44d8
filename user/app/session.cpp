// SPDX-License-Identifier: GPL-2.0
// session.cpp - collect, detach, isolate: the pipeline below the CLI.
#include "app/session.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <iterator>

#include "analysis/attribution.hpp"
#include "analysis/percentiles.hpp"
#include "host/host.hpp"
#include "host/ksyms.hpp"
#include "isolation/partition.hpp"
#include "sampler/device.hpp"
#include "sampler/module.hpp"
#include "tracer/tracer.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

Error nothing_attached()
{
	return system_error(std::string("nothing attached") +
			    (module_loaded() ? ""
					     : " (rtnoise.ko is not loaded, no "
					       "BPF tracer is pinned)") +
			    ": run 'rtnoise attach --cpus LIST' first");
}

namespace {

// random_key - 16 bytes from getrandom(2).
KsymsKey random_key()
{
	KsymsKey key{};
	auto* p = reinterpret_cast<unsigned char*>(key.data());
	std::size_t got = 0;
	while (got < sizeof(key)) {
		const ssize_t n = ::getrandom(p + got, sizeof(key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			throw system_error(std::string("getrandom: ") + errno_text(errno));
		got += static_cast<std::size_t>(n);
	}
	return key;
}

// read_key - the key of an open key file, if it is the owner's alone.
std::optional<KsymsKey> read_key(int fd)
{
	struct stat st {};
	if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
	    (st.st_mode & 077) || st.st_size != sizeof(KsymsKey))
		return std::nullopt;
	KsymsKey key{};
	if (::pread(fd, key.data(), sizeof(key), 0) != static_cast<ssize_t>(sizeof(key)))
		return std::nullopt;
	return key;
}

}  // namespace

KsymsKey ksyms_key(const std::filesystem::path& dir)
{
	static const KsymsKey process_key = random_key();
	try {
		const UniqueFd d = open_state_dir(dir);
		UniqueFd f(::openat(d.get(), "ksyms-key",
				    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
		if (f) {
			const KsymsKey key = random_key();
			if (::write(f.get(), key.data(), sizeof(key)) == sizeof(key) &&
			    ::fsync(f.get()) == 0)
				return key;
			::unlinkat(d.get(), "ksyms-key", 0);
			return process_key;
		}
		f = UniqueFd(::openat(d.get(), "ksyms-key", O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
		if (f)
			if (auto key = read_key(f.get()))
				return *key;
	} catch (const Error&) {
		// Not root, or a directory not to trust: this process's key.
	}
	return process_key;
}

CollectSources real_collect_sources()
{
	CollectSources src;
	src.sampler = []() -> std::optional<Snapshot> {
		if (!module_loaded())
			return std::nullopt;
		return Device::open().read_snapshot();
	};
	src.tracer = []() -> std::optional<TraceData> {
		if (!tracer_attached())
			return std::nullopt;
		return tracer_read();
	};
	src.joins = []() -> std::vector<std::pair<SpikeKey, SpikeCauses>> {
		if (!tracer_attached())
			return {};
		return tracer_read_joins();
	};
	src.ksyms = [] { return Ksyms::load("/", ksyms_key(kStateDir)); };
	src.now = [] { return monotonic_ns(); };
	return src;
}

namespace {

// add_joins - the joins of an earlier read beside those of @trace, each
// spike's once, by key.
void add_joins(TraceData& trace, std::vector<std::pair<SpikeKey, SpikeCauses>> early)
{
	if (early.empty())
		return;
	auto& all = trace.explained;
	all.insert(all.end(), std::make_move_iterator(early.begin()),
		   std::make_move_iterator(early.end()));
	auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
	std::stable_sort(all.begin(), all.end(), by_key);
	all.erase(std::unique(all.begin(), all.end(),
			      [](const auto& a, const auto& b) { return a.first == b.first; }),
		  all.end());
}

Snapshot collect_unsummed(const CollectSources& src, const Workload& workload)
{
	// The kernel's joins, then the spike rings, then the trace, whose
	// own read of the joins comes first in it. Each spike recorded while
	// the rings are copied takes the join entry of the spike capacity
	// entries older: the joins of the oldest spikes copied are in the
	// first read, those of the spikes recorded meanwhile in the second.
	std::vector<std::pair<SpikeKey, SpikeCauses>> early;
	if (src.joins)
		early = src.joins();
	std::optional<Snapshot> sampled = src.sampler();
	Snapshot s = sampled_or_bare(std::move(sampled));
	std::optional<TraceData> trace = src.tracer();
	if (!s.sampled && !trace)
		throw nothing_attached();
	if (!trace)
		return s;
	add_joins(*trace, std::move(early));
	if (!s.sampled) {
		// BPF only: the CPUs and the time span come from the tracer.
		s.start_ns = trace->start_ns;
		s.end_ns = src.now();
		for (const auto& [cpu, _] : trace->cpus) {
			CpuResult c;
			c.cpu = cpu;
			s.cpus.push_back(c);
		}
	}

	attribute(s, std::move(*trace), src.ksyms(), workload.comms, workload.pids);
	return s;
}

}  // namespace

Snapshot sampled_or_bare(std::optional<Snapshot> sampled)
{
	if (sampled)
		return std::move(*sampled);
	Snapshot s;
	s.kernel_release = kernel_release();
	s.kernel_version = kernel_version();
	return s;
}

Snapshot collect(const CollectSources& src, const Workload& workload)
{
	Snapshot s = collect_unsummed(src, workload);
	fill_percentiles(s);
	workload_percentiles(s);
	return s;
}

CyclictestInfo cyclictest_info(const Snapshot& s, const fs::path& root)
{
	CyclictestInfo info;
	if (auto cmd = read_file(root / "proc/self/cmdline")) {
		std::string line = *cmd;
		while (!line.empty() && line.back() == '\0')
			line.pop_back();
		std::replace(line.begin(), line.end(), '\0', ' ');
		// Whatever bytes the caller passed (--workload $'w\xff').
		info.cmdline = escape_name(line);
	}
	info.version = RTNOISE_RELEASE;
	utsname u{};
	if (::uname(&u) == 0) {
		info.sysname = escape_name(u.sysname);
		info.nodename = escape_name(u.nodename);
		info.release = escape_name(u.release);
		info.kernel_version = escape_name(u.version);
		info.machine = escape_name(u.machine);
	}
	if (auto rt = read_file(root / "sys/kernel/realtime"))
		info.realtime = !rt->empty() && (*rt)[0] == '1';
	// The wall clock at start_ns and end_ns.
	const std::int64_t offset = realtime_offset_ns();
	auto when = [&](std::uint64_t mono) {
		const auto t = static_cast<std::time_t>((static_cast<std::int64_t>(mono) + offset) /
							1000000000LL);
		tm local{};
		localtime_r(&t, &local);
		char buf[64];
		std::strftime(buf, sizeof(buf), "%a, %d %b %Y %T %z", &local);
		return std::string(buf);
	};
	info.start_time = when(s.start_ns);
	info.end_time = when(s.end_ns);
	for (const auto& [node, cpus] : numa_nodes(root))
		for (unsigned cpu : cpus)
			info.node_of_cpu[cpu] = node;
	return info;
}

Snapshot collect(const Workload& workload)
{
	return collect(real_collect_sources(), workload);
}

DetachSteps real_detach_steps(bool unload)
{
	DetachSteps s;
	s.tracer = [] { return tracer_detach(); };
	s.sampler = [] {
		if (!module_loaded())
			return false;
		Device dev = Device::open();
		bool running = dev.info().state != SamplerState::idle;
		dev.reset();
		return running;
	};
	if (unload)
		s.unload = [] { unload_module(); };
	return s;
}

DetachResult detach_all(const DetachSteps& steps, const fs::path& root, const fs::path& state_path)
{
	DetachResult r;
	// Each step on its own: what one cannot do is said at the end.
	auto step = [&](auto&& fn) {
		try {
			fn();
		} catch (const std::exception& e) {
			r.errors.emplace_back(e.what());
		}
	};
	step([&] { r.any |= steps.tracer(); });
	// The sampler's SCHED_FIFO threads before anything that may fail
	// on a damaged file.
	step([&] { r.any |= steps.sampler(); });
	step([&] {
		auto text = read_state(state_path);
		if (!text)
			return;
		State s;
		try {
			s = state_from_json(*text);
		} catch (const Error& e) {
			throw system_error(
				std::string(e.what()) + " (" + state_path.string() +
				" is kept: put back by hand what it lists, then remove it)");
		}
		// Undo a partition that attach --isolate made; one made by
		// 'rtnoise partition' stays until 'partition --restore'.
		if (s.by != "attach")
			return;
		r.any = true;
		Outcome o = restore_state(root, state_path);
		for (const std::string& n : o.skipped)
			std::cerr << "rtnoise: left alone: " << n << "\n";
		for (const std::string& f : o.failed)
			std::cerr << "rtnoise: could not restore " << f << "\n";
		if (!o.failed.empty())
			throw system_error(std::to_string(o.failed.size()) +
					   " values of the partition could not be restored "
					   "(listed above); " +
					   state_path.string() +
					   " keeps them: fix the cause and run 'rtnoise "
					   "partition --restore'");
	});
	if (steps.unload)
		step(steps.unload);
	return r;
}

std::string join_errors(const std::vector<std::string>& errors)
{
	std::string out;
	for (const std::string& e : errors)
		out += (out.empty() ? "" : "; ") + e;
	return out;
}

DetachResult detach_all(bool unload)
{
	return detach_all(real_detach_steps(unload), "/", kStatePath);
}

DetachResult detach_everything(bool unload, std::chrono::milliseconds wait)
{
	StateLock lock(kStateDir, wait);
	DetachResult r = detach_all(unload);
	if (!r.errors.empty())
		throw system_error("detach stopped what it could, but: " + join_errors(r.errors));
	return r;
}

namespace {

void print_plan(const Plan& p, std::ostream& out)
{
	std::size_t moves = 0;
	for (const Change& c : p.changes) {
		if (c.kind == Change::Kind::move) {
			moves++;
			continue;
		}
		if (c.kind == Change::Kind::affinity && c.before == c.after)
			continue;  // remembered, not changed
		out << "  " << c.what;
		if (!c.before.empty() && c.kind != Change::Kind::mkdir)
			out << " (was " << c.before << ")";
		out << "\n";
	}
	if (moves)
		out << "  move " << moves << " user threads to the housekeeping cpuset\n";
	for (const std::string& n : p.notes)
		out << "  note: " << n << "\n";
}

}  // namespace

void refuse_if_partitioned(const std::string& state_path)
{
	auto text = read_state(state_path);
	if (!text)
		return;
	State s = state_from_json(*text);
	throw system_error("CPUs " + format_cpulist(s.plan.cpus) +
			   " are already partitioned (by rtnoise " + s.by +
			   "): run 'rtnoise partition --restore' first");
}

void isolate(const CpuSet& cpus, bool dry_run, const std::string& by, const std::string& state_path,
	     bool keep_ftrace)
{
	if (!dry_run)
		refuse_if_partitioned(state_path);
	PlanOptions po;
	po.keep_ftrace = keep_ftrace || tracer_attached();
	State s{by, plan_partition("/", cpus, po)};
	if (dry_run) {
		std::cout << "would isolate CPUs " << format_cpulist(cpus) << " (housekeeping "
			  << format_cpulist(s.plan.housekeeping) << ", cgroup " << s.plan.cgroup
			  << "):\n";
		print_plan(s.plan, std::cout);
		return;
	}
	Outcome r = apply_plan("/", state_path, s);
	std::cerr << "rtnoise: isolated CPUs " << format_cpulist(cpus) << ": " << r.done
		  << " changes made, prior values in " << state_path
		  << " ('rtnoise partition --restore' undoes them)\n";
	for (const std::string& s : r.skipped)
		std::cerr << "rtnoise: left alone: " << s << "\n";
	for (const std::string& f : r.failed)
		std::cerr << "rtnoise: could not: " << f << "\n";
	for (const std::string& n : r.notes)
		std::cerr << "rtnoise: note: " << n << "\n";
	for (const std::string& n : s.plan.notes)
		std::cerr << "rtnoise: note: " << n << "\n";
}

void restore_partition(const std::string& state_path)
{
	if (!fs::exists(state_path)) {
		std::cerr << "rtnoise: nothing to restore (no " << state_path << ")\n";
		return;
	}
	Outcome r = restore_state("/", state_path);
	std::cerr << "rtnoise: restored " << r.done << " values\n";
	for (const std::string& s : r.skipped)
		std::cerr << "rtnoise: left alone: " << s << "\n";
	for (const std::string& f : r.failed)
		std::cerr << "rtnoise: could not restore " << f << "\n";
	if (!r.failed.empty())
		throw system_error(std::to_string(r.failed.size()) +
				   " values could not be restored (listed above); " + state_path +
				   " keeps them: fix the cause and run "
				   "'rtnoise partition --restore' again");
}

void partition(const PartitionRequest& r)
{
	// The check for a partition, the state file and the changes happen
	// under one lock, so two of these never interleave.
	std::optional<StateLock> lock;
	if (r.restore || !r.dry_run)
		lock.emplace(fs::absolute(r.state).parent_path());
	if (r.restore) {
		restore_partition(r.state);
		return;
	}
	check_watchable("/", r.cpus);
	isolate(r.cpus, r.dry_run, "partition", r.state);
}

}  // namespace rtnoise
