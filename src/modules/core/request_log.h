#pragma once
// Error-log messages about a request or a connection (httpd's ap_log_rerror): written with
// "[client IP:PORT]" and filtered by the LogLevel that applies to the
// request's directory (<Directory>/<Location> LogLevel, else the server's).

#include "core/log.h"

#include <sonora/request.h>

#include <string_view>

namespace sonora::modules::core {

void log_request_error(const request::Request& r, LogLevel level, std::string_view module, std::string_view id,
                       std::string_view message);

// Whether log_request_error would write at `level` for `module`: callers on
// a common path (a 404 at info) build their message only then.
bool request_log_enabled(const request::Request& r, LogLevel level, std::string_view module);

// Whether the LogLevel words that apply to r contain `word` (a cheap
// pre-check for levels that are rarely on, such as "trace").
bool log_level_mentions(const request::Request& r, std::string_view word);

// About a connection outside any request (httpd's ap_log_cerror): the
// LogLevel of `server`, the connection's server for its address.
void log_connection_error(const Server& server, std::string_view client_ip, int client_port, LogLevel level,
                          std::string_view module, std::string_view id, std::string_view message);

}  // namespace sonora::modules::core
