// SPDX-License-Identifier: GPL-2.0
// html.hpp - what the HTML pages (report and compare) share (render/
// only): the page around them, with its Content-Security-Policy and
// style, the colours, and the latency histogram plot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace rtnoise::html {

// page_open - the doctype, the head (CSP: no script, no fetch; the
// style, then extra_style) and <body> with the title as <h1>;
// page_close - </body></html>.
std::string page_open(std::string_view title, std::string_view extra_style = "");
std::string page_close();

// us - nanoseconds as microseconds with one decimal.
std::string us(std::uint64_t ns);
// lat_title - "IRQ latency" or "Thread latency".
const char* lat_title(LatType t);
// kind_colour - a colour per source kind, the same in every page.
const char* kind_colour(std::string_view kind);

// HistLine - one histogram of a plot: its path's class (after "hist"),
// its hover text and its legend.
struct HistLine {
	const LatencyStats* stats;
	std::string cls;
	std::string hover;
	std::string legend;
};

// histogram_svg - the lines as step paths on one linear latency axis and
// one logarithmic count axis (the OSADL plots' style), one legend entry
// each, in an <svg class="histogram"> labelled label. hist_buckets is
// the histograms' size in us; cls, the <svg>'s class.
std::string histogram_svg(const std::vector<HistLine>& lines, std::size_t hist_buckets,
			  std::string_view label, std::string_view cls = "histogram");

}  // namespace rtnoise::html
