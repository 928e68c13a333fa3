#include "net/response_head.h"

#include "http/reason_phrase.h"

#include <charconv>
#include <cstring>

namespace sonora::net {

namespace {

struct Writer {
    char* p;
    char* end;
    void put(std::string_view s) {
        std::size_t n = std::min<std::size_t>(s.size(), static_cast<std::size_t>(end - p));
        std::memcpy(p, s.data(), n);
        p += n;
    }
    void num(std::uint64_t v) { p = std::to_chars(p, end, v).ptr; }
    void header(std::string_view name, std::string_view value) {
        put(name);
        put(": ");
        put(value);
        put("\r\n");
    }
};

}  // namespace

std::string_view write_response_head(const ResponseHead& h, std::pmr::memory_resource* arena) {
    std::size_t size = 300 + h.reason.size() + h.date.size() + h.server.size() + h.content_type.size() + h.content_encoding.size() +
                       h.content_language.size();
    for (const auto& hd : h.headers) {
        size += hd.name.size() + hd.value.size() + 4;
    }
    char* buf = static_cast<char*>(arena->allocate(size, 1));
    Writer w{buf, buf + size};
    w.put("HTTP/1.1 ");
    w.num(static_cast<std::uint64_t>(h.status));
    w.put(" ");
    w.put(h.reason.empty() ? http::reason_phrase(h.status) : h.reason);
    w.put("\r\n");
    w.header("Date", h.date);
    w.header("Server", h.server);
    for (const auto& hd : h.headers) {
        w.header(hd.name, hd.value);
    }
    const bool bodyless = h.status == 304 || h.status == 204 || h.status < 200;
    if (h.send_length && !bodyless) {
        w.put("Content-Length: ");
        w.num(h.content_length);
        w.put("\r\n");
    }
    if (h.keep_alive) {
        if (h.request_version < 11) {
            w.put("Keep-Alive: timeout=");
            w.num(static_cast<std::uint64_t>(h.keepalive_timeout_s));
            if (h.keepalive_remaining > 0) {
                w.put(", max=");
                w.num(h.keepalive_remaining);
            }
            w.put("\r\nConnection: Keep-Alive\r\n");
        }
    } else {
        w.put("Connection: close\r\n");
    }
    if (h.chunked) {
        w.put("Transfer-Encoding: chunked\r\n");  // httpd adds it after the keep-alive decision
    }
    if (!h.content_type.empty() && !bodyless) {
        w.header("Content-Type", h.content_type);
    }
    if (!h.content_encoding.empty() && !bodyless) {
        w.header("Content-Encoding", h.content_encoding);
    }
    if (!h.content_language.empty() && !bodyless) {
        w.header("Content-Language", h.content_language);
    }
    w.put("\r\n");
    return std::string_view(buf, static_cast<std::size_t>(w.p - buf));
}

}  // namespace sonora::net
