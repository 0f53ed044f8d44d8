// SPDX-License-Identifier: GPL-2.0
// render.hpp - a Snapshot as text, JSON, cyclictest histogram output or an
// HTML page.
//
// render/ is pure: it prints the model as it is, computing nothing that
// analysis/ decides (remedies, spans, causes), so every format is unit
// tested. One file per format: a new format is a new file. It includes
// model/ and util/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace rtnoise {

enum class Format { text, json, cyclictest, html };

struct RenderOptions {
	Format format = Format::text;
	LatType cyclictest_type = LatType::thread;  // column source
	std::size_t top_spikes = 10;		    // text and html
};

std::string render(const Snapshot& s, const RenderOptions& opt);

std::string render_text(const Snapshot& s, std::size_t top_spikes);
std::string render_json(const Snapshot& s);
// render_cyclictest - byte for byte what `cyclictest -h N -q` prints
// after a run, one column per watched CPU (thread N = N-th CPU).
std::string render_cyclictest(const Snapshot& s, LatType type);
// render_html - one self-contained page: inline CSS and SVG, nothing
// fetched; the largest top_spikes spikes in a table.
std::string render_html(const Snapshot& s, std::size_t top_spikes);

// render_progress - the line `attach --duration` shows on a terminal:
// elapsed and remaining seconds and each CPU's worst thread and IRQ
// latency so far, cut to fit width columns (0: no limit).
std::string render_progress(std::uint64_t elapsed_ns, std::uint64_t total_ns,
			    const std::vector<CpuResult>& cpus, std::size_t width);

}  // namespace rtnoise
