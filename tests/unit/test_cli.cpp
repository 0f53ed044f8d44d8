// SPDX-License-Identifier: GPL-2.0
// The CLI surface, parsed as a user types it (CLI11's TApp pattern); the
// subcommand callbacks are replaced so nothing touches the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "cli/commands.hpp"
#include "sampler/device.hpp"
#include "tracer/tracer.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

class Cli : public ::testing::Test {
protected:
	Cli()
	{
		app.require_subcommand(1);
		attach = setup_attach(app);
		report = setup_report(app);
		detach = setup_detach(app);
		for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
			sub->callback([] {});
	}

	void parse(const std::string& line) { app.parse(line, false); }

	CLI::App app{"rtnoise"};
	std::shared_ptr<AttachOptions> attach;
	std::shared_ptr<ReportOptions> report;
	std::shared_ptr<DetachOptions> detach;
};

}  // namespace

TEST_F(Cli, AttachDefaults)
{
	parse("attach --cpus 2-3");
	SamplerConfig c = make_sampler_config(*attach);
	EXPECT_EQ(c.cpus, (CpuSet{2, 3}));
	EXPECT_EQ(c.period_ns, 1000000u);
	EXPECT_EQ(c.threshold_ns, 50000u);
	EXPECT_EQ(c.hist_buckets, 1000u);
	EXPECT_EQ(c.spike_capacity, 1024u);
	EXPECT_EQ(attach->events, 0u);	// the tracer's default
	EXPECT_EQ(c.prio, 95u);
	EXPECT_TRUE(attach->duration.empty());
}

TEST_F(Cli, AttachAllOptions)
{
	parse("attach -c 1,3 --period 500us --threshold 20us --duration 30s "
	      "--hist-us 5000 --spikes 1024 --priority 80 --format json");
	SamplerConfig c = make_sampler_config(*attach);
	EXPECT_EQ(c.cpus, (CpuSet{1, 3}));
	EXPECT_EQ(c.period_ns, 500000u);
	EXPECT_EQ(c.threshold_ns, 20000u);
	EXPECT_EQ(c.hist_buckets, 5000u);
	EXPECT_EQ(c.spike_capacity, 1024u);
	EXPECT_EQ(c.prio, 80u);
	EXPECT_EQ(attach->duration, "30s");
	EXPECT_EQ(attach->format, "json");
}

TEST_F(Cli, AttachNeedsCpus)
{
	EXPECT_THROW(parse("attach"), CLI::RequiredError);
}

TEST_F(Cli, MalformedCpuListsAreRejectedAtParse)
{
	for (const char* bad : {"3-1", "a", "1,,2", "99999"})
		EXPECT_THROW(parse(std::string("attach --cpus ") + bad), CLI::ValidationError)
			<< bad;
}

TEST_F(Cli, BadValuesAreRejected)
{
	EXPECT_THROW(parse("attach --cpus 1 --period fast"), CLI::ValidationError);
	EXPECT_THROW(parse("attach --cpus 1 --spikes 1000"), CLI::ValidationError);
	EXPECT_THROW(parse("attach --cpus 1 --priority 0"), CLI::ValidationError);
	EXPECT_THROW(parse("attach --cpus 1 --hist-us 0"), CLI::ValidationError);
	EXPECT_THROW(parse("attach --cpus 1 --format xml"), CLI::ValidationError);
	EXPECT_THROW(parse("report --format xml"), CLI::ValidationError);
	EXPECT_THROW(parse("frobnicate"), CLI::ParseError);
}

TEST_F(Cli, OutOfRangeTimesAreUsageErrors)
{
	parse("attach --cpus 1 --period 10us");
	EXPECT_THROW(make_sampler_config(*attach), Error);
	parse("attach --cpus 1 --period 2s");
	EXPECT_THROW(make_sampler_config(*attach), Error);
	parse("attach --cpus 1 --threshold 100ns");
	EXPECT_THROW(make_sampler_config(*attach), Error);
	parse("attach --cpus 1 --duration 0");
	EXPECT_THROW(make_sampler_config(*attach), Error);
}

TEST_F(Cli, ReportOptions)
{
	parse("report --format cyclictest --type irq --top 3");
	RenderOptions r = make_render_options(report->format, report->type, report->top);
	EXPECT_EQ(r.format, Format::cyclictest);
	EXPECT_EQ(r.cyclictest_type, LatType::irq);
	EXPECT_EQ(r.top_spikes, 3u);
}

TEST_F(Cli, DetachUnload)
{
	parse("detach --unload");
	EXPECT_TRUE(detach->unload);
}

TEST_F(Cli, KernelMemoryIsBoundedBeforeAnythingLoads)
{
	// 200 CPUs at the largest histogram and spike ring: 1.7 GiB.
	parse("attach --cpus 0-199 --hist-us 100000 --spikes 65536");
	try {
		make_sampler_config(*attach);
		FAIL() << "not refused";
	} catch (const Error& e) {
		EXPECT_NE(std::string(e.what()).find("1.7 GiB of kernel memory for 200 CPUs"),
			  std::string::npos)
			<< e.what();
	}
	parse("attach --cpus 0-1 --hist-us 100000 --spikes 65536");
	EXPECT_EQ(sampler_bytes(make_sampler_config(*attach)), 2 * 2 * (800000ULL + 65536 * 56));
}

