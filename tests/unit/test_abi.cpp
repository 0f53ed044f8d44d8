// SPDX-License-Identifier: GPL-2.0
// The ioctl ABI must have one layout everywhere: no implicit padding,
// 64-bit fields 8-aligned, sizes fixed (they are part of the ioctl numbers).
#include <gtest/gtest.h>

#include <cstddef>

#include "../../kmod/rtnoise_abi.h"

TEST(Abi, StructSizesAreFixed)
{
	EXPECT_EQ(sizeof(rtnoise_info), 64u);
	EXPECT_EQ(sizeof(rtnoise_config), 48u);
	EXPECT_EQ(sizeof(rtnoise_cpu_stats), 96u);
	EXPECT_EQ(sizeof(rtnoise_spike), 56u);
	EXPECT_EQ(sizeof(rtnoise_spikes), 56u);
}

TEST(Abi, VersionLeadsEveryRequest)
{
	EXPECT_EQ(offsetof(rtnoise_info, abi_version), 0u);
	EXPECT_EQ(offsetof(rtnoise_config, abi_version), 0u);
	EXPECT_EQ(offsetof(rtnoise_cpu_stats, abi_version), 0u);
	EXPECT_EQ(offsetof(rtnoise_spikes, abi_version), 0u);
}

TEST(Abi, SixtyFourBitFieldsAreAligned)
{
	EXPECT_EQ(offsetof(rtnoise_info, period_ns) % 8, 0u);
	EXPECT_EQ(offsetof(rtnoise_info, start_ns) % 8, 0u);
	EXPECT_EQ(offsetof(rtnoise_config, period_ns), 8u);
	EXPECT_EQ(offsetof(rtnoise_config, cpumask_ptr), 40u);
	EXPECT_EQ(offsetof(rtnoise_cpu_stats, hist_ptr), 16u);
	EXPECT_EQ(offsetof(rtnoise_cpu_stats, count), 24u);
	EXPECT_EQ(offsetof(rtnoise_cpu_stats, flags), 80u);
	EXPECT_EQ(offsetof(rtnoise_spike, cpu), 32u);
	EXPECT_EQ(offsetof(rtnoise_spikes, from_seq), 16u);
	EXPECT_EQ(offsetof(rtnoise_spikes, returned), 48u);
}

TEST(Abi, IoctlNumbersEncodeDirectionAndSize)
{
	EXPECT_EQ(_IOC_TYPE(RTNOISE_IOC_START), RTNOISE_IOC_MAGIC);
	EXPECT_EQ(_IOC_SIZE(RTNOISE_IOC_START), sizeof(rtnoise_config));
	EXPECT_EQ(_IOC_DIR(RTNOISE_IOC_START), unsigned(_IOC_WRITE));
	EXPECT_EQ(_IOC_DIR(RTNOISE_IOC_CPU_STATS), unsigned(_IOC_READ | _IOC_WRITE));
	EXPECT_EQ(_IOC_NR(RTNOISE_IOC_SPIKES), 5u);
	EXPECT_EQ(_IOC_SIZE(RTNOISE_IOC_STOP), 0u);
}

TEST(Abi, BoundsAreConsistent)
{
	EXPECT_LT(RTNOISE_PERIOD_MIN_NS, RTNOISE_PERIOD_MAX_NS);
	EXPECT_EQ(RTNOISE_SPIKES_MAX & (RTNOISE_SPIKES_MAX - 1), 0u);
	EXPECT_EQ(RTNOISE_SPIKES_MIN & (RTNOISE_SPIKES_MIN - 1), 0u);
	EXPECT_EQ(RTNOISE_CPUMASK_MAX_BYTES % 8, 0u);
}
