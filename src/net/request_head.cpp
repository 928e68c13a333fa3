// Interim request-head parser behind net/request_head.h, strict in the way
// httpd's HttpProtocolOptions Strict is: CRLF line ends, token methods, no
// whitespace before the colon, no obs-fold, no control bytes.

#include "net/request_head.h"

#include <cstring>

namespace sonora::net {

namespace {

bool is_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

HeadResult error(int status, std::string_view detail = {}) { return HeadResult{HeadStatus::Error, status, detail}; }

}  // namespace

HeadResult parse_request_head(std::string_view buf, const HeadLimits& limits, ParsedHead& out, std::size_t capacity) {
    // httpd tolerates empty lines before the request line.
    std::size_t pos = 0;
    while (pos + 1 < buf.size() && buf[pos] == '\r' && buf[pos + 1] == '\n') {
        pos += 2;
    }
    std::size_t eol = buf.find("\r\n", pos);
    if (eol == std::string_view::npos) {
        if (buf.size() - pos > limits.line) {
            return error(414);
        }
        if (buf.find('\n', pos) != std::string_view::npos) {
            return error(400);  // bare LF
        }
        return HeadResult{HeadStatus::Incomplete, 0, {}};
    }
    std::string_view line = buf.substr(pos, eol - pos);
    if (line.size() > limits.line) {
        return error(414);
    }
    std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0) {
        return error(400);
    }
    out.method = line.substr(0, sp1);
    for (unsigned char c : out.method) {
        if (!is_tchar(c)) {
            return error(400);
        }
    }
    std::size_t sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
        return error(400);  // HTTP/0.9 is not served
    }
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (out.target.empty()) {
        return error(400);
    }
    for (unsigned char c : out.target) {
        if (c <= 0x20 || c == 0x7f) {
            return error(400);
        }
    }
    std::string_view proto = line.substr(sp2 + 1);
    if (proto.size() != 8 || proto.substr(0, 5) != "HTTP/" || proto[6] != '.' || proto[5] < '0' || proto[5] > '9' ||
        proto[7] < '0' || proto[7] > '9') {
        return error(400);
    }
    out.version = (proto[5] - '0') * 10 + (proto[7] - '0');

    out.header_count = 0;
    pos = eol + 2;
    for (;;) {
        std::size_t end = buf.find("\r\n", pos);
        if (end == std::string_view::npos) {
            if (buf.size() - pos > limits.field_size) {
                return error(400, "Size of a request header field exceeds server limit.");
            }
            return HeadResult{HeadStatus::Incomplete, 0, {}};
        }
        if (end == pos) {
            out.consumed = end + 2;
            return HeadResult{HeadStatus::Complete, 0, {}};
        }
        std::string_view field = buf.substr(pos, end - pos);
        if (field.size() > limits.field_size) {
            return error(400, "Size of a request header field exceeds server limit.");
        }
        if (field.front() == ' ' || field.front() == '\t') {
            return error(400);  // obs-fold
        }
        std::size_t colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return error(400);
        }
        std::string_view name = field.substr(0, colon);
        for (unsigned char c : name) {
            if (!is_tchar(c)) {
                return error(400);
            }
        }
        std::string_view value = field.substr(colon + 1);
        for (unsigned char c : value) {
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return error(400);
            }
        }
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.remove_suffix(1);
        }
        if (out.header_count >= limits.fields || out.header_count >= capacity) {
            return error(400, "The number of request header fields exceeds this server's limit.");
        }
        out.headers[out.header_count++] = request::Header{name, value};
        pos = end + 2;
    }
}

}  // namespace sonora::net