// A number given as --workload is a thread ID: one that no kernel can
// have is a usage error, not an exception out of the report (stoull).
// What attach takes of the kernel for one more watched CPU at its
// defaults, sampler and BPF side: at most 2 MiB, with or without a
// workload, on kernels with and without bpf_loop. The maps shared by
// all CPUs (hashes of sources, origins, parked contexts) do not grow
// with them.
TEST_F(Cli, KernelMemoryPerWatchedCpuAtTheDefaults)
{
	for (const char* workload : {"", " --workload cyclictest"}) {
		for (bool bpf_loop : {true, false}) {
			SCOPED_TRACE(std::string(workload) +
				     (bpf_loop ? " bpf_loop" : " no bpf_loop"));
			auto bytes = [&](const std::string& cpus) {
				parse("attach --cpus " + cpus + workload);
				const SamplerConfig c = make_sampler_config(*attach);
				TracerOptions t;
				t.cpus = c.cpus;
				t.ring_size = attach->events;
				t.spike_capacity = c.spike_capacity;
				if (*workload)
					t.workload_comms = {"cyclictest"};
				BpfFeatures k;
				k.bpf_loop = bpf_loop;
				return sampler_bytes(c) + tracer_bytes(sized_for(t, k));
			};
			const std::uint64_t per_cpu = bytes("0-2") - bytes("0-1");
			EXPECT_LE(per_cpu, std::uint64_t{2} << 20);
			EXPECT_EQ(bytes("0-255") - bytes("0-254"), per_cpu);
		}
	}
}

// The event ring's default follows the join: context only where spikes
// are joined when recorded, history where the report joins them; a
// kernel without bpf_loop gets no causes entries. A size given is kept.
TEST(TracerSizes, DefaultsFollowTheJoin)
{
	TracerOptions t;
	t.cpus = {1};
	t.spike_capacity = 1024;
	BpfFeatures loop;
	loop.bpf_loop = true;
	EXPECT_EQ(sized_for(t, loop).ring_size, kRingJoined);
	EXPECT_EQ(sized_for(t, loop).spike_capacity, 1024u);
	EXPECT_EQ(sized_for(t, BpfFeatures{}).ring_size, kRingHistory);
	EXPECT_EQ(sized_for(t, BpfFeatures{}).spike_capacity, 0u);
	t.ring_size = 2048;
	EXPECT_EQ(sized_for(t, loop).ring_size, 2048u);
	EXPECT_EQ(sized_for(t, BpfFeatures{}).ring_size, 2048u);
	EXPECT_LT(tracer_bytes(sized_for(t, BpfFeatures{})), tracer_bytes(sized_for(t, loop)));
}

TEST_F(Cli, WorkloadThreadIdsMustBeOnesAKernelCanHave)
{
	parse("report --workload myapp,42,4194304");
	EXPECT_EQ(report->workload, (std::vector<std::string>{"myapp", "42", "4194304"}));
	for (const char* bad : {"99999999999999999999", "4194305", "0"}) {
		EXPECT_THROW(parse(std::string("report --workload ") + bad), CLI::ValidationError)
			<< bad;
		EXPECT_THROW(parse(std::string("attach --cpus 2 --workload ") + bad),
			     CLI::ValidationError)
			<< bad;
	}
	EXPECT_THROW(parse("report --workload ''"), CLI::ParseError);
	// What app/ is given: the numbers as thread IDs, the rest as comms.
	const Workload w = parse_workload(report->workload);
	EXPECT_EQ(w.comms, (std::set<std::string>{"myapp"}));
	EXPECT_EQ(w.pids, (std::set<std::uint64_t>{42, 4194304}));
	EXPECT_EQ(parse_workload({"12a", "007"}).comms, (std::set<std::string>{"12a"}));
	EXPECT_EQ(parse_workload({"12a", "007"}).pids, (std::set<std::uint64_t>{7}));
}

TEST_F(Cli, HtmlFormatAndOutputFile)
{
	parse("report --format html --output /tmp/r.html --top 5");
	RenderOptions r = make_render_options(report->format, report->type, report->top);
	EXPECT_EQ(r.format, Format::html);
	EXPECT_EQ(r.top_spikes, 5u);
	EXPECT_EQ(report->output, "/tmp/r.html");
	parse("attach --cpus 1 --duration 10s -f html -o run.html");
	EXPECT_EQ(attach->format, "html");
	EXPECT_EQ(attach->output, "run.html");
}

TEST_F(Cli, AttachOutputAndBudgetNeedADuration)
{
	EXPECT_THROW(parse("attach --cpus 1 --output run.html"), CLI::RequiresError);
	EXPECT_THROW(parse("attach --cpus 1 --budget ci.yaml"), CLI::RequiresError);
	parse("attach --cpus 1 --duration 5s --budget ci.yaml");
	EXPECT_EQ(attach->budget, "ci.yaml");
}

// A file named as input is read up to a bound: a huge report, or one that
// never ends (/dev/zero, a FIFO fed for ever), is one usage error, not all
// of memory.
TEST(ReadInputFile, RefusesMoreThanItsBound)
{
	char tmpl[] = "/tmp/rtnoise-input-XXXXXX";
	const int fd = ::mkstemp(tmpl);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(::ftruncate(fd, kInputMaxBytes + 1), 0);  // sparse: no disk
	::close(fd);
	try {
		read_input_file(tmpl);
		ADD_FAILURE() << "read a file larger than the bound";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_EQ(std::string(e.what()),
			  std::string(tmpl) +
				  ": larger than 64 MiB, the most rtnoise reads of a file");
	}
	ASSERT_EQ(::truncate(tmpl, kInputMaxBytes), 0);
	EXPECT_EQ(read_input_file(tmpl).size(), kInputMaxBytes);
	::unlink(tmpl);
	try {
		read_input_file("/dev/zero");
		ADD_FAILURE() << "read /dev/zero to its end";
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()),
			  "/dev/zero: larger than 64 MiB, the most rtnoise reads of a file");
	}
}
