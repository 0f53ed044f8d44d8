// SPDX-License-Identifier: GPL-2.0
// test_report_stream.cpp - the report written a spike at a time and read
// back as it comes: the same bytes and results as the documents gave,
// and memory that does not follow the spikes.
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <streambuf>
#include <string>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "app/report.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

using namespace rtnoise;

namespace {

const char* const kReports[] = {"golden/report-before.json", "golden/report-after.json",
				"golden/report-budget.json", "golden/workload-report.json"};

// hostile - a run whose spikes use every optional key, with names that
// must be escaped or replaced as nlohmann's dump() escapes them.
Snapshot hostile()
{
	Snapshot s = report_fixtures::before();
	s.spikes[0].causes.push_back({"irq\x1b[8m\"q\"\\", "bad\xff\xfe utf-8 \x7f", 7});
	s.spikes[0].cut = true;
	s.spikes[0].smis = 2;
	s.spikes[0].history_lost = true;
	s.spikes[0].join_missing = JoinMissing::overwritten;
	s.spikes[0].stack = {"do_idle", "tab\there", "\xe2\x82\xac euro"};
	s.spikes[1].causes.clear();
	return s;
}

Snapshot read_streamed(const std::string& text, const ReportSpikes& spikes = {})
{
	std::istringstream in(text);
	return read_report_json(in, spikes);
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

// in_use - the bytes malloc has handed out and not had back (those of
// the main arena and those mapped apart, as large blocks are).
std::int64_t in_use()
{
	const struct mallinfo2 m = mallinfo2();
	return static_cast<std::int64_t>(m.uordblks + m.hblkhd);
}

// growth - the most bytes in use beyond those at the start while n
// spikes are read (sampled each 1000th spike), keeping them or not.
std::int64_t growth(std::size_t n, bool keep)
{
	Snapshot one = report_fixtures::before();
	one.spikes.resize(1);
	SpikesBuf buf(one, n);
	std::istream in(&buf);
	const std::int64_t base = in_use();
	std::int64_t most = 0;
	std::size_t seen = 0;
	std::vector<Spike> kept;
	CauseTallies tallies;
	ReportSpikes spikes{[&](Spike&& sp) {
				    if (seen++ % 1000 == 0)
					    most = std::max(most, in_use() - base);
				    if (keep)
					    kept.push_back(std::move(sp));
				    else
					    tallies.add(sp);
			    },
			    {}};
	const Snapshot s = read_report_json(in, spikes);
	EXPECT_EQ(seen, n);
	EXPECT_EQ(s.cpus.size(), 2U);
	EXPECT_EQ(tallies.leading(2, LatType::irq, 3).size(), keep ? 0U : 1U);
	return most;
}

}  // namespace

TEST(ReportStream, JsonIsWhatNlohmannDumps)
{
	// Each spike is written by hand: its bytes are those of the
	// document nlohmann would have dumped, escapes and all.
	for (const Snapshot& s : {hostile(), report_fixtures::after()}) {
		const std::string text = render_json(s);
		EXPECT_EQ(nlohmann::json::parse(text).dump(2, ' ', false) + "\n", text);
		std::ostringstream out;
		render_json(out, s);
		EXPECT_EQ(out.str(), text);
	}
	const nlohmann::json j = nlohmann::json::parse(render_json(hostile()));
	const nlohmann::json& sp = j["spikes"][0];
	EXPECT_EQ(sp["causes"].back()["name"], "bad\xef\xbf\xbd\xef\xbf\xbd utf-8 \x7f");
	EXPECT_EQ(sp["stack"][1], "tab\there");
	EXPECT_EQ(sp["join_missing"], "overwritten");
	EXPECT_EQ(sp["smis"], 2);
	EXPECT_TRUE(sp["cut"].get<bool>());
	EXPECT_TRUE(sp["history_lost"].get<bool>());
	EXPECT_EQ(j["spikes"][1]["causes"], nlohmann::json::array());
}

TEST(ReportStream, HtmlStreamedIsTheString)
{
	std::ostringstream out;
	render_html(out, report_fixtures::before(), 10);
	EXPECT_EQ(out.str(), render_html(report_fixtures::before(), 10));
}

TEST(ReportStream, StreamedReaderReadsWhatTheTextReaderReads)
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

TEST(ReportStream, TalliedCompareIsTheCompareOfSpikes)
{
	const std::string bt = golden::read("golden/report-before.json");
	const std::string at = golden::read("golden/report-after.json");
	CauseTallies tb, ta;
	std::size_t dropped = 0;
	const Snapshot b = read_streamed(
		bt, {[&](Spike&& sp) { tb.add(sp); }, [&](WorkloadSpike&&) { dropped++; }});
	const Snapshot a = read_streamed(
		at, {[&](Spike&& sp) { ta.add(sp); }, [&](WorkloadSpike&&) { dropped++; }});
	EXPECT_TRUE(b.spikes.empty());
	const Comparison c = compare(b, tb, a, ta);
	golden::expect("golden/compare.json", render_compare_json(c));
	golden::expect("golden/compare.txt", render_compare_text(c));
	const Comparison full = compare(read_report_json(bt), read_report_json(at));
	EXPECT_EQ(render_compare_json(c), render_compare_json(full));
	EXPECT_EQ(leading_causes(read_report_json(bt), 2, LatType::irq, 3).size(),
		  tb.leading(2, LatType::irq, 3).size());
}

TEST(ReportStream, CompareReportsReadsFilesAsTheyCome)
{
	const std::filesystem::path dir = std::filesystem::temp_directory_path() /
					  ("rtnoise-stream-" + std::to_string(getpid()));
	std::filesystem::create_directories(dir);
	write_file_atomic(dir / "b.json", golden::read("golden/report-before.json"));
	write_file_atomic(dir / "a.json", golden::read("golden/report-after.json"));
	CompareRequest r;
	r.before = (dir / "b.json").string();
	r.after = (dir / "a.json").string();
	r.format = CompareFormat::json;
	r.output = (dir / "out.json").string();
	compare_reports(r);
	std::ifstream in(r.output);
	std::stringstream got;
	got << in.rdbuf();
	golden::expect("golden/compare.json", got.str());

	write_file_atomic(dir / "bad.json", "{\"version\": 1, \"cpus\": [");
	r.after = (dir / "bad.json").string();
	try {
		compare_reports(r);
		ADD_FAILURE() << "read";
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()), r.after + ": not an rtnoise report: not JSON");
	}
	std::filesystem::remove_all(dir);
}

