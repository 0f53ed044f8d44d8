// SPDX-License-Identifier: GPL-2.0
// fuzz_cmdline - parse_cmdline() of /proc/cmdline, isolcpus_cpus() and
// isolcpus_flags() of an isolcpus= value (host/procfs).
//
// Properties:
//  - parse_cmdline() never throws; every key is a blank-separated word
//    of the text, or its part before the first '='; keys and values hold
//    no blank; a key given twice keeps its last value;
//  - for every value (isolcpus= and the others, as a malformed isolcpus=
//    would be): isolcpus_cpus() accepts or refuses with a usage Error,
//    isolcpus_flags() never throws; the flags are non-empty words that
//    do not start with a digit; flags and CPUs written back as
//    "flag,flag,list" give the same flags and CPUs.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "host/procfs.hpp"

using namespace rtnoise;

namespace {

bool has_blank(const std::string& s)
{
	for (char c : s)
		if (std::isspace(static_cast<unsigned char>(c)))
			return true;
	return false;
}

void isolcpus(const std::string& value)
{
	CpuSet cpus;
	std::vector<std::string> flags;
	const bool ok = fuzz::only_errors("isolcpus_cpus", {Exit::usage}, value,
					  [&] { cpus = isolcpus_cpus(value); });
	fuzz::only_errors("isolcpus_flags", {}, value, [&] { flags = isolcpus_flags(value); });
	std::string joined;
	for (const std::string& f : flags) {
		FUZZ_CHECK(!f.empty() && !std::isdigit(static_cast<unsigned char>(f[0])) &&
				   f.find(',') == std::string::npos,
			   "flag " + fuzz::shown(f) + " of " + fuzz::shown(value));
		joined += f + ",";
	}
	if (!ok)
		return;
	FUZZ_CHECK(cpus.empty() || *cpus.rbegin() <= kMaxCpu, "CPUs of " + fuzz::shown(value));
	if (cpus.empty())
		return;
	const std::string again = joined + format_cpulist(cpus);
	CpuSet cpus2;
	std::vector<std::string> flags2;
	FUZZ_CHECK(fuzz::only_errors("isolcpus_cpus", {Exit::usage}, again,
				     [&] { cpus2 = isolcpus_cpus(again); }),
		   "refused " + fuzz::shown(again) + ", written back from " + fuzz::shown(value));
	flags2 = isolcpus_flags(again);
	FUZZ_CHECK(cpus2 == cpus && flags2 == flags,
		   fuzz::shown(value) + " and " + fuzz::shown(again) + " differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	Cmdline cmd;
	fuzz::only_errors("parse_cmdline", {}, text, [&] { cmd = parse_cmdline(text); });

	// The reference: words as the C locale's isspace() splits them.
	std::map<std::string, std::string> want;
	for (std::size_t i = 0; i < text.size();) {
		while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
			i++;
		std::size_t j = i;
		while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])))
			j++;
		if (j > i) {
			const std::string w = text.substr(i, j - i);
			const auto eq = w.find('=');
			want[w.substr(0, eq)] = eq == std::string::npos ? "" : w.substr(eq + 1);
		}
		i = j;
	}
	FUZZ_CHECK(cmd == want, "parse_cmdline of " + fuzz::shown(text) + " has " +
					std::to_string(cmd.size()) + " keys, not " +
					std::to_string(want.size()));
	for (const auto& [k, v] : cmd) {
		FUZZ_CHECK(!has_blank(k) && !has_blank(v) && k.find('=') == std::string::npos,
			   "key " + fuzz::shown(k) + " value " + fuzz::shown(v));
		isolcpus(v);
	}
	isolcpus(text);
	return 0;
}
