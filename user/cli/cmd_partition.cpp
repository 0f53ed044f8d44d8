// SPDX-License-Identifier: GPL-2.0
// cmd_partition.cpp - rtnoise partition: isolate CPUs now; undo it.
#include "cli/commands.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

void run_partition(const PartitionOptions& o)
{
	PartitionRequest r;
	if (!o.restore)
		r.cpus = parse_cpulist(o.isolate);
	r.restore = o.restore;
	r.dry_run = o.dry_run;
	r.state = o.state;
	require_root();
	partition(r);
}

}  // namespace

std::shared_ptr<PartitionOptions> setup_partition(CLI::App& app)
{
	auto o = std::make_shared<PartitionOptions>();
	auto* sub = app.add_subcommand("partition",
				       "Isolate CPUs now (cpuset, IRQs, kthreads, sysctls), "
				       "or put everything back");
	auto* iso = sub->add_option("--isolate", o->isolate, "CPUs to isolate")
			    ->check(cpulist_validator());
	auto* res = sub->add_flag("--restore", o->restore,
				  "Put back every value the last --isolate changed");
	sub->add_flag("--dry-run", o->dry_run, "Print the changes, make none");
	sub->add_option("--state", o->state, "Where prior values are kept")->capture_default_str();
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
