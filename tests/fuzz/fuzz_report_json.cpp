// SPDX-License-Identifier: GPL-2.0
// fuzz_report_json - a JSON report read back (analysis/report_json.cpp):
// read_report_json() and render_json().
//
// Properties on each input:
//  - read_report_json() accepts it or refuses it with a usage Error
//    (status 2) that says what is wrong, nothing else;
//  - what it accepts, rendered again, reads back to the same report:
//    render_json(read(render_json(read(x)))) == render_json(read(x)),
//    its percentiles those of its histograms.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/percentiles.hpp"
#include "analysis/report_json.hpp"
#include "fuzz.hpp"
#include "render/render.hpp"

using namespace rtnoise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);
	Snapshot s;
	if (!fuzz::only_errors("read_report_json", {Exit::usage}, input,
			       [&] { s = read_report_json(input); }))
		return 0;
	for (const CpuResult& c : s.cpus)
		for (const LatencyStats& l : c.lat)
			FUZZ_CHECK(l.pct == percentiles(l),
				   "percentiles not those of the histogram of " +
					   fuzz::shown(input));
	const std::string once = render_json(s);
	Snapshot again;
	const bool read = fuzz::only_errors("read_report_json (rendered)", {}, once,
					    [&] { again = read_report_json(once); });
	FUZZ_CHECK(read, "its own rendering refused: " + fuzz::shown(once));
	const std::string twice = render_json(again);
	FUZZ_CHECK(once == twice, "rendered again differently: " + fuzz::shown(once) + " then " +
					  fuzz::shown(twice));
	return 0;
}
