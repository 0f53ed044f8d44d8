// SPDX-License-Identifier: GPL-2.0
#include "sampler/device.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

#include "../../kmod/rtnoise_abi.h"
#include "host/host.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace rtnoise {

Device Device::open(const std::string& path)
{
	int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return Device(UniqueFd(fd));

	int err = errno;
	if (err == ENOENT || err == ENXIO || err == ENODEV)
		throw system_error("rtnoise.ko is not loaded (no " + path +
				   "): run 'rtnoise attach', or insmod rtnoise.ko");
	if (err == EACCES || err == EPERM)
		throw system_error("permission denied on " + path +
				   ": rtnoise needs root (CAP_SYS_ADMIN)");
	throw system_error("cannot open " + path + ": " + errno_text(err));
}

int Device::ioctl_raw(unsigned long cmd, void* arg)
{
	int ret;
	do {
		ret = ::ioctl(fd_.get(), cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? errno : 0;
}

const SamplerLimits kSamplerLimits{RTNOISE_PERIOD_MIN_NS,    RTNOISE_PERIOD_MAX_NS,
				   RTNOISE_THRESHOLD_MIN_NS, RTNOISE_THRESHOLD_MAX_NS,
				   RTNOISE_HIST_MAX_BUCKETS, RTNOISE_SPIKES_MIN,
				   RTNOISE_SPIKES_MAX,	     RTNOISE_PRIO_MIN,
				   RTNOISE_PRIO_MAX,	     RTNOISE_MEMORY_MAX_BYTES};

std::uint64_t sampler_bytes(const SamplerConfig& cfg)
{
	return RTNOISE_CPU_BYTES(cfg.hist_buckets, cfg.spike_capacity) * cfg.cpus.size();
}

SamplerInfo Device::info()
{
	rtnoise_info raw = info_raw();
	SamplerInfo i;
	i.state = static_cast<SamplerState>(raw.state);
	i.nr_watched = raw.nr_watched;
	i.period_ns = raw.period_ns;
	return i;
}

rtnoise_info Device::info_raw()
{
	rtnoise_info info{};
	info.abi_version = RTNOISE_ABI_VERSION;
	if (int err = ioctl_raw(RTNOISE_IOC_INFO, &info)) {
		if (err == EPROTO) {
			// The module wrote its own ABI version back (ABI 2 on).
			std::string theirs = info.abi_version != RTNOISE_ABI_VERSION
						     ? std::to_string(info.abi_version)
						     : "1";
			throw system_error("module ABI " + theirs + ", rtnoise ABI " +
					   std::to_string(RTNOISE_ABI_VERSION) +
					   ": rebuild the other side, or 'rmmod rtnoise' "
					   "and load the module built with this rtnoise");
		}
		throw system_error(std::string("cannot query the sampler: ") + errno_text(err));
	}
	return info;
}

void Device::start(const SamplerConfig& cfg)
{
	std::vector<std::uint64_t> mask = to_bitmap(cfg.cpus);
	rtnoise_config c{};
	c.abi_version = RTNOISE_ABI_VERSION;
	c.period_ns = cfg.period_ns;
	c.threshold_ns = cfg.threshold_ns;
	c.hist_buckets = cfg.hist_buckets;
	c.spike_capacity = cfg.spike_capacity;
	c.prio = cfg.prio;
	c.cpumask_bytes = static_cast<__u32>(mask.size() * sizeof(mask[0]));
	c.cpumask_ptr = reinterpret_cast<std::uintptr_t>(mask.data());

	switch (int err = ioctl_raw(RTNOISE_IOC_START, &c)) {
	case 0:
		for (unsigned cpu : cfg.cpus)
			if (auto r = read_cpu(cpu, 0))
				set_priority(*r, cfg.prio);
		return;
	case EBUSY:
		throw system_error("the sampler is already attached: run "
				   "'rtnoise detach' first");
	case ENODEV:
		throw system_error("a CPU in " + format_cpulist(cfg.cpus) +
				   " went offline: bring it online or drop it "
				   "from --cpus");
	case EINVAL:
		throw usage_error("rtnoise.ko refused the configuration "
				  "(period, threshold, histogram, spikes, "
				  "priority or CPUs out of range)");
	case E2BIG:
		throw usage_error("the sampler would need " + format_bytes(sampler_bytes(cfg)) +
				  " of kernel memory, more "
				  "than rtnoise.ko allows (" +
				  format_bytes(RTNOISE_MEMORY_MAX_BYTES) +
				  "): lower --hist-us or --spikes, or watch fewer CPUs");
	default:
		throw system_error(std::string("cannot start the sampler: ") + errno_text(err));
	}
}

void Device::stop()
{
	int err = ioctl_raw(RTNOISE_IOC_STOP, nullptr);
	if (err && err != ENODATA)
		throw system_error(std::string("cannot stop the sampler: ") + errno_text(err));
}

void Device::reset()
{
	if (int err = ioctl_raw(RTNOISE_IOC_RESET, nullptr))
		throw system_error(std::string("cannot reset the sampler: ") + errno_text(err));
}

std::optional<CpuResult> Device::read_cpu(unsigned cpu, std::uint32_t buckets)
{
	CpuResult r;
	r.cpu = cpu;
	for (LatType t : kLatTypes) {
		LatencyStats& l = r.of(t);
		l.hist.assign(buckets, 0);

		rtnoise_cpu_stats st{};
		st.abi_version = RTNOISE_ABI_VERSION;
		st.cpu = cpu;
		st.type = static_cast<__u32>(t);
		st.hist_len = buckets;
		st.hist_ptr = buckets ? reinterpret_cast<std::uintptr_t>(l.hist.data()) : 0;
		int err = ioctl_raw(RTNOISE_IOC_CPU_STATS, &st);
		if (err == ENOENT)
			return std::nullopt;  // not watched
		if (err)
			throw system_error("cannot read CPU " + std::to_string(cpu) + ": " +
					   errno_text(err));
		l.hist.resize(st.hist_len);
		l.count = st.count;
		l.min_ns = st.min_ns;
		l.max_ns = st.max_ns;
		l.sum_ns = st.sum_ns;
		l.overflows = st.overflows;
		l.spikes = st.spikes;
		l.missed = st.missed;
		r.running = st.flags & RTNOISE_CPU_ONLINE;
		r.hotplug_offline = st.hotplug_offline;
		r.pid = st.pid;
		r.start_error = static_cast<int>(st.start_error);
	}
	return r;
}

// set_priority - make r's sampler kthread SCHED_FIFO prio. Where the kernel
// does not export sched_setattr_nocheck(), the module can only make it
// SCHED_FIFO MAX_RT_PRIO / 2 and the thread holds its first sample until it
// has prio; elsewhere it has prio already and nothing changes. Also run for
// a thread the module restarted when its CPU came back online.
void Device::set_priority(const CpuResult& r, std::uint32_t prio)
{
	if (r.pid == 0)
		return;
	auto pid = static_cast<pid_t>(r.pid);
	sched_param want{};
	want.sched_priority = static_cast<int>(prio);
	sched_param have{};
	if (sched_getscheduler(pid) == SCHED_FIFO && sched_getparam(pid, &have) == 0 &&
	    have.sched_priority == want.sched_priority)
		return;
	if (sched_setscheduler(pid, SCHED_FIFO, &want) == 0)
		return;
	int err = errno;
	if (err == ESRCH)
		return;	 // stopped with its CPU going offline
	throw system_error("cannot make the sampler thread of CPU " + std::to_string(r.cpu) +
			   " (pid " + std::to_string(r.pid) + ") SCHED_FIFO " +
			   std::to_string(prio) + ": " + errno_text(err));
}

SpikeBatch Device::read_spikes_since(unsigned cpu, LatType type, std::uint64_t from)
{
	SpikeBatch out;
	std::vector<rtnoise_spike> buf(4096);

	for (;;) {
		rtnoise_spikes req{};
		req.abi_version = RTNOISE_ABI_VERSION;
		req.cpu = cpu;
		req.type = static_cast<__u32>(type);
		req.max = static_cast<__u32>(buf.size());
		req.from_seq = from;
		req.buf_ptr = reinterpret_cast<std::uintptr_t>(buf.data());
		if (int err = ioctl_raw(RTNOISE_IOC_SPIKES, &req))
			throw system_error("cannot read spikes of CPU " + std::to_string(cpu) +
					   ": " + errno_text(err));
		out.lost += req.lost;
		for (std::uint32_t i = 0; i < req.returned; i++) {
			const rtnoise_spike& s = buf[i];
			Spike sp;
			sp.cpu = s.cpu;
			sp.type = static_cast<LatType>(s.type);
			sp.seq = s.seq;
			sp.cycle = s.cycle;
			sp.expected_ns = s.expected_ns;
			sp.observed_ns = s.observed_ns;
			sp.smis = s.smis;
			sp.steal_ns = s.steal_ns;
			out.spikes.push_back(std::move(sp));
		}
		out.next_seq = req.next_seq;
		if (req.next_seq == from)
			break;
		from = req.next_seq;
	}
	return out;
}

std::vector<CpuResult> Device::read_stats(const CpuSet& cpus)
{
	std::vector<CpuResult> out;
	for (unsigned cpu : cpus)
		if (auto r = read_cpu(cpu, 0))
			out.push_back(std::move(*r));
	return out;
}

Snapshot Device::read_snapshot(const SpikeSeqs* since, SpikeSeqs* next)
{
	rtnoise_info info = info_raw();
	Snapshot s;
	s.kernel_release = kernel_release();
	s.kernel_version = kernel_version();
	s.state = static_cast<SamplerState>(info.state);
	s.period_ns = info.period_ns;
	s.threshold_ns = info.threshold_ns;
	s.hist_buckets = info.hist_buckets;
	s.spike_capacity = info.spike_capacity;
	s.prio = info.prio;
	s.start_ns = info.start_ns;
	s.end_ns = info.stop_ns;
	if (s.state == SamplerState::idle)
		return s;
	s.sampled = true;

	for (unsigned cpu = 0; cpu < info.nr_cpu_ids; cpu++) {
		auto r = read_cpu(cpu, info.hist_buckets);
		if (!r)
			continue;
		if (s.state == SamplerState::running)
			set_priority(*r, info.prio);
		for (LatType t : kLatTypes) {
			std::uint64_t from = 0;
			if (since)
				if (auto it = since->find({cpu, t}); it != since->end())
					from = it->second;
			SpikeBatch b = read_spikes_since(cpu, t, from);
			r->of(t).spikes_lost = b.lost;
			if (next)
				(*next)[{cpu, t}] = b.next_seq;
			s.spikes.insert(s.spikes.end(), std::make_move_iterator(b.spikes.begin()),
					std::make_move_iterator(b.spikes.end()));
		}
		s.cpus.push_back(std::move(*r));
	}
	// A running sampler's "end" is after every counter was read, so that
	// no sample counted is newer than the duration they are held against.
	if (s.state == SamplerState::running)
		s.end_ns = monotonic_ns();
	std::sort(s.spikes.begin(), s.spikes.end(), [](const Spike& a, const Spike& b) {
		return a.expected_ns != b.expected_ns ? a.expected_ns < b.expected_ns
						      : a.type < b.type;
	});
	return s;
}

}  // namespace rtnoise
