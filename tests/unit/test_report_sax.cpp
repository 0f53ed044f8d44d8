// SPDX-License-Identifier: GPL-2.0
// test_report_sax.cpp - a report read as it comes (report_json's SAX
// handler): the same results as the goldens read whole, each spike handed
// on and dropped, in time linear in the spikes and memory that does not
// follow them.
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "app/report.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define RTNOISE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTNOISE_ASAN 1
#endif
#endif

using namespace rtnoise;

namespace {

const char* const kReports[] = {"golden/report-before.json", "golden/report-after.json",
				"golden/report-budget.json", "golden/workload-report.json"};

Snapshot read_streamed(const std::string& text, const ReportSpikes& spikes = {})
{
	std::istringstream in(text);
	return read_report_json(in, spikes);
}

std::string refusal(const std::string& text)
{
	try {
		read_streamed(text);
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	return "(read)";
}

// SpikesBuf - a report of n spikes made as it is read: the head and tail
// of a rendered report around n copies of its one spike, each its own
// cycle, never the whole text at once.
class SpikesBuf : public std::streambuf {
public:
	SpikesBuf(const Snapshot& one, std::size_t n) : n_(n)
	{
		const std::string text = render_json(one);
		static const std::string open = "\"spikes\": [";
		const std::size_t at = text.find(open) + open.size();
		const std::size_t end = text.find("\n  ]", at);
		head_ = text.substr(0, at);
		spike_ = text.substr(at, end - at);  // "\n    {...}"
		tail_ = text.substr(end);
		next(head_);
	}

protected:
	int_type underflow() override
	{
		if (i_ < n_) {
			std::string s = spike_;
			const std::string cycle = "\"cycle\": ";
			const std::size_t c = s.find(cycle) + cycle.size();
			s.replace(c, s.find(',', c) - c, std::to_string(i_));
			next((i_ ? "," : "") + s);
			i_++;
		} else if (i_ == n_) {
			next(tail_);
			i_++;
		} else {
			return traits_type::eof();
		}
		return traits_type::to_int_type(*gptr());
	}

private:
	void next(std::string s)
	{
		cur_ = std::move(s);
		setg(cur_.data(), cur_.data(), cur_.data() + cur_.size());
	}

	std::string head_, spike_, tail_, cur_;
	std::size_t n_, i_ = 0;
};

// one_spike - the fixture's run before, with its first spike alone.
Snapshot one_spike(const Snapshot& s)
{
	Snapshot one = s;
	one.spikes.resize(1);
	one.spikes[0].cpu = 2;
	return one;
}

// in_use - the bytes malloc has handed out and not had back (those of
// every arena and those mapped apart, as large blocks are).
std::int64_t in_use()
{
	const struct mallinfo2 m = mallinfo2();
	return static_cast<std::int64_t>(m.uordblks + m.hblkhd);
}

// Peak - the most bytes in use beyond those at its start, sampled each
// millisecond by a thread of its own until stopped.
class Peak {
public:
	Peak() : base_(in_use()), t_([this] { run(); }) {}
	std::int64_t stop()
	{
		stop_ = true;
		t_.join();
		return most_;
	}

private:
	void run()
	{
		while (!stop_) {
			most_ = std::max(most_.load(), in_use() - base_);
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}

	std::int64_t base_;
	std::atomic<bool> stop_{false};
	std::atomic<std::int64_t> most_{0};
	std::thread t_;
};

// TmpDir - a directory of this test's own, removed after.
struct TmpDir {
	std::filesystem::path path = std::filesystem::temp_directory_path() /
				     ("rtnoise-sax-" + std::to_string(getpid()));
	TmpDir() { std::filesystem::create_directories(path); }
	~TmpDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(ReportSax, ReadsTheGoldensAsTheTextReaderDid)
{
	for (const char* name : kReports) {
		const std::string text = golden::read(name);
		const Snapshot a = read_report_json(text);
		const Snapshot b = read_streamed(text);
		EXPECT_EQ(render_json(b), render_json(a)) << name;
		EXPECT_EQ(b.spikes.size(), a.spikes.size()) << name;
		EXPECT_EQ(b.workload_spikes.size(), a.workload_spikes.size()) << name;
	}
}

TEST(ReportSax, TalliedCompareIsTheCompareOfSpikes)
{
	const std::string bt = golden::read("golden/report-before.json");
	const std::string at = golden::read("golden/report-after.json");
	CauseTallies tb, ta;
	std::size_t handed = 0;
	const Snapshot b = read_streamed(
		bt, {[&](Spike&& sp) { tb.add(sp); }, [&](WorkloadSpike&&) { handed++; }});
	const Snapshot a = read_streamed(
		at, {[&](Spike&& sp) { ta.add(sp); }, [&](WorkloadSpike&&) { handed++; }});
	EXPECT_TRUE(b.spikes.empty());
	const Comparison c = compare(b, tb, a, ta);
	golden::expect("golden/compare.json", render_compare_json(c));
	golden::expect("golden/compare.txt", render_compare_text(c));
	const Comparison full = compare(read_report_json(bt), read_report_json(at));
	EXPECT_EQ(render_compare_json(c), render_compare_json(full));
	EXPECT_EQ(tally_causes(read_report_json(bt)).leading(2, LatType::irq, 3).size(),
		  tb.leading(2, LatType::irq, 3).size());
}

TEST(ReportSax, CompareReportsReadsFilesAsTheyCome)
{
	const TmpDir dir;
	write_file_atomic(dir.path / "b.json", golden::read("golden/report-before.json"));
	write_file_atomic(dir.path / "a.json", golden::read("golden/report-after.json"));
	CompareRequest r;
	r.before = (dir.path / "b.json").string();
	r.after = (dir.path / "a.json").string();
	r.format = CompareFormat::json;
	r.output = (dir.path / "out.json").string();
	compare_reports(r);
	std::ifstream in(r.output);
	std::stringstream got;
	got << in.rdbuf();
	golden::expect("golden/compare.json", got.str());

	write_file_atomic(dir.path / "bad.json", "{\"version\": 1, \"cpus\": [");
	r.after = (dir.path / "bad.json").string();
	try {
		compare_reports(r);
		ADD_FAILURE() << "read";
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()), r.after + ": not an rtnoise report: not JSON");
	}
}

TEST(ReportSax, RefusesSpikesAsTheWholeReportWas)
{
	auto j = nlohmann::json::parse(render_json(report_fixtures::before()));
	const std::size_t n = j["spikes"].size();
	j["spikes"].push_back(3);
	EXPECT_EQ(refusal(j.dump()),
		  "not an rtnoise report: spikes[" + std::to_string(n) + "]: not an object");
	j["spikes"].erase(j["spikes"].size() - 1);
	j["spikes"][1]["cpu"] = 7;
	EXPECT_EQ(refusal(j.dump()),
		  "not an rtnoise report: spikes[1].cpu: CPU 7 is not among cpus");
	// The first spike refused, of those refused for what they hold and
	// those on other CPUs.
	j["spikes"][0]["type"] = "soft";
	EXPECT_EQ(refusal(j.dump()), "not an rtnoise report: spikes[0].type: not irq or thread");
	// A spike's error waits for what the report read whole refuses first.
	j["version"] = 2;
	EXPECT_EQ(refusal(j.dump()),
		  "not an rtnoise report: version: not 1, the only version this rtnoise reads");
	j["version"] = 1;
	j["spikes"] = 3;
	EXPECT_EQ(refusal(j.dump()), "not an rtnoise report: spikes: not an array");
	j.erase("spikes");
	EXPECT_EQ(refusal(j.dump()), "not an rtnoise report: no key 'spikes'");
	// Two arrays of spikes, which no report has.
	std::string text = golden::read("golden/report-before.json");
	std::string twice = text;
	twice.replace(twice.rfind('}'), 1, ", \"spikes\": []}");
	EXPECT_EQ(refusal(twice), "not an rtnoise report: spikes: twice");
	// The spikes before the attribution that says what they hold.
	text.replace(text.find("\"attribution\": true,"), 20, "");
	text.replace(text.rfind('}'), 1, ", \"attribution\": true}");
	EXPECT_EQ(refusal(text), "not an rtnoise report: spikes: before attribution (true or "
				 "false), which says what a spike holds");
	// The workload's spikes too.
	auto w = nlohmann::json::parse(
		render_json(report_fixtures::with_workload(report_fixtures::before(), 1)));
	w["workload_spikes"][0]["type"] = "late";
	EXPECT_EQ(refusal(w.dump()),
		  "not an rtnoise report: workload_spikes[0].type: not wakeup or taken");
}

TEST(ReportSax, BoundsWhatIsHeldBesidesTheSpikes)
{
	// Values the document holds, however small each.
	std::string many = "{\"tick\": [";
	for (std::size_t i = 0; i <= kReportMaxValues; i++)
		many += i ? ",0" : "0";
	many += "]}";
	EXPECT_EQ(refusal(many), "not an rtnoise report: more than " +
					 std::to_string(kReportMaxValues) +
					 " values besides its spikes");
	// A spike's own values are held while it is read.
	std::string one = "{\"spikes\": [{\"causes\": [";
	for (std::size_t i = 0; i <= kReportMaxValues; i++)
		one += i ? ",0" : "0";
	one += "]}]}";
	EXPECT_EQ(refusal(one), "not an rtnoise report: more than " +
					std::to_string(kReportMaxValues) +
					" values besides its spikes");
	// Spikes are not: each is let go as it ends.
	std::string spikes = "{\"spikes\": [";
	std::string zeros = "{\"a\":[0";
	for (int i = 0; i < 63; i++)
		zeros += ",0";
	zeros += "]}";	// 66 values
	for (std::size_t i = 0; i < kReportMaxValues / 64 + 1000; i++)
		spikes += (i ? "," : "") + zeros;
	spikes += "]}";
	EXPECT_EQ(refusal(spikes), "not an rtnoise report: no version and cpus");
}

// Spaces - a stream of spaces that never ends.
class Spaces : public std::streambuf {
public:
	Spaces() : buf_(std::size_t{1} << 16, ' ') {}

protected:
	int_type underflow() override
	{
		setg(buf_.data(), buf_.data(), buf_.data() + buf_.size());
		return traits_type::to_int_type(*gptr());
	}

private:
	std::string buf_;
};

TEST(ReportSax, RefusesAValueThatNeverEnds)
{
	// The parser holds a string or a number whole: a stream that never
	// ends is refused 64 MiB after the last value.
	Spaces spaces;
	std::istream in(&spaces);
	try {
		read_report_json(in, {});
		ADD_FAILURE() << "read";
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()),
			  "not an rtnoise report: more than 64 MiB from one value to the next");
	}
}

