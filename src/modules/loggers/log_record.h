#pragma once
// Everything an access-log format can print about one finished request,
// gathered by the connection (which knows bytes, times and peers) and the
// driver (which knows the original and final request). The renderer
// (log_render.h) reads only this, so it can be tested without a server.
//
// Lifetime: every view points into the request's arena, the connection's
// input buffer or the configuration; a LogRecord lives only while one line is
// rendered.

#include <sonora/request.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace sonora::modules::loggers {

struct LogRecord {
    // The final request (after internal redirects): headers in and out,
    // filename, handler, content type, server.
    const request::Request* r = nullptr;

    // ---- the original request, as the client sent it ----
    std::string_view request_line;   // %r: the raw request line ("" when none was read: logs "-")
    std::string_view original_uri;   // %<U (decoded path, no query)
    std::string_view final_uri;      // %>U
    int original_status = 0;         // %<s
    int final_status = 0;            // %>s
    std::string_view original_handler;  // %<R
    std::string_view method;         // %m
    std::string_view protocol;       // %H: "HTTP/1.1"
    std::string_view query;          // %q: without '?'; empty and has_query false: logs ""
    bool has_query = false;

    // ---- the connection ----
    std::string_view client_ip;      // %a (useragent address)
    std::string_view peer_ip;        // %{c}a (the connection's peer)
    std::string_view remote_host;    // %h: the resolved name when HostnameLookups applies, else the IP
    int remote_port = 0;             // %{remote}p
    std::string_view local_ip;       // %A
    int local_port = 0;              // %{local}p
    int canonical_port = 0;          // %p, %{canonical}p
    std::string_view remote_logname;  // %l: empty logs "-"
    std::string_view user;           // %u
    bool has_user = false;           // no user logs "-"; an empty one logs ""
    unsigned keepalives = 0;         // %k: requests on this connection before this one
    char conn_status = '-';          // %X: 'X' aborted, '+' may be kept alive, '-' closed after
    std::string_view log_id;         // %L: empty logs "-"

    // ---- servers ----
    std::string_view server_name;    // %V: the name per UseCanonicalName
    std::string_view virtual_host;   // %v: the ServerName of the server that answered

    // ---- sizes (mod_logio and %b/%B) ----
    std::uint64_t bytes_sent = 0;    // %B/%b: response body bytes
    std::uint64_t bytes_in = 0;      // %I: request head and body as received
    std::uint64_t bytes_out = 0;     // %O: response head and body as sent

    // ---- times, microseconds since the epoch (wall clock) ----
    std::int64_t start_us = 0;       // when the request line was read (%t, begin:)
    std::int64_t end_us = 0;         // when the log line is written (%{end:...}t, %D, %T)
    std::int64_t first_byte_us = 0;  // %^FB: 0 when unknown (logs "-")

    // ---- per-request tables not yet carried by Request ----
    // Environment variables (%e) and notes (%n); null lookup means "none set".
    using Lookup = std::string_view (*)(const void* ctx, std::string_view name, bool& found);
    Lookup env = nullptr;
    const void* env_ctx = nullptr;
    Lookup notes = nullptr;
    const void* notes_ctx = nullptr;

    long pid = 0;                    // %P
    long tid = 0;                    // %{tid}P
};

}  // namespace sonora::modules::loggers
