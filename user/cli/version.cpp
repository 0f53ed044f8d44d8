// SPDX-License-Identifier: GPL-2.0
// version.cpp - what `rtnoise --version` prints.
#include <string>

#include "cli/commands.hpp"
#include "rtnoise_version.h"  // generated into the build tree by cmake/version.cmake
#include "sampler/module.hpp"
#include "tracer/tracer.hpp"

namespace rtnoise {

namespace {

// bpf_text - what the running kernel offers the BPF side, and what an
// attach here would lose (probed: loading the probes needs root).
std::string bpf_text()
{
	const BpfFeatures k = probe_bpf_features();
	auto yes = [](bool b) { return b ? "yes" : "no"; };
	std::string s = "BPF: tp_btf " + std::string(yes(k.tp_btf)) + ", IPI senders " +
			(k.ipi_tracepoints ? "ipi_send_* tracepoints"
			 : k.fentry_ipi	   ? "fentry"
					   : "none");
	if (!k.privileged)
		return s + "; fetching atomics and bpf_loop not probed (needs root)\n";
	s += ", fetching atomics " + std::string(yes(k.fetch_atomics)) + ", bpf_loop " +
	     yes(k.bpf_loop) + "\n";
	for (const TraceLimit& l : trace_limits(bpf_limits(k), {}))
		s += "BPF limit (" + l.name + "): " + l.effect + "\n";
	return s;
}

}  // namespace

std::string version_text(const fs::path& root)
{
	// The first line is what help2man and packaging tools read.
	std::string s = "rtnoise " RTNOISE_VERSION "\n";
	s += "git revision: " RTNOISE_GIT_REVISION "\n";
	s += "ioctl ABI: " + std::to_string(abi_version()) + "\n";
	s += bpf_text();
	s += "rtnoise.ko: ";
	auto mod = loaded_module(root);
	if (!mod)
		return s + "not loaded";
	s += mod->version.empty() ? "loaded (no version: built before rtnoise 0.1.0)"
				  : mod->version + " loaded";
	if (!mod->abi)
		return s + ", ABI not shown";
	s += ", ABI " + std::to_string(*mod->abi);
	if (*mod->abi != abi_version())
		s += " (this rtnoise speaks ABI " + std::to_string(abi_version()) +
		     ": 'rmmod rtnoise' and load the module of the same release)";
	return s;
}

}  // namespace rtnoise
