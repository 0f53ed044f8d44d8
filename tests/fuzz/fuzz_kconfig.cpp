// SPDX-License-Identifier: GPL-2.0
// fuzz_kconfig - read_kernel_config() (host/procfs): the input is the
// kernel's configuration, once as <root>/boot/config-<release> and once
// gzip'd as <root>/proc/config.gz.
//
// Properties:
//  - read_kernel_config() never throws, finds the file and names it;
//  - both files give the same values;
//  - the values are the reference's: every line "CONFIG_NAME=value",
//    the last one of a name winning, a value in double quotes without
//    them; "# CONFIG_X is not set" and anything else is no value;
//  - enabled(name) is true exactly for y and m.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "fuzz.hpp"
#include "host/procfs.hpp"

using namespace rtnoise;

namespace {

const char* kRelease = "6.1.0-fuzz";

std::map<std::string, std::string> reference(const std::string& text)
{
	std::map<std::string, std::string> out;
	std::size_t start = 0;
	while (start < text.size()) {
		std::size_t nl = text.find('\n', start);
		std::string l = text.substr(start, nl == std::string::npos ? nl : nl - start);
		start = nl == std::string::npos ? text.size() : nl + 1;
		if (l.compare(0, 7, "CONFIG_") != 0)
			continue;
		const auto eq = l.find('=');
		if (eq == std::string::npos)
			continue;
		std::string v = l.substr(eq + 1);
		if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
			v = v.substr(1, v.size() - 2);
		out[l.substr(7, eq - 7)] = v;
	}
	return out;
}

KernelConfig read(const fs::path& root, const std::string& text)
{
	KernelConfig c;
	fuzz::only_errors("read_kernel_config", {}, text, [&] { c = read_kernel_config(root); });
	return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	const fs::path boot = fuzz::scratch() / "boot", gz = fuzz::scratch() / "gz";

	fuzz::put(boot, "proc/sys/kernel/osrelease", std::string(kRelease) + "\n");
	fuzz::put(boot, std::string("boot/config-") + kRelease, text);
	const KernelConfig a = read(boot, text);

	fs::create_directories(gz / "proc");
	gzFile f = gzopen((gz / "proc/config.gz").c_str(), "wb");
	if (!f ||
	    gzwrite(f, text.data(), static_cast<unsigned>(text.size())) !=
		    static_cast<int>(text.size()) ||
	    gzclose(f) != Z_OK)
		std::abort();
	const KernelConfig b = read(gz, text);

	FUZZ_CHECK(a.found && a.source == std::string("/boot/config-") + kRelease,
		   "the file in /boot: found " + std::to_string(a.found) + " as " + a.source);
	FUZZ_CHECK(b.found && b.source == "/proc/config.gz",
		   "/proc/config.gz: found " + std::to_string(b.found) + " as " + b.source);
	FUZZ_CHECK(a.values == b.values,
		   "/boot and /proc/config.gz differ on " + fuzz::shown(text));
	FUZZ_CHECK(a.values == reference(text), "the values of " + fuzz::shown(text));
	for (const auto& [k, v] : a.values)
		FUZZ_CHECK(a.enabled(k) == (v == "y" || v == "m"),
			   "enabled(" + fuzz::shown(k) + ") with " + fuzz::shown(v));
	return 0;
}
