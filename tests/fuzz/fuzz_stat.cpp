// SPDX-License-Identifier: GPL-2.0
// fuzz_stat - parse_stat() of one /proc/<pid>/task/<tid>/stat line
// (host/procfs).
//
// Two properties on each input:
//  - the input as a line: parse_stat() returns false when the line is
//    malformed and never throws (procfs.hpp); when it returns true, the
//    comm is the escaped bytes between the first '(' and the last ')';
//  - the input as the values of a task: the line the kernel would print
//    for them (do_task_stat(): "%d (%s) %c" then numbers, a comm of any
//    bytes but NUL, ')' and blanks included) parses back to exactly
//    those values; and list_tasks() finds that task in a tree where it
//    is the only one, with those values.
#include <fuzzer/FuzzedDataProvider.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "host/procfs.hpp"

using namespace rtnoise;

namespace {

void as_line(const std::string& line)
{
	Task t;
	bool ok = false;
	fuzz::only_errors("parse_stat", {}, line, [&] { ok = parse_stat(line, t); });
	if (!ok)
		return;
	const auto open = line.find('('), close = line.rfind(')');
	FUZZ_CHECK(open != std::string::npos && close != std::string::npos && open < close,
		   "accepted a line without (comm): " + fuzz::shown(line));
	FUZZ_CHECK(valid_utf8(t.comm), "comm not escaped: " + fuzz::shown(line));
	FUZZ_CHECK(unescape_name(t.comm) == line.substr(open + 1, close - open - 1),
		   "comm " + fuzz::shown(t.comm) + " of " + fuzz::shown(line));
}

void as_task(const std::uint8_t* data, std::size_t size)
{
	FuzzedDataProvider in(data, size);
	std::string comm = in.ConsumeRandomLengthString(64);
	for (char& c : comm)
		if (c == '\0')
			c = '(';  // a comm holds no NUL
	const int pid = in.ConsumeIntegralInRange<int>(1, INT_MAX);
	const unsigned flags = in.ConsumeIntegral<unsigned>();
	const std::uint64_t start = in.ConsumeIntegral<std::uint64_t>();
	const int processor = in.ConsumeIntegralInRange<int>(0, INT_MAX);
	const unsigned rt_priority = in.ConsumeIntegral<unsigned>();
	const unsigned policy = in.ConsumeIntegral<unsigned>();
	const std::int64_t other = in.ConsumeIntegral<std::int64_t>();

	// Fields 3 to 52 as 6.1 prints them; the ones rtnoise reads are set.
	std::string line = std::to_string(pid) + " (" + comm + ") R";
	for (int field = 4; field <= 52; field++) {
		std::string v;
		switch (field) {
		case 9:
			v = std::to_string(flags);
			break;
		case 22:
			v = std::to_string(start);
			break;
		case 39:
			v = std::to_string(processor);
			break;
		case 40:
			v = std::to_string(rt_priority);
			break;
		case 41:
			v = std::to_string(policy);
			break;
		default:  // signed fields print negative values
			v = std::to_string(field % 7 == 0 ? other : field);
		}
		line += " " + v;
	}
	Task t;
	bool ok = false;
	fuzz::only_errors("parse_stat", {}, line, [&] { ok = parse_stat(line, t); });
	FUZZ_CHECK(ok, "refused the kernel's line " + fuzz::shown(line));
	FUZZ_CHECK(unescape_name(t.comm) == comm,
		   "comm " + fuzz::shown(t.comm) + " of " + fuzz::shown(comm));
	FUZZ_CHECK(t.kthread == ((flags & 0x00200000) != 0), "PF_KTHREAD of " + fuzz::shown(line));
	FUZZ_CHECK(t.pinned == ((flags & 0x04000000) != 0),
		   "PF_NO_SETAFFINITY of " + fuzz::shown(line));
	FUZZ_CHECK(t.start_time == start, "start time of " + fuzz::shown(line));
	FUZZ_CHECK(t.processor == processor, "processor of " + fuzz::shown(line));
	FUZZ_CHECK(t.rt_priority == rt_priority, "rt_priority of " + fuzz::shown(line));
	FUZZ_CHECK(t.policy == policy, "policy of " + fuzz::shown(line));

	// The kernel ends the line with a newline.
	const fs::path root = fuzz::scratch();
	const std::string dir = "proc/" + std::to_string(pid) + "/task/" + std::to_string(pid);
	fs::remove_all(root / "proc");
	fuzz::put(root, dir + "/stat", line + "\n");
	fuzz::put(root, dir + "/status", "Name:\tx\nCpus_allowed_list:\t0-3\n");
	std::vector<Task> tasks;
	fuzz::only_errors("list_tasks", {}, line, [&] { tasks = list_tasks(root); });
	FUZZ_CHECK(tasks.size() == 1, "list_tasks found " + std::to_string(tasks.size()) +
					      " tasks for " + fuzz::shown(line));
	FUZZ_CHECK(tasks[0].pid == pid && tasks[0].tid == pid && tasks[0].comm == t.comm &&
			   tasks[0].start_time == start && tasks[0].allowed == (CpuSet{0, 1, 2, 3}),
		   "list_tasks read " + fuzz::shown(tasks[0].comm) + " for " + fuzz::shown(line));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	as_line(std::string(reinterpret_cast<const char*>(data), size));
	as_task(data, size);
	return 0;
}
