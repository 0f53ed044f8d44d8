// SPDX-License-Identifier: GPL-2.0
// svg.hpp - what the HTML report draws with (render/ only): escaping,
// linear and logarithmic scales, their ticks, and the elements of a plot.
//
// Presentation only: where a value lands in a plot and what its axis
// says. Every text that goes into the page goes through escape().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtnoise::svg {

// escape - text for HTML and XML, in an element or an attribute: & < >
// " ' as entities. A name that is not valid, printable UTF-8 (names
// are escaped when read, but a model built elsewhere may hold raw
// bytes) is first written as escape_name() writes it.
std::string escape(std::string_view text);

// num - a coordinate or value, short: at most 2 decimals, no trailing
// zeros ("12", "3.5", "0.25").
std::string num(double v);

// Linear - maps [lo, hi] onto [px0, px1] (px1 < px0 for a y axis).
struct Linear {
	double lo = 0, hi = 1;
	double px0 = 0, px1 = 1;
	double operator()(double v) const;
};

// Log10 - maps [10^lo_exp, 10^hi_exp] onto [px0, px1] logarithmically;
// values at or below 10^lo_exp land on px0.
struct Log10 {
	double lo_exp = 0, hi_exp = 1;
	double px0 = 0, px1 = 1;
	double operator()(double v) const;
};

// nice_ticks - round values from 0 to at least hi, about n of them
// (steps of 1, 2 or 5 times a power of ten).
std::vector<double> nice_ticks(double hi, int n);
// decades - the exponents of the decades of 1 .. at least max_count,
// at least 1 of them: 0, 1, ... ceil(log10(max_count)).
int decades(std::uint64_t max_count);

// Box - the plot area inside an SVG image, in pixels.
struct Box {
	double left, top, width, height;
	double right() const { return left + width; }
	double bottom() const { return top + height; }
};

// open - <svg> of width x height with a role and an accessible label;
// close - </svg>.
std::string open(double width, double height, std::string_view cls, std::string_view label);
std::string close();

// text - a <text> at x, y; anchor: start, middle or end.
std::string text(double x, double y, std::string_view anchor, std::string_view content,
		 std::string_view cls = "");
// line - a <line> from (x1, y1) to (x2, y2) of class cls.
std::string line(double x1, double y1, double x2, double y2, std::string_view cls);
// title - a <title> child: the hover text of its parent, of one line or
// of several (each escaped apart, so a name cannot add a line).
std::string title(std::string_view hover);
std::string title(const std::vector<std::string>& lines);

// x_axis, y_axis - the axis line, a tick, a grid line and a label per
// tick, and the axis caption. labels[i] is the label of ticks[i] (pixel
// positions).
std::string x_axis(const Box& box, const std::vector<double>& ticks,
		   const std::vector<std::string>& labels, std::string_view caption);
std::string y_axis(const Box& box, const std::vector<double>& ticks,
		   const std::vector<std::string>& labels, std::string_view caption);

}  // namespace rtnoise::svg
