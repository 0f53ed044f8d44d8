// SPDX-License-Identifier: GPL-2.0
// state_eq.hpp - where two partition states differ, for the targets that
// read and write the state file.
#pragma once

#include <string>

#include "fuzz.hpp"
#include "isolation/partition.hpp"

namespace fuzz {

// difference - "" if a and b are the same state, else the first field
// that differs.
inline std::string difference(const rtnoise::State& a, const rtnoise::State& b)
{
	using rtnoise::Change;
	if (a.by != b.by)
		return "by: " + shown(a.by) + " / " + shown(b.by);
	if (a.plan.cpus != b.plan.cpus)
		return "cpus: " + shown(a.plan.cpus) + " / " + shown(b.plan.cpus);
	if (a.plan.housekeeping != b.plan.housekeeping)
		return "housekeeping: " + shown(a.plan.housekeeping) + " / " +
		       shown(b.plan.housekeeping);
	if (a.plan.cgroup != b.plan.cgroup)
		return "cgroup: " + shown(a.plan.cgroup) + " / " + shown(b.plan.cgroup);
	if (a.plan.notes != b.plan.notes)
		return "notes";
	if (a.plan.changes.size() != b.plan.changes.size())
		return "the number of changes";
	for (std::size_t i = 0; i < a.plan.changes.size(); i++) {
		const Change& x = a.plan.changes[i];
		const Change& y = b.plan.changes[i];
		const std::string at = "change " + std::to_string(i) + " ";
		if (x.kind != y.kind)
			return at + "kind: " + rtnoise::change_kind_name(x.kind) + " / " +
			       rtnoise::change_kind_name(y.kind);
		if (x.target != y.target)
			return at + "target: " + shown(x.target) + " / " + shown(y.target);
		if (x.before != y.before)
			return at + "before: " + shown(x.before) + " / " + shown(y.before);
		if (x.after != y.after)
			return at + "after: " + shown(x.after) + " / " + shown(y.after);
		if (x.what != y.what)
			return at + "what: " + shown(x.what) + " / " + shown(y.what);
		if (x.start != y.start)
			return at + "start: " + std::to_string(x.start) + " / " +
			       std::to_string(y.start);
	}
	return "";
}

// round_trip - s written to a state file and read back is s, and the
// file is valid UTF-8 JSON that reads as s again.
inline void round_trip(const rtnoise::State& s, const std::string& about)
{
	std::string text;
	only_errors("state_to_json", {}, about, [&] { text = rtnoise::state_to_json(s); });
	FUZZ_CHECK(rtnoise::valid_utf8(text), "the state file is not UTF-8: " + about);
	rtnoise::State back;
	FUZZ_CHECK(only_errors("state_from_json", {}, text,
			       [&] { back = rtnoise::state_from_json(text); }),
		   "the state file written for " + about + " is refused");
	const std::string d = difference(s, back);
	FUZZ_CHECK(d.empty(), "the state file changed " + d + " of " + about);
	FUZZ_CHECK(rtnoise::state_to_json(back) == text, "written twice differently: " + about);
}

}  // namespace fuzz
