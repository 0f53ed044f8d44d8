// SPDX-License-Identifier: GPL-2.0
// render.hpp - a Snapshot as text, JSON or cyclictest histogram output.
//
// render/ is pure: it prints the model as it is, computing nothing that
// analysis/ decides (remedies, spans, causes), so every format is unit
// tested. One file per format: a new format is a new file. It includes
// model/ and util/.
#pragma once

#include <cstddef>
#include <string>

#include "model/snapshot.hpp"

namespace rtnoise {

enum class Format { text, json, cyclictest };

struct RenderOptions {
	Format format = Format::text;
	LatType cyclictest_type = LatType::thread;  // column source
	std::size_t top_spikes = 10;		    // text only
};

std::string render(const Snapshot& s, const RenderOptions& opt);

std::string render_text(const Snapshot& s, std::size_t top_spikes);
std::string render_json(const Snapshot& s);
// render_cyclictest - byte for byte what `cyclictest -h N -q` prints
// after a run, one column per watched CPU (thread N = N-th CPU).
std::string render_cyclictest(const Snapshot& s, LatType type);

}  // namespace rtnoise
