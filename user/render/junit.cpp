// SPDX-License-Identifier: GPL-2.0
// junit.cpp - a budget's verdict as JUnit XML, for CI systems to show
// which limit broke on which CPU, and by what.
#include <fmt/format.h>

#include <iterator>

#include "render/render.hpp"
#include "render/svg.hpp"

namespace rtnoise {
namespace {

using svg::escape;

std::string classname(const Check& c)
{
	return c.cpu ? fmt::format("rtnoise.cpu{}", *c.cpu) : "rtnoise";
}

// leading_text - the largest sources of a CPU, as "irq 24:virtio0-input
// 2200.0 us/s (before: 10.0)", one a line.
std::vector<std::string> leading_text(const BudgetResult& b, const Check& c)
{
	std::vector<std::string> lines;
	if (!c.cpu)
		return lines;
	const auto it = b.leading.find(*c.cpu);
	if (it == b.leading.end())
		return lines;
	for (const LeadingSource& s : it->second) {
		std::string before;
		if (b.baseline)
			before = s.before_us_per_s
					 ? fmt::format(" (before: {:.1f})", *s.before_us_per_s)
					 : " (new)";
		lines.push_back(
			fmt::format("{} {} {:.1f} us/s{}", s.kind, s.name, s.us_per_s, before));
	}
	return lines;
}

std::string measured_text(const Check& c)
{
	if (c.measured.empty())
		return fmt::format("nothing measured; at most {:g} {}", c.allowed, c.unit);
	return fmt::format("measured {} {}; at most {:g} {}", c.measured, c.unit, c.allowed,
			   c.unit);
}

// failure - the <failure> of a check that does not hold: the first
// violation and the leading sources in its message, each violation and
// each leading source a line of its body. Each line is escaped apart,
// so a name cannot add a line or an element.
std::string failure(const BudgetResult& b, const Check& c)
{
	const std::vector<std::string> leading = leading_text(b, c);
	std::string message = render_violation(b.violations[c.violations.front()]);
	if (c.violations.size() > 1)
		message += fmt::format(" (and {} more)", c.violations.size() - 1);
	if (!leading.empty())
		message += "; leading source: " + leading.front();
	std::string body;
	for (std::size_t i : c.violations)
		body += "VIOLATED " + escape(render_violation(b.violations[i])) + "\n";
	body += escape(measured_text(c)) + "\n";
	if (!leading.empty()) {
		body += fmt::format("leading sources on CPU {}:\n", *c.cpu);
		for (const std::string& l : leading)
			body += "  " + escape(l) + "\n";
	}
	return fmt::format("      <failure message=\"{}\" type=\"budget\">\n{}      </failure>\n",
			   escape(message), body);
}

}  // namespace

std::string render_junit(const BudgetResult& b)
{
	std::size_t failures = 0;
	for (const Check& c : b.checks)
		failures += c.passed() ? 0 : 1;
	std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
	const std::string counts =
		fmt::format(R"(tests="{}" failures="{}" errors="0" skipped="0" time="0")",
			    b.checks.size(), failures);
	fmt::format_to(std::back_inserter(out), "<testsuites name=\"rtnoise\" {}>\n", counts);
	fmt::format_to(std::back_inserter(out), "  <testsuite name=\"{}\" {}>\n",
		       escape("rtnoise budget " + b.file), counts);
	for (const Check& c : b.checks) {
		fmt::format_to(std::back_inserter(out),
			       "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n",
			       classname(c), escape(c.limit));
		if (c.passed())
			fmt::format_to(std::back_inserter(out),
				       "      <system-out>{}</system-out>\n",
				       escape(measured_text(c)));
		else
			out += failure(b, c);
		out += "    </testcase>\n";
	}
	out += "  </testsuite>\n</testsuites>\n";
	return out;
}

}  // namespace rtnoise
