// SPDX-License-Identifier: GPL-2.0
// render.hpp - a Snapshot as text, JSON, cyclictest histogram output, an
// HTML page or the Prometheus text exposition; a spike as one JSON line.
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
#include <string_view>

#include "model/snapshot.hpp"

namespace rtnoise {

enum class Format { text, json, cyclictest, html, prometheus };

struct RenderOptions {
	Format format = Format::text;
	LatType cyclictest_type = LatType::thread;  // column source
	std::size_t top_spikes = 10;		    // text and html
	// CLOCK_REALTIME minus CLOCK_MONOTONIC, for the times of the
	// prometheus format and of spike lines (render/ reads no clock).
	std::int64_t realtime_offset_ns = 0;
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

// render_prometheus - the text exposition format 0.0.4: per CPU and
// latency type a histogram (`rtnoise_latency_seconds`) on a 1-2-5 µs
// ladder up to the model's histogram size, the maxima, spikes, the
// sampler's state, per source the noise as counters, events lost.
// realtime_offset_ns turns the start into seconds since the epoch.
std::string render_prometheus(const Snapshot& s, std::int64_t realtime_offset_ns);
// prometheus_label_value - bytes as a label value: valid UTF-8 (else
// escaped as escape_name() does), with \\, \" and \n escaped.
std::string prometheus_label_value(std::string_view bytes);

// render_spike_line - one spike as one line of JSON (the object of the
// report's spikes[], with its seq and, from realtime_offset_ns, `time`
// in RFC 3339 UTC), ending in a newline.
std::string render_spike_line(const Spike& sp, bool attributed, std::int64_t realtime_offset_ns);

}  // namespace rtnoise
