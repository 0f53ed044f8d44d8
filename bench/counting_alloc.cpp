// SPDX-License-Identifier: GPL-2.0
// counting_alloc.cpp - the global operator new and delete replaced by
// ones that count what is live (malloc_usable_size() of each block) and
// its peak: linked into each benchmark that reports memory.
#include "counting_alloc.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace rtnoise::bench {

std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};

double maxrss_mib()
{
	rusage u{};
	getrusage(RUSAGE_SELF, &u);
	return static_cast<double>(u.ru_maxrss) * 1024.0 / kMiB;
}

}  // namespace rtnoise::bench

namespace {

using rtnoise::bench::g_live;
using rtnoise::bench::g_peak;

void counted(void* p)
{
	const auto n = static_cast<std::int64_t>(malloc_usable_size(p));
	const std::int64_t now = g_live.fetch_add(n, std::memory_order_relaxed) + n;
	std::int64_t peak = g_peak.load(std::memory_order_relaxed);
	while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
	}
}

void uncounted(void* p)
{
	g_live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
			 std::memory_order_relaxed);
}

void* allocate(std::size_t n, std::size_t align)
{
	void* p = align > alignof(std::max_align_t)
			  ? std::aligned_alloc(align, (n + align - 1) / align * align)
			  : std::malloc(n ? n : 1);
	if (!p)
		throw std::bad_alloc();
	counted(p);
	return p;
}

void release(void* p) noexcept
{
	if (!p)
		return;
	uncounted(p);
	std::free(p);
}

}  // namespace

void* operator new(std::size_t n)
{
	return allocate(n, 0);
}
void* operator new[](std::size_t n)
{
	return allocate(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a)
{
	return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a)
{
	return allocate(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept
{
	release(p);
}
void operator delete[](void* p) noexcept
{
	release(p);
}
void operator delete(void* p, std::size_t) noexcept
{
	release(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
	release(p);
}
void operator delete(void* p, std::align_val_t) noexcept
{
	release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept
{
	release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept
{
	release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept
{
	release(p);
}
