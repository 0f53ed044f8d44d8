// SPDX-License-Identifier: GPL-2.0
// cmd_partition.cpp - rtnoise partition: isolate CPUs now; undo it.
#include <iostream>

#include "commands.hpp"
#include "cpulist.hpp"
#include "error.hpp"
#include "host.hpp"
#include "partition.hpp"

namespace rtnoise {
namespace {

void print_plan(const Plan& p, std::ostream& out)
{
	std::size_t moves = 0;
	for (const Change& c : p.changes) {
		if (c.kind == Change::Kind::move) {
			moves++;
			continue;
		}
		if (c.kind == Change::Kind::affinity && c.before == c.after)
			continue;	// remembered, not changed
		out << "  " << c.what;
		if (!c.before.empty() && c.kind != Change::Kind::mkdir)
			out << " (was " << c.before << ")";
		out << "\n";
	}
	if (moves)
		out << "  move " << moves << " user threads to the housekeeping cpuset\n";
	for (const std::string& n : p.notes)
		out << "  note: " << n << "\n";
}

void run_partition(const PartitionOptions& o)
{
	require_root();
	// The check for a partition, the state file and the changes happen
	// under one lock, so two of these never interleave.
	std::optional<StateLock> lock;
	if (o.restore || !o.dry_run)
		lock.emplace(fs::absolute(o.state).parent_path());
	if (o.restore) {
		if (!fs::exists(o.state)) {
			std::cerr << "rtnoise: nothing to restore (no " << o.state << ")\n";
			return;
		}
		Outcome r = restore_state("/", o.state);
		std::cerr << "rtnoise: restored " << r.done << " values\n";
		for (const std::string& s : r.skipped)
			std::cerr << "rtnoise: left alone: " << s << "\n";
		for (const std::string& f : r.failed)
			std::cerr << "rtnoise: could not restore " << f << "\n";
		if (!r.failed.empty())
			throw system_error(std::to_string(r.failed.size()) +
					   " values could not be restored (listed above); " +
					   o.state + " keeps them: fix the cause and run "
					   "'rtnoise partition --restore' again");
		return;
	}
	isolate(parse_cpulist(o.isolate), o.dry_run, "partition", o.state);
}

}  // namespace

void refuse_if_partitioned(const std::string& state_path)
{
	if (!fs::exists(state_path))
		return;
	State s = state_from_json(read_file(state_path).value_or(""));
	throw system_error("CPUs " + format_cpulist(s.plan.cpus) +
			   " are already partitioned (by rtnoise " + s.by +
			   "): run 'rtnoise partition --restore' first");
}

void isolate(const CpuSet& cpus, bool dry_run, const std::string& by,
	     const std::string& state_path)
{
	check_watchable("/", cpus);
	if (!dry_run)
		refuse_if_partitioned(state_path);
	State s{by, plan_partition("/", cpus)};
	if (dry_run) {
		std::cout << "would isolate CPUs " << format_cpulist(cpus)
			  << " (housekeeping " << format_cpulist(s.plan.housekeeping)
			  << ", cgroup " << s.plan.cgroup << "):\n";
		print_plan(s.plan, std::cout);
		return;
	}
	Outcome r = apply_plan("/", state_path, s);
	std::cerr << "rtnoise: isolated CPUs " << format_cpulist(cpus) << ": "
		  << r.done << " changes made, prior values in " << state_path
		  << " ('rtnoise partition --restore' undoes them)\n";
	for (const std::string& s : r.skipped)
		std::cerr << "rtnoise: left alone: " << s << "\n";
	for (const std::string& f : r.failed)
		std::cerr << "rtnoise: could not: " << f << "\n";
	for (const std::string& n : s.plan.notes)
		std::cerr << "rtnoise: note: " << n << "\n";
}

std::shared_ptr<PartitionOptions> setup_partition(CLI::App& app)
{
	auto o = std::make_shared<PartitionOptions>();
	auto* sub = app.add_subcommand(
		"partition", "Isolate CPUs now (cpuset, IRQs, kthreads, sysctls), "
			     "or put everything back");
	auto* iso = sub->add_option("--isolate", o->isolate, "CPUs to isolate")
			    ->check(cpulist_validator());
	auto* res = sub->add_flag("--restore", o->restore,
				  "Put back every value the last --isolate changed");
	sub->add_flag("--dry-run", o->dry_run, "Print the changes, make none");
	sub->add_option("--state", o->state, "Where prior values are kept")
		->capture_default_str();
	iso->excludes(res);
	sub->require_option(1, 3);
	sub->callback([o, sub] {
		if (o->isolate.empty() && !o->restore)
			throw usage_error("partition needs --isolate LIST or --restore");
		(void)sub;
		run_partition(*o);
	});
	return o;
}

}  // namespace rtnoise
