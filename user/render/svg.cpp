// SPDX-License-Identifier: GPL-2.0
#include "render/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "util/utf8.hpp"

namespace rtnoise::svg {

namespace {

// printable - valid UTF-8 without C0 controls, DEL or C1 controls (what
// escape_name() keeps as it is).
bool printable(std::string_view s)
{
	if (!valid_utf8(s))
		return false;
	for (std::size_t i = 0; i < s.size(); i++) {
		auto c = static_cast<unsigned char>(s[i]);
		if (c < 0x20 || c == 0x7f)
			return false;
		// U+0080..U+009F is 0xC2 0x80..0x9F in UTF-8.
		if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f)
			return false;
	}
	return true;
}

}  // namespace

std::string escape(std::string_view text)
{
	std::string safe = printable(text) ? std::string(text) : escape_name(text);
	std::string out;
	out.reserve(safe.size());
	for (char c : safe) {
		switch (c) {
		case '&':
			out += "&amp;";
			break;
		case '<':
			out += "&lt;";
			break;
		case '>':
			out += "&gt;";
			break;
		case '"':
			out += "&quot;";
			break;
		case '\'':
			out += "&#39;";
			break;
		default:
			out += c;
		}
	}
	return out;
}

std::string num(double v)
{
	std::string s = fmt::format("{:.2f}", v);
	while (s.back() == '0')
		s.pop_back();
	if (s.back() == '.')
		s.pop_back();
	return s == "-0" ? "0" : s;
}

double Linear::operator()(double v) const
{
	if (hi <= lo)
		return px0;
	return px0 + (v - lo) / (hi - lo) * (px1 - px0);
}

double Log10::operator()(double v) const
{
	double e = v > 0 ? std::log10(v) : lo_exp;
	e = std::clamp(e, lo_exp, hi_exp);
	if (hi_exp <= lo_exp)
		return px0;
	return px0 + (e - lo_exp) / (hi_exp - lo_exp) * (px1 - px0);
}

std::vector<double> nice_ticks(double hi, int n)
{
	if (!(hi > 0))
		hi = 1;
	n = std::max(n, 1);
	const double raw = hi / n;
	const double mag = std::pow(10.0, std::floor(std::log10(raw)));
	double step = mag;
	for (double m : {1.0, 2.0, 5.0, 10.0}) {
		step = m * mag;
		if (step >= raw)
			break;
	}
	std::vector<double> ticks;
	for (int i = 0;; i++) {
		ticks.push_back(step * i);
		if (step * i >= hi)
			break;
	}
	return ticks;
}

int decades(std::uint64_t max_count)
{
	int d = 1;
	std::uint64_t p = 10;
	while (p < max_count && d < 19) {
		p *= 10;
		d++;
	}
	return d;
}

std::string open(double width, double height, std::string_view cls, std::string_view label)
{
	return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{}\" width=\"{}\" "
			   "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
			   escape(cls), num(width), num(height), num(width), num(height),
			   escape(label));
}

std::string close()
{
	return "</svg>\n";
}

std::string text(double x, double y, std::string_view anchor, std::string_view content,
		 std::string_view cls)
{
	return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", num(x),
			   num(y), anchor,
			   cls.empty() ? std::string() : fmt::format(" class=\"{}\"", escape(cls)),
			   escape(content));
}

std::string line(double x1, double y1, double x2, double y2, std::string_view cls)
{
	return fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{}\"/>\n",
			   num(x1), num(y1), num(x2), num(y2), escape(cls));
}

std::string title(std::string_view hover)
{
	return fmt::format("<title>{}</title>", escape(hover));
}

std::string title(const std::vector<std::string>& lines)
{
	std::string out = "<title>";
	for (std::size_t i = 0; i < lines.size(); i++) {
		if (i)
			out += '\n';
		out += escape(lines[i]);
	}
	return out + "</title>";
}

std::string x_axis(const Box& box, const std::vector<double>& ticks,
		   const std::vector<std::string>& labels, std::string_view caption)
{
	std::string out;
	for (std::size_t i = 0; i < ticks.size(); i++) {
		out += line(ticks[i], box.top, ticks[i], box.bottom(), "grid");
		out += line(ticks[i], box.bottom(), ticks[i], box.bottom() + 4, "tick");
		if (i < labels.size())
			out += text(ticks[i], box.bottom() + 16, "middle", labels[i]);
	}
	out += line(box.left, box.bottom(), box.right(), box.bottom(), "axis");
	out += text(box.left + box.width / 2, box.bottom() + 34, "middle", caption, "caption");
	return out;
}

std::string y_axis(const Box& box, const std::vector<double>& ticks,
		   const std::vector<std::string>& labels, std::string_view caption)
{
	std::string out;
	for (std::size_t i = 0; i < ticks.size(); i++) {
		out += line(box.left, ticks[i], box.right(), ticks[i], "grid");
		out += line(box.left - 4, ticks[i], box.left, ticks[i], "tick");
		if (i < labels.size())
			out += text(box.left - 7, ticks[i] + 4, "end", labels[i]);
	}
	out += line(box.left, box.top, box.left, box.bottom(), "axis");
	const double x = box.left - 46, y = box.top + box.height / 2;
	out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"caption\" "
			   "transform=\"rotate(-90 {} {})\">{}</text>\n",
			   num(x), num(y), num(x), num(y), escape(caption));
	return out;
}

}  // namespace rtnoise::svg
