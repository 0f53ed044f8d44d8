// SPDX-License-Identifier: GPL-2.0
// fuzz_http - one HTTP request, as bytes, to the monitor's HTTP server
// (app/metrics_http: serve_metrics()), through cpp-httplib's request
// handling without a socket: a Stream reads the input and keeps what the
// server writes.
//
// Properties on each input:
//  - the server answers with one HTTP/1.1 status line, or nothing at all
//    (a request line it cannot read closes the connection);
//  - 200 only to GET or HEAD (the method the server read); no method but
//    GET sees the metrics (HEAD has their length, not their text);
//  - GET /metrics gets the published text, whole;
//  - what it writes is bounded (the metrics and a few headers).
#include <httplib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "app/metrics_http.hpp"
#include "fuzz.hpp"

using namespace rtnoise;

namespace {

// The metrics the monitor would publish: a line no request can make up.
const std::string kMetrics = "# HELP rtnoise_fuzz_marker fuzz\n# TYPE rtnoise_fuzz_marker gauge\n"
			     "rtnoise_fuzz_marker 8472619\n";

// BytesStream - a client's bytes in, the server's answer out.
class BytesStream : public httplib::Stream {
public:
	explicit BytesStream(std::string_view in) : in_(in) {}
	bool is_readable() const override { return true; }
	bool is_writable() const override { return true; }
	ssize_t read(char* ptr, std::size_t size) override
	{
		const std::size_t n = std::min(size, in_.size() - pos_);
		std::memcpy(ptr, in_.data() + pos_, n);
		pos_ += n;
		return static_cast<ssize_t>(n);
	}
	ssize_t write(const char* ptr, std::size_t size) override
	{
		out_.append(ptr, size);
		return static_cast<ssize_t>(size);
	}
	void get_remote_ip_and_port(std::string& ip, int& port) const override
	{
		ip = "127.0.0.1";
		port = 40000;
	}
	void get_local_ip_and_port(std::string& ip, int& port) const override
	{
		ip = "127.0.0.1";
		port = 9464;
	}
	socket_t socket() const override { return INVALID_SOCKET; }

	std::size_t consumed() const { return pos_; }
	const std::string& out() const { return out_; }

private:
	std::string_view in_;
	std::size_t pos_ = 0;
	std::string out_;
};

// Server - process_request() is protected: the one request of a
// connection, as process_and_close_socket() hands it over. The logger
// says what the server read of it: its method and path.
struct Server : httplib::Server {
	Server()
	{
		serve_metrics(*this, [] { return kMetrics; });
		set_logger([this](const httplib::Request& req, const httplib::Response&) {
			method = req.method;
			path = req.path;
		});
	}
	bool handle(httplib::Stream& s)
	{
		method.clear();
		path.clear();
		bool closed = false;
		return process_request(s, true, closed, nullptr);
	}
	std::string method, path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static Server server;
	const std::string_view in(reinterpret_cast<const char*>(data), size);
	BytesStream s(in);
	server.handle(s);
	const std::string& out = s.out();
	if (out.empty())
		return 0;  // a request line it could not read: closed unanswered
	FUZZ_CHECK(out.size() > 12 && out.compare(0, 9, "HTTP/1.1 ") == 0,
		   "not a status line: " + fuzz::shown(out));
	const int status = std::stoi(out.substr(9, 3));
	const std::string& method = server.method;
	const bool get = method == "GET" || method == "HEAD";
	FUZZ_CHECK(status != 200 || get, "200 to " + fuzz::shown(method) + ": " + fuzz::shown(out));
	if (method != "GET")
		FUZZ_CHECK(out.find("rtnoise_fuzz_marker 8472619") == std::string::npos,
			   "the metrics to " + fuzz::shown(method));
	if (status == 200 && method == "GET" && server.path == "/metrics")
		FUZZ_CHECK(out.size() >= kMetrics.size() &&
				   out.compare(out.size() - kMetrics.size(), kMetrics.size(),
					       kMetrics) == 0,
			   "GET /metrics without its text: " + fuzz::shown(out));
	FUZZ_CHECK(out.size() <= kMetrics.size() + 2048,
		   std::to_string(out.size()) + " bytes written");
	return 0;
}