TEST(ReportStream, RefusesSpikesItCannotRead)
{
	auto refusal = [](const std::string& text) -> std::string {
		try {
			read_streamed(text);
		} catch (const Error& e) {
			return e.what();
		}
		return "(read)";
	};
	auto j = nlohmann::json::parse(render_json(report_fixtures::before()));
	const std::size_t n = j["spikes"].size();
	j["spikes"].push_back(3);
	EXPECT_EQ(refusal(j.dump()),
		  "not an rtnoise report: spikes[" + std::to_string(n) + "]: not an object");
	j["spikes"].erase(j["spikes"].size() - 1);
	j["spikes"][1]["cpu"] = 7;
	EXPECT_EQ(refusal(j.dump()),
		  "not an rtnoise report: spikes[1].cpu: CPU 7 is not among cpus");
	// The spikes before the attribution that says what they hold.
	std::string text = golden::read("golden/report-before.json");
	text.replace(text.find("\"attribution\": true,"), 20, "");
	text.replace(text.rfind("}"), 1, ", \"attribution\": true}");
	EXPECT_EQ(refusal(text), "not an rtnoise report: spikes: before attribution (true or "
				 "false), which says what a spike holds");
}

TEST(ReportStream, ReadingSpikesHoldsNoneOfThem)
{
	// 200 000 spikes (about 140 MiB of JSON, which a document would hold
	// as well over a GiB): handed on one at a time, what is in use stays
	// within a few MiB; kept, the same measure sees them grow past it.
	constexpr std::int64_t kBound = std::int64_t{16} << 20;
	EXPECT_LT(growth(200000, false), kBound);
	EXPECT_GT(growth(200000, true), kBound);
}

TEST(ReportStream, AFileIsWrittenAsItGoesOrNotAtAll)
{
	const std::filesystem::path dir = std::filesystem::temp_directory_path() /
					  ("rtnoise-write-" + std::to_string(getpid()));
	std::filesystem::create_directories(dir);
	const std::filesystem::path p = dir / "r.json";
	write_file_atomic(p, "old\n");
	write_file_streamed(p, [](std::ostream& out) {
		for (int i = 0; i < 100000; i++)
			out << i << '\n';
	});
	std::ifstream in(p);
	std::string line, last;
	std::size_t lines = 0;
	while (std::getline(in, line)) {
		last = line;
		lines++;
	}
	EXPECT_EQ(lines, 100000U);
	EXPECT_EQ(last, "99999");
	EXPECT_THROW(write_file_streamed(p,
					 [](std::ostream& out) {
						 out << "half";
						 throw usage_error("stop");
					 }),
		     Error);
	EXPECT_EQ(std::filesystem::file_size(p), 588890U);
	std::size_t files = 0;
	for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
		files++;
	EXPECT_EQ(files, 1U);  // no temporary file left
	std::filesystem::remove_all(dir);
}
