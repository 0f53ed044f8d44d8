// SPDX-License-Identifier: GPL-2.0
// metrics_http.cpp - what the monitor's HTTP server answers, and what a
// client may make it hold.
#include "app/metrics_http.hpp"

#include <chrono>
#include <cstddef>
#include <utility>

namespace rtnoise {

namespace {

// What the HTTP server lets a client hold: no request of a scraper has a
// body, nor takes seconds between two reads.
constexpr std::size_t kMaxRequestBody = 0;
constexpr std::chrono::seconds kClientTimeout{2};
// One request per connection: after a refusal, what the client still
// sends is never read as a next request (cpp-httplib would read its
// body as one line, whole).
constexpr std::size_t kKeepAliveRequests = 1;

}  // namespace

void serve_metrics(httplib::Server& server, std::function<std::string()> metrics)
{
	// A scrape is a GET of a few hundred bytes. cpp-httplib reads a
	// request's body whole before it looks for a handler, with no bound
	// on its size by default, and keeps a thread for a silent client
	// for 5 s a read: bound what a client can make the server hold.
	server.set_payload_max_length(kMaxRequestBody);
	server.set_read_timeout(kClientTimeout);
	server.set_write_timeout(kClientTimeout);
	server.set_keep_alive_timeout(kClientTimeout.count());
	server.set_keep_alive_max_count(kKeepAliveRequests);
	// Any other method is answered before its body is read, and the
	// connection closed (kKeepAliveRequests) rather than the body skipped.
	server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
		if (req.method == "GET" || req.method == "HEAD")
			return httplib::Server::HandlerResponse::Unhandled;
		res.status = 405;
		res.set_header("Allow", "GET, HEAD");
		res.set_header("Connection", "close");
		res.set_content("rtnoise monitor: only GET and HEAD are served\n",
				"text/plain; charset=utf-8");
		return httplib::Server::HandlerResponse::Handled;
	});
	server.Get("/metrics",
		   [metrics = std::move(metrics)](const httplib::Request&, httplib::Response& res) {
			   res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
		   });
	server.Get("/", [](const httplib::Request&, httplib::Response& res) {
		res.set_content("rtnoise monitor: the metrics are at /metrics\n",
				"text/plain; charset=utf-8");
	});
}

}  // namespace rtnoise
