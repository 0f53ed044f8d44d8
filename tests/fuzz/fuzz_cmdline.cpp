// SPDX-License-Identifier: GPL-2.0
// fuzz_cmdline - parse_cmdline() of /proc/cmdline, isolcpus_cpus() and
// isolcpus_flags() of an isolcpus= value (host/procfs).
//
// Properties:
//  - parse_cmdline() never throws and gives what the kernel's
//    parse_args() would: the reference below is lib/cmdline.c's
//    next_arg() transcribed on a C string (quotes, the kernel's blanks,
//    "--"); a key given twice keeps its last value;
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

	// The reference: the kernel's next_arg() on a NUL-terminated copy
	// (a NUL ends the kernel's command line too), with parse_args()'s
	// loop around it.
	std::map<std::string, std::string> want;
	std::vector<char> buf(text.begin(), text.end());
	buf.push_back('\0');
	auto space = [](char c) {
		const unsigned char u = static_cast<unsigned char>(c);
		return u == ' ' || (u >= 9 && u <= 13) || u == 0xa0;
	};
	char* args = buf.data();
	while (space(*args))
		args++;
	while (*args) {
		unsigned int i = 0;
		unsigned int equals = 0;
		int in_quote = 0;
		int quoted = 0;
		if (*args == '"') {
			args++;
			in_quote = 1;
			quoted = 1;
		}
		for (i = 0; args[i]; i++) {
			if (space(args[i]) && !in_quote)
				break;
			if (equals == 0 && args[i] == '=')
				equals = i;
			if (args[i] == '"')
				in_quote = !in_quote;
		}
		char* param = args;
		char* val = nullptr;
		if (equals) {
			args[equals] = '\0';
			val = args + equals + 1;
			if (*val == '"') {
				val++;
				if (args[i - 1] == '"')
					args[i - 1] = '\0';
			}
		}
		if (quoted && i > 0 && args[i - 1] == '"')
			args[i - 1] = '\0';
		if (args[i]) {
			args[i] = '\0';
			args += i + 1;
		} else {
			args += i;
		}
		while (space(*args))
			args++;
		if (!val && std::string(param) == "--")
			break;
		if (*param)
			want[param] = val ? val : "";
	}
	FUZZ_CHECK(cmd == want, "parse_cmdline of " + fuzz::shown(text) + " has " +
					std::to_string(cmd.size()) + " keys, not " +
					std::to_string(want.size()));
	for (const auto& [k, v] : cmd)
		isolcpus(v);
	isolcpus(text);
	return 0;
}
