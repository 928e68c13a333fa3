#pragma once
// The boundary between the connection and the HTTP/1.x parser: one call
// parses a complete request head out of the connection buffer into views.

#include "request/request.h"

#include <cstddef>
#include <string_view>

namespace sonora::net {

struct HeadLimits {
    std::size_t line = 8190;        // LimitRequestLine
    std::size_t field_size = 8190;  // LimitRequestFieldSize
    std::size_t fields = 100;       // LimitRequestFields
};

struct ParsedHead {
    std::string_view method;
    std::string_view target;
    int version = 11;
    std::size_t header_count = 0;
    request::Header* headers = nullptr;  // caller storage, capacity fields
    std::size_t consumed = 0;            // bytes of the head, CRLFCRLF included
};

enum class HeadStatus { Complete, Incomplete, Error };

struct HeadResult {
    HeadStatus status;
    int http_status = 0;      // for Error: 400, 414, 501, 505 ...
    std::string_view detail;  // httpd's error note, for the 400 page
};

HeadResult parse_request_head(std::string_view buf, const HeadLimits& limits, ParsedHead& out, std::size_t capacity);

}  // namespace sonora::net
