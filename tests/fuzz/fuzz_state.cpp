// SPDX-License-Identifier: GPL-2.0
// fuzz_state - the partition state file (isolation/state.cpp):
// state_from_json() and state_to_json().
//
// Two properties on each input:
//  - the input as a state file: state_from_json() accepts it or refuses
//    it with a system Error (damaged, or of another version: status 3,
//    and detach keeps the file), nothing else; what it accepts, written
//    again and read back, is the same state, in a file that is UTF-8;
//  - the input as a state: any bytes in every string (a swap file's
//    path, a comm), any kinds, CPUs and start times, a task's thread ID,
//    written and read back, are the same state.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz.hpp"
#include "isolation/partition.hpp"
#include "state_eq.hpp"

using namespace rtnoise;

namespace {

CpuSet some_cpus(FuzzedDataProvider& in)
{
	CpuSet cpus;
	const int n = in.ConsumeIntegralInRange(0, 6);
	for (int i = 0; i < n; i++)
		cpus.insert(in.ConsumeIntegralInRange<unsigned>(0, kMaxCpu));
	return cpus;
}

void as_state(const std::uint8_t* data, std::size_t size)
{
	FuzzedDataProvider in(data, size);
	State s;
	s.by = in.ConsumeBool() ? "partition" : in.ConsumeRandomLengthString(16);
	s.plan.cpus = some_cpus(in);
	s.plan.housekeeping = some_cpus(in);
	s.plan.cgroup = in.ConsumeRandomLengthString(8);
	const int changes = in.ConsumeIntegralInRange(0, 8);
	for (int i = 0; i < changes; i++) {
		Change c;
		c.kind = static_cast<Change::Kind>(in.ConsumeIntegralInRange(0, 6));
		c.target = in.ConsumeRandomLengthString(32);
		// A task's change names its thread ID, then maybe ":comm" (a
		// state file that does not is damaged: the first property).
		if (c.kind == Change::Kind::affinity || c.kind == Change::Kind::sched ||
		    c.kind == Change::Kind::move)
			c.target = std::to_string(in.ConsumeIntegralInRange(1, 4194304)) +
				   (in.ConsumeBool() ? ":" + c.target : "");
		c.before = in.ConsumeRandomLengthString(16);
		c.after = in.ConsumeRandomLengthString(16);
		c.what = in.ConsumeRandomLengthString(32);
		c.start = in.ConsumeIntegral<std::uint64_t>();
		// What no partition changes is never written (the reader
		// refuses it): only the others must round-trip.
		if (partition_makes(c))
			s.plan.changes.push_back(c);
	}
	const int notes = in.ConsumeIntegralInRange(0, 3);
	for (int i = 0; i < notes; i++)
		s.plan.notes.push_back(in.ConsumeRandomLengthString(32));
	fuzz::round_trip(s, "a state from the input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	State s;
	if (fuzz::only_errors("state_from_json", {Exit::system}, text,
			      [&] { s = state_from_json(text); }))
		fuzz::round_trip(s, "the state read from " + fuzz::shown(text));
	as_state(data, size);
	return 0;
}
