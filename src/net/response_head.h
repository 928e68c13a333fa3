#pragma once
// Writing a response head in httpd's header order: status line, Date, Server,
// the handler's headers, Content-Length, Keep-Alive/Connection, Content-Type.

#include "request/request.h"

#include <cstdint>
#include <memory_resource>
#include <span>
#include <string_view>

namespace sonora::net {

struct ResponseHead {
    int status;
    std::string_view date;
    std::string_view server;
    std::span<const request::Header> headers;
    std::string_view content_type;
    std::string_view content_encoding;
    std::string_view content_language;
    std::uint64_t content_length;
    bool send_length;
    bool keep_alive;
    int request_version;          // 10: HTTP/1.0 needs explicit Keep-Alive headers
    std::int64_t keepalive_timeout_s;
    unsigned keepalive_remaining;  // 0 = unlimited
    std::string_view reason = {};  // empty: Apache's phrase for `status`
    bool chunked = false;          // the body goes chunked (a stream of unknown length)
};

// Returns the head, written into memory from `arena`.
std::string_view write_response_head(const ResponseHead& h, std::pmr::memory_resource* arena);

}  // namespace sonora::net
