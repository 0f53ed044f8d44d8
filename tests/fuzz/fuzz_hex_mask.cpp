// SPDX-License-Identifier: GPL-2.0
// fuzz_hex_mask - parse_hex_mask() and format_hex_mask() (host/procfs):
// smp_affinity, default_smp_affinity, the workqueue cpumask,
// IRQBALANCE_BANNED_CPUS.
//
// Properties:
//  - parse_hex_mask() never throws;
//  - with n hexadecimal digits in the text, no CPU is 4n or above, and
//    the CPUs are exactly the set bits of the digits, the last digit
//    holding CPUs 0-3;
//  - format_hex_mask() writes comma-separated groups of 8 lower-case
//    digits, as many as nr_cpus needs, that parse back to the CPUs below
//    that many groups' bits;
//  - the input read as a CPU list instead gives the same CPUs through a
//    mask as through the list.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz.hpp"
#include "host/procfs.hpp"

using namespace rtnoise;

namespace {

int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void formats(const CpuSet& cpus, unsigned nr_cpus, const std::string& about)
{
	std::string f;
	fuzz::only_errors("format_hex_mask", {}, about,
			  [&] { f = format_hex_mask(cpus, nr_cpus); });
	const std::size_t groups = nr_cpus ? (nr_cpus + 31) / 32 : 1;
	FUZZ_CHECK(f.size() == groups * 9 - 1, "format_hex_mask(" + fuzz::shown(cpus) + ", " +
						       std::to_string(nr_cpus) + ") = " + f);
	for (std::size_t i = 0; i < f.size(); i++)
		FUZZ_CHECK(i % 9 == 8 ? f[i] == ','
				      : (digit(f[i]) >= 0 && !(f[i] >= 'A' && f[i] <= 'F')),
			   "format_hex_mask wrote " + f);
	CpuSet below;
	for (unsigned c : cpus)
		if (c < groups * 32)
			below.insert(c);
	CpuSet back;
	fuzz::only_errors("parse_hex_mask", {}, f, [&] { back = parse_hex_mask(f); });
	FUZZ_CHECK(back == below, about + ": " + f + " read back as " + fuzz::shown(back));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	CpuSet cpus;
	fuzz::only_errors("parse_hex_mask", {}, text, [&] { cpus = parse_hex_mask(text); });

	CpuSet want;
	unsigned bit = 0;
	for (auto it = text.rbegin(); it != text.rend(); ++it) {
		const int d = digit(*it);
		if (d < 0)
			continue;
		for (unsigned b = 0; b < 4; b++)
			if (d >> b & 1)
				want.insert(bit + b);
		bit += 4;
	}
	FUZZ_CHECK(cpus == want, fuzz::shown(text) + " read as " + fuzz::shown(cpus));
	FUZZ_CHECK(cpus.empty() || *cpus.rbegin() < bit, "a CPU beyond the digits");

	const unsigned nr = cpus.empty() ? 0 : *cpus.rbegin() + 1;
	formats(cpus, nr, fuzz::shown(text));
	formats(cpus, nr / 2, fuzz::shown(text) + ", half the CPUs");

	CpuSet list;
	if (fuzz::only_errors("parse_cpulist", {Exit::usage}, text,
			      [&] { list = parse_cpulist(text, true); }))
		formats(list, kMaxCpu + 1, "the list " + fuzz::shown(text));
	return 0;
}
