// SPDX-License-Identifier: GPL-2.0
// cmd_monitor.cpp - rtnoise monitor: attach and export, until stopped.
#include "app/monitor.hpp"
#include "cli/commands.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

void run_monitor(const MonitorOptions& o)
{
	MonitorRequest r = make_monitor_request(o);
	require_root();
	monitor(r);
}

}  // namespace

MonitorRequest make_monitor_request(const MonitorOptions& o)
{
	AttachOptions a;
	a.cpus = o.cpus;
	a.period = o.period;
	a.threshold = o.threshold;
	MonitorRequest r;
	r.attach.sampler = make_sampler_config(a);
	if (!o.module.empty())
		r.attach.module = o.module;
	r.attach.no_sampler = o.no_sampler;
	r.attach.hint = false;	// the monitor detaches when it stops
	r.report.workload = parse_workload(o.workload);
	// An attach of its own measures the workload too.
	r.attach.report.workload = r.report.workload;
	r.report.render.format = Format::prometheus;
	r.report.metrics_sources = o.metrics_sources;
	if (!o.listen.empty())
		r.listen = parse_listen(o.listen);
	if (!o.textfile.empty())
		check_textfile_path(o.textfile);
	r.textfile = o.textfile;
	r.spike_log = o.spike_log;
	r.interval_ns = parse_interval(o.interval);
	r.on_spike = make_spike_action(o.on_spike);
	return r;
}

std::shared_ptr<MonitorOptions> setup_monitor(CLI::App& app)
{
	auto o = std::make_shared<MonitorOptions>();
	auto* sub = app.add_subcommand(
		"monitor", "Attach and export the metrics for Prometheus until SIGTERM or SIGINT");
	add_sampler_options(sub, o->cpus, o->period, o->threshold);
	sub->add_option("--listen", o->listen, "Serve /metrics over HTTP on ADDR:PORT");
	sub->add_option("--textfile", o->textfile,
			"Rewrite this *.prom file for node_exporter's textfile collector");
	sub->add_option("--interval", o->interval,
			"Read, export and log this often (bare number: s)")
		->capture_default_str();
	sub->add_option("--metrics-sources", o->metrics_sources,
			"Sources kept per CPU in the metrics, the largest; the rest summed as "
			"name=\"other\"")
		->check(CLI::Range(kSeriesSourcesMin, kSeriesSourcesMax))
		->capture_default_str();
	sub->add_option("--spike-log", o->spike_log,
			"Append each new spike as a JSON line here (default: stdout)");
	sub->add_option("--module", o->module, "rtnoise.ko to load if none is loaded");
	sub->add_flag("--no-sampler", o->no_sampler,
		      "Trace the causes only, without rtnoise.ko (for hosts that cannot load "
		      "modules)");
	add_workload_option(sub, o->workload,
			    "Threads (comm or pid) that are the workload, not noise");
	add_spike_action_options(sub, o->on_spike);
	for (const char* name : {"--on-spike", "--stop-on-spike"})
		sub->get_option(name)->excludes("--no-sampler");
	sub->callback([o] { run_monitor(*o); });
	return o;
}

}  // namespace rtnoise