TEST(ReportSax, ReadsSpikesInLinearTime)
{
	// 200 000 spikes, about 140 MiB of JSON: each handed on as its
	// object ends, once, in the order written, with nothing of the
	// array left to scan (nlohmann's callback parser took n^2/2 steps
	// here, minutes).
#ifdef RTNOISE_ASAN
	// Unoptimised and sanitized (tests/sanitize-unit.sh): a tenth.
	constexpr std::size_t kSpikes = 20000;
#else
	constexpr std::size_t kSpikes = 200000;
#endif
	SpikesBuf buf(one_spike(report_fixtures::before()), kSpikes);
	std::istream in(&buf);
	std::size_t handed = 0, ordered = 0;
	const auto t0 = std::chrono::steady_clock::now();
	const Snapshot s = read_report_json(in, {[&](Spike&& sp) {
							 ordered += sp.cycle == handed;
							 handed++;
						 },
						 {}});
	const auto took = std::chrono::steady_clock::now() - t0;
	EXPECT_EQ(handed, kSpikes);
	EXPECT_EQ(ordered, kSpikes);
	EXPECT_TRUE(s.spikes.empty());
	EXPECT_EQ(s.cpus.size(), 2U);
	// Generous: a few seconds, under a sanitizer too.
	EXPECT_LT(took, std::chrono::seconds(60));
}

