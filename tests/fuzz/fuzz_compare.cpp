// SPDX-License-Identifier: GPL-2.0
// fuzz_compare - compare of two JSON reports (analysis/report_json,
// analysis/compare, render/compare_text and compare_json), as `rtnoise
// compare BEFORE AFTER` reads them: the input is the two files, the
// first ending at the first line "--rtnoise-fuzz-after--".
//
// Properties on each input:
//  - each report is read, or refused with a usage Error, nothing else;
//  - two reports read are compared, or refused (other CPUs) with a usage
//    Error;
//  - what is compared renders as text and JSON with no terminal control
//    byte (strings from a report are escaped), the JSON valid UTF-8;
//  - the reports read as `compare` reads them (a stream, each spike
//    tallied and dropped) are read as the text is, and compare the same.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "fuzz.hpp"
#include "render/render.hpp"

using namespace rtnoise;

namespace {

constexpr std::string_view kSeparator = "\n--rtnoise-fuzz-after--\n";

// controls - a C0 control byte other than newline, or DEL, in text.
bool controls(std::string_view text)
{
	for (unsigned char c : text)
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return true;
	return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string_view input(reinterpret_cast<const char*>(data), size);
	const std::size_t sep = input.find(kSeparator);
	if (sep == std::string_view::npos)
		return 0;
	const std::string before_text(input.substr(0, sep));
	const std::string after_text(input.substr(sep + kSeparator.size()));
	Snapshot before, after;
	if (!fuzz::only_errors("read_report_json (before)", {Exit::usage}, before_text,
			       [&] { before = read_report_json(before_text); }))
		return 0;
	if (!fuzz::only_errors("read_report_json (after)", {Exit::usage}, after_text,
			       [&] { after = read_report_json(after_text); }))
		return 0;
	Comparison c;
	if (!fuzz::only_errors("compare", {Exit::usage}, std::string(input),
			       [&] { c = compare(before, after); }))
		return 0;
	const std::string text = render_compare_text(c);
	FUZZ_CHECK(!controls(text), "a control byte in the text: " + fuzz::shown(text));
	const std::string json = render_compare_json(c);
	FUZZ_CHECK(valid_utf8(json), "invalid UTF-8 in the JSON: " + fuzz::shown(json));
	FUZZ_CHECK(!controls(json), "a control byte in the JSON: " + fuzz::shown(json));

	CauseTallies tb, ta;
	std::istringstream bin(before_text), ain(after_text);
	const Snapshot sb =
		read_report_json(bin, {[&](Spike&& sp) { tb.add(sp); }, [](WorkloadSpike&&) {}});
	const Snapshot sa =
		read_report_json(ain, {[&](Spike&& sp) { ta.add(sp); }, [](WorkloadSpike&&) {}});
	const std::string streamed = render_compare_json(compare(sb, tb, sa, ta));
	FUZZ_CHECK(streamed == json,
		   "the streamed reader compares otherwise: " + fuzz::shown(streamed));
	return 0;
}
