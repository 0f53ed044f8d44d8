// SPDX-License-Identifier: GPL-2.0
// fuzz_check - `rtnoise check` (run_checks and its rendering) on a
// captured host tree whose files the input rewrites (fuzz_tree.hpp):
// every reader of /proc, /sys, /boot and /etc the rules call, with the
// files they read in the state the rules see them.
//
// Properties:
//  - run_checks() returns or throws an Error of status 2 or 3 (check
//    exits 2 for both), nothing else;
//  - every finding has an id "family.rule", a what, and a fix unless
//    it passed; the CPUs audited are not housekeeping;
//  - the text and the JSON report render; the JSON parses, has every
//    finding, and its summary counts them.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz.hpp"
#include "fuzz_tree.hpp"
#include "isolation/check.hpp"

using namespace rtnoise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static fuzz::Tree tree;
	const std::string input(reinterpret_cast<const char*>(data), size);
	tree.rewrite(input);
	CheckResult r;
	const bool ok = fuzz::only_errors("run_checks", {Exit::usage, Exit::system}, input,
					  [&] { r = run_checks(tree.root(), std::nullopt); });
	tree.reset();
	if (!ok)
		return 0;

	FUZZ_CHECK(!r.cpus.empty() && !intersects(r.cpus, r.housekeeping),
		   "audited " + fuzz::shown(r.cpus) + " with housekeeping " +
			   fuzz::shown(r.housekeeping));
	int n[3] = {0, 0, 0};
	for (const Finding& f : r.findings) {
		const auto dot = f.id.find('.');
		FUZZ_CHECK(dot != std::string::npos && dot > 0 && dot + 1 < f.id.size(),
			   "finding id " + fuzz::shown(f.id));
		FUZZ_CHECK(!f.what.empty(), "finding " + f.id + " says nothing");
		FUZZ_CHECK(f.verdict != Verdict::pass || f.fix.empty(),
			   "finding " + f.id + " passed with a fix");
		n[static_cast<int>(f.verdict)]++;
	}

	std::string text, json;
	fuzz::only_errors("render_check_text", {}, input, [&] { text = render_check_text(r); });
	fuzz::only_errors("render_check_json", {}, input, [&] { json = render_check_json(r); });
	FUZZ_CHECK(valid_utf8(json), "the JSON report is not UTF-8");
	nlohmann::json j;
	try {
		j = nlohmann::json::parse(json);
	} catch (const nlohmann::json::exception& e) {
		FUZZ_CHECK(false, std::string("the JSON report does not parse: ") + e.what());
	}
	FUZZ_CHECK(j.at("findings").size() == r.findings.size(), "the JSON report lost findings");
	FUZZ_CHECK(j.at("summary").at("pass") == n[0] && j.at("summary").at("warn") == n[1] &&
			   j.at("summary").at("fail") == n[2],
		   "the JSON summary does not count the findings");
	FUZZ_CHECK(text.find(std::to_string(n[2]) + " failed\n") != std::string::npos,
		   "the text report does not count the failures");
	return 0;
}
