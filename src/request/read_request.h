#pragma once
// A Request from a parsed head, before and around the phases: httpd's
// ap_read_request once the head is in (the request line's fields, the
// headers, Host, the virtual host, the checks that need the whole head), then
// the start of ap_process_request (an error the head already earned, TRACE's
// echo, the path's decoding) and LimitRequestBody once the request is mapped.
// net/ reads bytes and frames bodies and reads no module's configuration;
// everything here does, and is tested in memory
// (tests/unit/request/read_request_test.cpp).

#include "http/request_parser.h"
#include "request/driver.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace sonora::request {

// A Host value split as httpd reads it: "[v6]:port" keeps its brackets,
// "name:port" and "name" lose the port. A port that is not a number is 0.
struct HostParts {
    std::string_view name;
    int port = 0;
};
HostParts split_host(std::string_view value);

// HttpProtocolOptions of the address's default server, which governs how
// every request on a connection to that address is read: httpd reads the
// request line and head before it knows the virtual host and does not check
// them again under the one Host selects. `extra_methods` views the server's
// registered method list.
http::ProtocolOptions protocol_options(const Server& default_server);

struct HeadVerdict {
    int status = 0;                 // answer this instead of running the phases
    bool expects_continue = false;  // the client waits for 100 Continue
};

// Fills r's request-line fields, its headers (copied into `storage` as views
// of the head; at most storage.size() of them), host and host_port, and
// selects its virtual host among those of the connection's address (r's
// connection fields, local_port included, are the caller's). The verdict
// says what the head alone must be answered with: a bad or missing Host, an
// Expect other than 100-continue, a Host no virtual host names under
// StrictHostCheck On.
// `unsafe`: the head was read under HttpProtocolOptions Unsafe (its Host rules).
HeadVerdict read_request_head(Request& r, const http::RequestHead& head, std::span<Header> storage,
                              const Walker& walker, std::string_view local_ip, bool unsafe = false);

// The target's path, normalised and decoded into r.uri (httpd's order:
// normalise, then unescape); the query into r.query; a host from an
// absolute target when Host gave none. Returns 0 or the status httpd answers.
int decode_target(Request& r, http::TargetForm form);

// Runs a request read by read_request_head: answers `status` when it is not
// 0, echoes a TRACE that TraceEnable allows (the head as httpd rebuilds it),
// else decodes the target and runs every phase. `file_ref` keeps the response
// body's file alive.
void run_request(Request& r, Context& ctx, int status, http::TargetForm form,
                 std::shared_ptr<const FileEntry>& file_ref);

// LimitRequestBody of the request's directory, known once it is mapped
// (httpd's default when none is set); 0: unlimited.
std::uint64_t body_limit(const Request& r);

// LimitRequestBody of the request's directory, known once it is mapped: when
// `body_length` exceeds it, r is answered with 413 instead (and will not keep
// the connection) and true is returned.
bool refuse_large_body(Request& r, Context& ctx, std::uint64_t body_length,
                       std::shared_ptr<const FileEntry>& file_ref);

// httpd's last look at a response head before it goes out: a header name that
// is not a token (under Unsafe of the request's server: not visible text) or a
// value with a control byte other than HTAB turns the response into a bare 500.
bool has_invalid_response_header(const Request& r);

// What the connection needs of a request's configuration besides the
// response: the ServerName configured for `s` (empty when none), which the
// scoreboard and requests answered before any phase show; and the
// HostnameLookups of the request's directory (0 Off, 1 On, 2 Double).
std::string_view configured_server_name(const Server& s);
int hostname_lookups(const Request& r);

}  // namespace sonora::request
