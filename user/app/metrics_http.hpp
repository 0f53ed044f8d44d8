// SPDX-License-Identifier: GPL-2.0
// metrics_http.hpp - the routes and bounds of the monitor's HTTP server,
// apart from its sockets, so that a fuzzer can hand it requests as bytes
// (tests/fuzz/fuzz_http.cpp). Only app/ includes cpp-httplib.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>

namespace rtnoise {

// serve_metrics - set up server as the monitor serves: GET and HEAD of
// /metrics (the text metrics() gives) and of / (where they are); any
// other method 405 before its body is read, the connection then closed;
// no request body, 2 s to read or write, one request per connection.
void serve_metrics(httplib::Server& server, std::function<std::string()> metrics);

}  // namespace rtnoise
