// SPDX-License-Identifier: GPL-2.0
// rtnoise monitor without a kernel: its options, the textfile writer,
// which spikes are new.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "app/monitor.hpp"
#include "cli/commands.hpp"
#include "render/render.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/file.hpp"

using namespace rtnoise;
namespace fs = std::filesystem;

namespace {

// expect_usage - fn throws a usage Error whose message is exactly what.
template <typename Fn>
void expect_usage(Fn fn, const std::string& what)
{
	try {
		fn();
		ADD_FAILURE() << "no error, expected: " << what;
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_EQ(std::string(e.what()), what);
	}
}

class TempDir {
public:
	TempDir()
	{
		char tmpl[] = "/tmp/rtnoise-monitor-XXXXXX";
		path_ = mkdtemp(tmpl);
	}
	~TempDir() { fs::remove_all(path_); }
	TempDir(const TempDir&) = delete;
	TempDir& operator=(const TempDir&) = delete;
	const fs::path& path() const { return path_; }

private:
	fs::path path_;
};

std::string slurp(const fs::path& p)
{
	std::ifstream in(p);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

Spike spike(unsigned cpu, LatType t, std::uint64_t seq)
{
	Spike s;
	s.cpu = cpu;
	s.type = t;
	s.seq = seq;
	return s;
}

}  // namespace

TEST(MonitorListen, AddressesAndPorts)
{
	ListenAddress a = parse_listen("127.0.0.1:9464");
	EXPECT_EQ(a.host, "127.0.0.1");
	EXPECT_EQ(a.port, 9464u);
	a = parse_listen("[::1]:80");
	EXPECT_EQ(a.host, "::1");
	EXPECT_EQ(a.port, 80u);
	a = parse_listen(":65535");
	EXPECT_EQ(a.host, "");
	EXPECT_EQ(a.port, 65535u);
	a = parse_listen("localhost:1");
	EXPECT_EQ(a.host, "localhost");
}

TEST(MonitorListen, BadAddressesAreUsageErrors)
{
	const std::string eg = " (expected ADDR:PORT, e.g. 127.0.0.1:9464, [::1]:9464 or :9464)";
	expect_usage([] { parse_listen("9464"); }, "--listen 9464: no port" + eg);
	expect_usage([] { parse_listen("host:"); },
		     "--listen host:: the port is not a number" + eg);
	expect_usage([] { parse_listen("host:http"); },
		     "--listen host:http: the port is not a number" + eg);
	expect_usage([] { parse_listen("host:0"); },
		     "--listen host:0: the port is out of range (1 to 65535)" + eg);
	expect_usage([] { parse_listen("host:65536"); },
		     "--listen host:65536: the port is out of range (1 to 65535)" + eg);
	expect_usage([] { parse_listen("::1:80"); },
		     "--listen ::1:80: an IPv6 address goes in brackets" + eg);
	expect_usage([] { parse_listen("[::g]:80"); },
		     "--listen [::g]:80: not an IPv6 address" + eg);
	expect_usage([] { parse_listen("a b:80"); },
		     "--listen a b:80: not an address or host name" + eg);
}

TEST(MonitorInterval, DurationsInRange)
{
	EXPECT_EQ(parse_interval("15s"), 15'000'000'000ULL);
	EXPECT_EQ(parse_interval("2"), 2'000'000'000ULL);
	EXPECT_EQ(parse_interval("1m"), 60'000'000'000ULL);
	expect_usage([] { parse_interval("500ms"); },
		     "--interval 500ms is out of range (1.0 s to 3600.0 s)");
	expect_usage([] { parse_interval("2h"); },
		     "--interval 2h is out of range (1.0 s to 3600.0 s)");
	try {
		parse_interval("soon");
		ADD_FAILURE() << "no error";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_EQ(std::string(e.what()).rfind("--interval soon: ", 0), 0u) << e.what();
	}
}

TEST(MonitorTextfile, OnlyPromFiles)
{
	check_textfile_path("/var/lib/prometheus/node-exporter/rtnoise.prom");
	expect_usage([] { check_textfile_path("/tmp/rtnoise.txt"); },
		     "--textfile /tmp/rtnoise.txt: node_exporter's textfile collector reads only "
		     "files named *.prom");
	expect_usage([] { check_textfile_path("/tmp/.prom"); },
		     "--textfile /tmp/.prom: node_exporter's textfile collector reads only files "
		     "named *.prom");
}

TEST(MonitorTextfile, RewrittenWholeWithNothingLeftBeside)
{
	TempDir d;
	const fs::path f = d.path() / "rtnoise.prom";
	write_file_atomic(f.string(), "a 1\n");
	EXPECT_EQ(slurp(f), "a 1\n");
	std::ifstream held(f);	// a reader of the old file keeps it
	write_file_atomic(f.string(), "b 2\n");
	EXPECT_EQ(slurp(f), "b 2\n");
	std::string old;
	std::getline(held, old);
	EXPECT_EQ(old, "a 1");
	std::size_t files = 0;
	for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.path()))
		files++;
	EXPECT_EQ(files, 1u);
	EXPECT_EQ(fs::status(f).permissions() & fs::perms::others_read, fs::perms::others_read);
}

TEST(MonitorTextfile, MissingDirectoryIsOneSystemError)
{
	TempDir d;
	const fs::path f = d.path() / "gone" / "rtnoise.prom";
	try {
		write_file_atomic(f.string(), "x 1\n");
		ADD_FAILURE() << "no error";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		EXPECT_EQ(std::string(e.what()),
			  "cannot write " + f.string() + ": No such file or directory");
	}
}

TEST(MonitorSpikes, EachSpikeOnceAcrossReads)
{
	SpikeTracker t;
	Snapshot s;
	s.spikes = {spike(2, LatType::irq, 0), spike(2, LatType::thread, 0),
		    spike(3, LatType::thread, 5)};
	EXPECT_EQ(t.fresh(s).size(), 3u);
	EXPECT_TRUE(t.fresh(s).empty());
	// The ring moved on: the oldest overwritten, two new.
	s.spikes = {spike(2, LatType::thread, 0), spike(3, LatType::thread, 5),
		    spike(3, LatType::thread, 6), spike(2, LatType::irq, 1)};
	std::vector<const Spike*> f = t.fresh(s);
	ASSERT_EQ(f.size(), 2u);
	EXPECT_EQ(f[0]->seq, 6u);
	EXPECT_EQ(f[0]->cpu, 3u);
	EXPECT_EQ(f[1]->seq, 1u);
	EXPECT_EQ(f[1]->type, LatType::irq);
}

TEST(MonitorSpikes, TheLogHasEachLineAsRenderedAloneAcrossWrites)
{
	// More spikes than one write takes, each with a cause to escape.
	std::vector<Spike> spikes;
	for (std::uint64_t i = 0; i < 9000; i++) {
		Spike sp = spike(static_cast<unsigned>(i % 3), LatType::thread, i);
		sp.expected_ns = 1'000'000 * (i + 1);
		sp.observed_ns = sp.expected_ns + 7'000 + i;
		sp.causes.push_back({"thread", "w\"orker:" + std::to_string(i), 5'000});
		spikes.push_back(sp);
	}
	std::vector<const Spike*> fresh;
	std::string want;
	for (const Spike& sp : spikes) {
		fresh.push_back(&sp);
		want += render_spike_line(sp, true, 1'700'000'000'000'000'000);
	}
	int pipe[2];
	ASSERT_EQ(::pipe2(pipe, O_CLOEXEC), 0);
	const UniqueFd in(pipe[0]);
	std::string got;
	std::thread reader([&] {
		char buf[65536];
		for (ssize_t n; (n = ::read(in.get(), buf, sizeof(buf))) > 0;)
			got.append(buf, static_cast<std::size_t>(n));
	});
	{
		const UniqueFd out(pipe[1]);
		log_spikes(out.get(), fresh, true, 1'700'000'000'000'000'000, "the pipe");
	}
	reader.join();
	EXPECT_EQ(got.size(), want.size());
	EXPECT_TRUE(got == want);
	EXPECT_THROW(log_spikes(-1, fresh, true, 0, "nothing"), Error);
}

namespace {

class MonitorCli : public ::testing::Test {
protected:
	MonitorCli()
	{
		app.require_subcommand(1);
		opts = setup_monitor(app);
		for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
			sub->callback([] {});
	}
	void parse(const std::string& line) { app.parse(line, false); }

	CLI::App app{"rtnoise"};
	std::shared_ptr<MonitorOptions> opts;
};

}  // namespace

TEST_F(MonitorCli, Defaults)
{
	parse("monitor --cpus 2,3");
	MonitorRequest r = make_monitor_request(*opts);
	EXPECT_EQ(r.attach.sampler.cpus, (CpuSet{2, 3}));
	EXPECT_EQ(r.attach.sampler.period_ns, 1000000u);
	EXPECT_EQ(r.interval_ns, 15'000'000'000ULL);
	EXPECT_FALSE(r.listen);
	EXPECT_TRUE(r.textfile.empty());
	EXPECT_TRUE(r.spike_log.empty());
	EXPECT_EQ(r.attach.duration_ns, 0u);
	EXPECT_FALSE(r.attach.hint);  // it detaches itself
	EXPECT_EQ(r.report.metrics_sources, kSeriesSourcesDefault);
}

TEST_F(MonitorCli, AllOptions)
{
	parse("monitor -c 3 --listen 127.0.0.1:9464 --textfile /run/x/rtnoise.prom --interval 2s "
	      "--spike-log /var/log/rtnoise.jsonl --period 2ms --threshold 100us -w qemu,42");
	MonitorRequest r = make_monitor_request(*opts);
	ASSERT_TRUE(r.listen);
	EXPECT_EQ(r.listen->port, 9464u);
	EXPECT_EQ(r.textfile, "/run/x/rtnoise.prom");
	EXPECT_EQ(r.interval_ns, 2'000'000'000ULL);
	EXPECT_EQ(r.spike_log, "/var/log/rtnoise.jsonl");
	EXPECT_EQ(r.attach.sampler.period_ns, 2000000u);
	EXPECT_EQ(r.attach.sampler.threshold_ns, 100000u);
	EXPECT_EQ(r.report.workload.comms, (std::set<std::string>{"qemu"}));
	EXPECT_EQ(r.report.workload.pids, (std::set<std::uint64_t>{42}));
	EXPECT_EQ(r.report.render.format, Format::prometheus);
}

TEST_F(MonitorCli, BadValuesAreUsageErrors)
{
	EXPECT_THROW(parse("monitor --listen :9464"), CLI::RequiredError);
	EXPECT_THROW(parse("monitor --cpus 3-1"), CLI::ValidationError);
	parse("monitor --cpus 2 --listen nowhere");
	expect_usage([&] { make_monitor_request(*opts); },
		     "--listen nowhere: no port (expected ADDR:PORT, e.g. 127.0.0.1:9464, "
		     "[::1]:9464 or :9464)");
}

TEST_F(MonitorCli, WorkloadThreadIdsMustBeOnesAKernelCanHave)
{
	for (const char* bad : {"0", "4194305", "99999999999999999999"})
		EXPECT_THROW(parse(std::string("monitor --cpus 2 --workload ") + bad),
			     CLI::ValidationError)
			<< bad;
	EXPECT_THROW(parse("monitor --cpus 2 --workload ''"), CLI::ParseError);
}

// The sources kept per CPU in the metrics: the bound of their series.
TEST_F(MonitorCli, MetricsSourcesAreBounded)
{
	parse("monitor --cpus 2 --metrics-sources 3");
	EXPECT_EQ(make_monitor_request(*opts).report.metrics_sources, 3u);
	for (const char* bad : {"0", "1001", "-1", "many"})
		EXPECT_THROW(parse(std::string("monitor --cpus 2 --metrics-sources ") + bad),
			     CLI::ValidationError)
			<< bad;
}

TEST_F(MonitorCli, BadIntervalIsAUsageError)
{
	parse("monitor --cpus 2 --interval 0");
	expect_usage([&] { make_monitor_request(*opts); },
		     "--interval 0 is out of range (1.0 s to 3600.0 s)");
}

// The monitor's HTTP server, to a client on 127.0.0.1 that is not
// Prometheus.
namespace {

// peak_rss_kb - the most memory this process has held since
// reset_peak_rss().
long peak_rss_kb()
{
	std::ifstream in("/proc/self/status");
	for (std::string line; std::getline(in, line);)
		if (line.rfind("VmHWM:", 0) == 0)
			return std::stol(line.substr(6));
	return -1;
}

void reset_peak_rss()
{
	std::ofstream("/proc/self/clear_refs") << "5\n";
}

// dial - a TCP connection to 127.0.0.1:port, with receive timeout.
UniqueFd dial(unsigned port, int timeout_s)
{
	UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(static_cast<std::uint16_t>(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
	timeval tv{timeout_s, 0};
	::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

// answer - what the server sent until it closed or went quiet.
std::string answer(int fd)
{
	std::string out;
	char buf[4096];
	for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
		out.append(buf, static_cast<std::size_t>(n));
	return out;
}

}  // namespace

TEST(MonitorHttp, ServesGetAndHead)
{
	MetricsServer server(ListenAddress{"127.0.0.1", 0});
	server.publish("rtnoise_up 1\n");
	UniqueFd c = dial(server.port(), 10);
	const std::string get = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	ASSERT_EQ(::send(c.get(), get.data(), get.size(), MSG_NOSIGNAL), ssize_t(get.size()));
	const std::string a = answer(c.get());
	EXPECT_EQ(a.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << a;
	EXPECT_NE(a.find("\r\n\r\nrtnoise_up 1\n"), std::string::npos) << a;
}

// A POST of 4 GB: answered 405 at once, its body not read (the server
// grew to 1.1 GB reading it before it found no handler).
TEST(MonitorHttp, RefusesOtherMethodsWithoutReadingTheBody)
{
	MetricsServer server(ListenAddress{"127.0.0.1", 0});
	server.publish("rtnoise_up 1\n");
	reset_peak_rss();
	const long before = peak_rss_kb();
	UniqueFd c = dial(server.port(), 10);
	const std::string head =
		"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000000\r\n\r\n";
	ASSERT_EQ(::send(c.get(), head.data(), head.size(), MSG_NOSIGNAL), ssize_t(head.size()));
	// 128 MB of body from another thread, until the server hangs up.
	std::thread body([fd = c.get()] {
		const std::string chunk(1 << 20, 'x');
		for (int i = 0; i < 128; i++)
			if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0)
				return;
	});
	const auto t0 = std::chrono::steady_clock::now();
	const std::string a = answer(c.get());
	const auto took = std::chrono::steady_clock::now() - t0;
	::shutdown(c.get(), SHUT_RDWR);
	body.join();
	EXPECT_EQ(a.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << a.substr(0, 200);
	EXPECT_NE(a.find("Allow: GET, HEAD\r\n"), std::string::npos) << a.substr(0, 200);
	EXPECT_LT(took, std::chrono::seconds(5));
	EXPECT_LT(peak_rss_kb() - before, 32 * 1024) << "kB grown at the most";
}

// Clients that open a connection and stop in the middle of a request
// are dropped within the server's read timeout, not kept for the
// default 5 s, and the server answers the next one.
TEST(MonitorHttp, DropsSlowClients)
{
	MetricsServer server(ListenAddress{"127.0.0.1", 0});
	std::vector<UniqueFd> slow;
	for (int i = 0; i < 4; i++) {
		slow.push_back(dial(server.port(), 10));
		ASSERT_EQ(::send(slow.back().get(), "GET /met", 8, MSG_NOSIGNAL), 8);
	}
	const auto t0 = std::chrono::steady_clock::now();
	for (const UniqueFd& c : slow)
		answer(c.get());
	EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(4500));
	// Still answering.
	UniqueFd c = dial(server.port(), 10);
	const std::string get = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	ASSERT_EQ(::send(c.get(), get.data(), get.size(), MSG_NOSIGNAL), ssize_t(get.size()));
	EXPECT_EQ(answer(c.get()).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}
