// SPDX-License-Identifier: GPL-2.0
// Names are bytes: a comm of "bad\xff\xfe", a comm cut in the middle of a
// character, an IRQ action or a swap path with any bytes must reach every
// JSON output as valid JSON, and the state file must give them back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "host/host.hpp"
#include "isolation/check.hpp"
#include "isolation/partition.hpp"
#include "render/render.hpp"

using namespace rtnoise;

namespace {

const std::string kDefault = std::string(RTNOISE_FIXTURES) + "/hosts/debian-6.1-default";
const std::string kBad = "bad\xff\xfe";
const std::string kCut = "kworker/\xe4\xb8";  // "中" cut after 2 of its 3 bytes

// Tree - a copy of a captured host, removed at the end of the test.
struct Tree {
	fs::path dir;
	explicit Tree(const std::string& from)
	    : dir(fs::temp_directory_path() / ("rtnoise-names-" + std::to_string(::getpid())))
	{
		fs::remove_all(dir);
		fs::copy(from, dir, fs::copy_options::recursive);
	}
	~Tree() { fs::remove_all(dir); }
};

void put(const fs::path& p, const std::string& text)
{
	std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// set_comm - replace the comm of /proc/<pid>/task/<pid>/stat.
void set_comm(const fs::path& root, int pid, const std::string& comm)
{
	fs::path stat = root / "proc" / std::to_string(pid) / "task" / std::to_string(pid) / "stat";
	std::string l = read_file(stat).value();
	l.replace(l.find('(') + 1, l.rfind(')') - l.find('(') - 1, comm);
	put(stat, l);
}

}  // namespace

TEST(Names, ReportJsonIsValidWhateverTheNames)
{
	Snapshot s;
	s.kernel_release = "6.1.0-test";
	s.period_ns = 1000000;
	CpuResult c;
	c.cpu = 3;
	s.cpus.push_back(c);
	// Fields by name: the model grows.
	SourceRow src;
	src.cpu = 3;
	src.kind = "thread";
	src.name = kBad + ":4242";
	src.count = 1;
	src.total_ns = src.max_ns = 1000;
	OriginRow o;
	o.pid = 812;
	o.comm = kCut;
	o.count = 1;
	src.origins.push_back(o);
	s.sources.push_back(src);
	Spike sp;
	sp.cpu = 3;
	sp.expected_ns = 100;
	sp.observed_ns = 1100;
	Cause cause;
	cause.kind = "thread";
	cause.name = kCut + ":87";
	cause.duration_ns = 1000;
	sp.causes.push_back(cause);
	s.spikes.push_back(sp);

	std::string text;
	ASSERT_NO_THROW(text = render_json(s));
	nlohmann::json j;
	ASSERT_NO_THROW(j = nlohmann::json::parse(text));
	EXPECT_EQ(j["sources"].size(), 1u);
	EXPECT_NO_THROW(render_text(s, 10));
}

TEST(Names, CheckJsonIsValidOnATreeWithByteNames)
{
	Tree t(kDefault);
	set_comm(t.dir, 1, kBad);
	fs::rename(t.dir / "proc/irq/1/i8042", t.dir / "proc/irq/1/i8042\xff");

	CheckResult r = run_checks(t.dir, CpuSet{2, 3});
	std::string text;
	ASSERT_NO_THROW(text = render_check_json(r));
	nlohmann::json j;
	ASSERT_NO_THROW(j = nlohmann::json::parse(text));
	EXPECT_NE(text.find("bad\\\\xff\\\\xfe:1"), std::string::npos) << text;
	EXPECT_NE(text.find("1 (i8042\\\\xff)"), std::string::npos) << text;
	EXPECT_NE(render_check_text(r).find("bad\\xff\\xfe:1"), std::string::npos);
}

TEST(Names, StateFileRoundTripsAnyBytes)
{
	Tree t(kDefault);
	set_comm(t.dir, 1, kBad);
	State s{"partition", plan_partition(t.dir, {2, 3})};
	s.plan.changes.push_back({Change::Kind::affinity, "87:" + kCut, "0-1", "0-1",
				  "keep the CPUs of " + kCut + ":87"});
	s.plan.changes.push_back(
		{Change::Kind::swap, "/swap file\xff\\x41", "on", "off", "swapoff /swap file\xff"});
	s.plan.notes.push_back("note on " + kBad);

	fs::path state = t.dir / "run/rtnoise/partition.json";
	ASSERT_NO_THROW(write_state(state, s));
	State back = state_from_json(read_file(state).value());
	ASSERT_EQ(back.plan.changes.size(), s.plan.changes.size());
	for (std::size_t i = 0; i < s.plan.changes.size(); i++) {
		EXPECT_EQ(back.plan.changes[i].target, s.plan.changes[i].target);
		EXPECT_EQ(back.plan.changes[i].before, s.plan.changes[i].before);
		EXPECT_EQ(back.plan.changes[i].after, s.plan.changes[i].after);
		EXPECT_EQ(back.plan.changes[i].what, s.plan.changes[i].what);
	}
	EXPECT_EQ(back.plan.notes, s.plan.notes);
	EXPECT_FALSE(fs::exists(state.string() + ".tmp"));
}
