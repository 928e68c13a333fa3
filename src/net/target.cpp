#include "net/target.h"

namespace sonora::net {

namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

// Decodes the request target's path into uri: percent-decoding, then
// removal of "." and ".." segments (a path that climbs above "/" is refused).
// %00 and an encoded '/' are refused as httpd refuses them by default.
bool decode_request_target(std::string_view target, std::string_view& host, std::pmr::string& uri) {
    std::string_view path = target;
    if (auto q = path.find('?'); q != std::string_view::npos) {
        path = path.substr(0, q);
    }
    if (auto h = path.find("://"); h != std::string_view::npos && path.front() != '/') {
        std::string_view rest = path.substr(h + 3);
        auto slash = rest.find('/');
        if (host.empty()) {
            host = rest.substr(0, std::min(slash, rest.find(':')));
        }
        path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    }
    if (path.empty() || path.front() != '/') {
        return false;
    }
    std::pmr::string decoded(uri.get_allocator());
    decoded.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '%') {
            if (i + 2 >= path.size()) {
                return false;
            }
            int hi = hex(path[i + 1]);
            int lo = hex(path[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            c = static_cast<char>(hi * 16 + lo);
            if (c == '\0' || c == '/') {
                return false;
            }
            i += 2;
        }
        decoded.push_back(c);
    }
    // Remove dot segments (RFC 3986 5.2.4), refusing to climb above the root.
    uri.clear();
    std::size_t i = 0;
    while (i < decoded.size()) {
        std::size_t next = decoded.find('/', i + 1);
        std::string_view seg = std::string_view(decoded).substr(i, next == std::pmr::string::npos ? std::string::npos : next - i);
        if (seg == "/.") {
            if (next == std::pmr::string::npos) {
                uri.push_back('/');
            }
        } else if (seg == "/..") {
            auto cut = uri.rfind('/');
            if (cut == std::pmr::string::npos) {
                return false;
            }
            uri.resize(cut);
            if (next == std::pmr::string::npos) {
                uri.push_back('/');
            }
        } else {
            uri.append(seg);
        }
        i = next == std::pmr::string::npos ? decoded.size() : next;
    }
    if (uri.empty()) {
        uri.push_back('/');
    }
    return true;
}

}  // namespace sonora::net
