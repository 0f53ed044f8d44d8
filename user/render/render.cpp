// SPDX-License-Identifier: GPL-2.0
#include "render/render.hpp"

#include <ostream>
#include <stdexcept>

namespace rtnoise {

std::string render(const Snapshot& s, const RenderOptions& opt)
{
	switch (opt.format) {
	case Format::json:
		return render_json(s, opt.budget);
	case Format::cyclictest_json:
		return render_cyclictest_json(s, opt.cyclictest_type, opt.cyclictest);
	case Format::cyclictest:
		return render_cyclictest(s, opt.cyclictest_type);
	case Format::html:
		return render_html(s, opt.top_spikes);
	case Format::prometheus:
		// The series are analysis/'s (metrics_of()): render/ prints them.
		if (!opt.metrics)
			throw std::logic_error("render: the prometheus format without its series");
		return render_prometheus(s, *opt.metrics, opt.realtime_offset_ns);
	case Format::junit:
		return render_junit(opt.budget ? *opt.budget : BudgetResult{});
	default:
		return render_text(s, opt.top_spikes, opt.budget);
	}
}

void render(std::ostream& out, const Snapshot& s, const RenderOptions& opt)
{
	switch (opt.format) {
	case Format::json:
		render_json(out, s, opt.budget);
		return;
	case Format::html:
		render_html(out, s, opt.top_spikes);
		return;
	default:
		out << render(s, opt);
	}
}

}  // namespace rtnoise