TEST(ReportSax, CompareHoldsNoneOfTheSpikes)
{
#ifdef RTNOISE_ASAN
	GTEST_SKIP() << "mallinfo2() does not see AddressSanitizer's heap";
#else
	// Two reports of 50 000 spikes, 17 MiB each (the reader that read a
	// report whole held 150 000 of them in 396 MiB, so these in over
	// 100 MiB): compared, what is in use stays within a few MiB.
	constexpr std::size_t kSpikes = 50000;
	constexpr std::int64_t kBound = std::int64_t{32} << 20;
	const TmpDir dir;
	for (const auto& [name, s] : {std::pair{"b.json", report_fixtures::before()},
				      std::pair{"a.json", report_fixtures::after()}}) {
		SpikesBuf buf(one_spike(s), kSpikes);
		std::ofstream out(dir.path / name, std::ios::binary);
		out << &buf;
	}
	EXPECT_GT(std::filesystem::file_size(dir.path / "b.json"), std::uintmax_t{12} << 20);
	EXPECT_LT(std::filesystem::file_size(dir.path / "b.json"), kInputMaxBytes);
	CompareRequest r;
	r.before = (dir.path / "b.json").string();
	r.after = (dir.path / "a.json").string();
	r.format = CompareFormat::json;
	r.output = (dir.path / "out.json").string();
	malloc_trim(0);
	Peak peak;
	compare_reports(r);
	const std::int64_t most = peak.stop();
	EXPECT_LT(most, kBound) << "peak heap growth " << (most >> 20) << " MiB";
	std::ifstream in(r.output);
	const auto j = nlohmann::json::parse(in);
	std::uint64_t before = 0, after = 0;
	for (const auto& sp : j["spikes"]) {
		for (const auto& c : sp["causes_before"])
			before += c["spikes"].get<std::uint64_t>();
		for (const auto& c : sp["causes_after"])
			after += c["spikes"].get<std::uint64_t>();
	}
	EXPECT_EQ(before, kSpikes);
	EXPECT_EQ(after, kSpikes);
#endif
}
