// SPDX-License-Identifier: GPL-2.0
// main.cpp - rtnoise: find and remove what disturbs isolated CPUs.
#include <iostream>

#include "cli/commands.hpp"
#include "util/error.hpp"

namespace {

int run(int argc, char** argv)
{
	CLI::App app{"rtnoise - measure, explain and remove the noise on "
		     "isolated CPUs"};
	app.require_subcommand(1);
	app.set_version_flag(
		"--version", [] { return rtnoise::version_text("/"); },
		"Print the version, git revision and ABI, and those of the loaded module");
	rtnoise::setup_attach(app);
	rtnoise::setup_report(app);
	rtnoise::setup_compare(app);
	rtnoise::setup_detach(app);
	rtnoise::setup_monitor(app);
	rtnoise::setup_check(app);
	rtnoise::setup_partition(app);
	rtnoise::setup_tune(app);

	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp& e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp& e) {
		return app.exit(e);
	} catch (const CLI::CallForVersion& e) {
		return app.exit(e);
	} catch (const CLI::ParseError& e) {
		std::cerr << "rtnoise: " << e.what() << "\n";
		return static_cast<int>(rtnoise::Exit::usage);
	} catch (const rtnoise::Error& e) {
		if (*e.what())
			std::cerr << "rtnoise: " << e.what() << "\n";
		return static_cast<int>(e.code());
	} catch (const std::exception& e) {
		std::cerr << "rtnoise: " << e.what() << "\n";
		return static_cast<int>(rtnoise::Exit::system);
	}
	return 0;
}

}  // namespace

// Nothing escapes main: whatever run() did not expect is still one line.
int main(int argc, char** argv)
{
	try {
		return run(argc, argv);
	} catch (const std::exception& e) {
		std::cerr << "rtnoise: " << e.what() << "\n";
	} catch (...) {
		std::cerr << "rtnoise: unexpected error\n";
	}
	return static_cast<int>(rtnoise::Exit::system);
}
