// SPDX-License-Identifier: GPL-2.0
// stacks.cpp - a blocking stack as the report shows it.
#include "analysis/attribution.hpp"

namespace rtnoise {

std::vector<std::string> symbolize_stack(const std::vector<std::uint64_t>& ips, const Ksyms& ksyms)
{
	std::vector<std::string> frames;
	frames.reserve(ips.size());
	for (std::uint64_t ip : ips)
		frames.push_back(ksyms.frame_of(ip));
	// The innermost frames are rtnoise's own way in: taken when the
	// sampler's timer interrupted the cause, what it interrupted starts
	// after the interrupt's entry code; taken when the cause left the
	// CPU to the sampler's thread, its stack starts at __schedule.
	for (std::size_t i = 0; i < frames.size(); i++) {
		if (frames[i].rfind("asm_sysvec_", 0) == 0) {
			frames.erase(frames.begin(), frames.begin() + static_cast<long>(i) + 1);
			if (frames.empty())
				frames.emplace_back("(user space)");
			return frames;
		}
	}
	for (std::size_t i = 0; i < frames.size(); i++) {
		if (frames[i].rfind("__schedule+", 0) == 0) {
			frames.erase(frames.begin(), frames.begin() + static_cast<long>(i));
			break;
		}
	}
	return frames;
}

}  // namespace rtnoise
