#include "http/request_checks.h"

#include "http/char_class.h"

#include <arpa/inet.h>

#include <string>

namespace sonora::http {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool all_digits(std::string_view s) {
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

bool is_ipv6_literal(std::string_view s) {
    for (char c : s) {
        if (!(detail::has_class(c, detail::kHexDigit) || c == ':' || c == '.')) {
            return false;
        }
    }
    return !s.empty();
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Apache's Strict name rules: letters, digits, '-', '.' and '_' only; a name of digits and dots must
// be a dotted quad without leading zeros (no "0x7f.1", "017700000001", "127.01.0.1"
// reaching a resolver that reads them as octal or short forms); otherwise the last
// label must start with a letter.
bool is_strict_name(std::string_view name) {
    bool dotted_decimal = true;
    bool leading_zero = false;
    int dots = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (is_alpha(c) || c == '-' || c == '_') {
            dotted_decimal = false;
        } else if (c == '.') {
            ++dots;
            leading_zero |= i + 2 < name.size() && name[i + 1] == '0' && is_digit(name[i + 2]);
        } else if (!is_digit(c)) {
            return false;
        }
    }
    if (dotted_decimal) {
        leading_zero |= name.size() > 1 && name[0] == '0' && is_digit(name[1]);
        return !name.empty() && name[0] != '.' && !leading_zero && dots == 3;
    }
    const std::size_t dot = name.rfind('.');
    return dot == std::string_view::npos || dot + 1 == name.size() || is_alpha(name[dot + 1]);
}

}  // namespace

bool is_valid_host(std::string_view host) {
    std::string_view name = host;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos || !is_ipv6_literal(host.substr(1, close - 1))) {
            return false;
        }
        // The characters alone let "[4712::abcd::]" through; the address must parse.
        const std::string literal(host.substr(1, close - 1));
        in6_addr addr{};
        if (::inet_pton(AF_INET6, literal.c_str(), &addr) != 1) {
            return false;
        }
        name = {};
        const std::string_view rest = host.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return false;
            }
            port = rest.substr(1);
        }
    } else {
        const std::size_t colon = host.find(':');
        if (colon != std::string_view::npos) {
            name = host.substr(0, colon);
            port = host.substr(colon + 1);
            if (name.empty()) {
                return false;
            }
        }
        // One pass: is_strict_name takes only letters, digits, '-', '.', '_'.
        if (!is_strict_name(name)) {
            return false;
        }
    }
    return all_digits(port);
}

std::optional<HttpError> check_host(const RequestHead& head) {
    const HeaderTable& h = head.headers;
    const HeaderSlot* host = h.find(HeaderId::kHost);
    if (host == nullptr || h.value_of(*host).empty()) {
        if (head.line.proto_num() >= 1001) {
            return HttpError{400, "HTTP/1.1 request without hostname", {}};
        }
        return std::nullopt;
    }
    if (h.next(HeaderId::kHost, host) != nullptr || !is_valid_host(h.value_of(*host))) {
        return HttpError{400, "malformed Host header", {}};
    }
    return std::nullopt;
}

std::optional<HttpError> check_expect(const RequestHead& head, bool& expects_continue) {
    expects_continue = false;
    const HeaderSlot* e = head.headers.find(HeaderId::kExpect);
    if (e == nullptr) {
        return std::nullopt;
    }
    if (!equals_token(head.headers.value_of(*e), "100-continue")) {
        return HttpError{417, "unrecognized expectation", {}};
    }
    expects_continue = head.line.proto_num() >= 1001;
    return std::nullopt;
}

ConnectionOptions parse_connection(const RequestHead& head) {
    ConnectionOptions o;
    const HeaderTable& h = head.headers;
    for (const HeaderSlot* s = h.find(HeaderId::kConnection); s != nullptr;
         s = h.next(HeaderId::kConnection, s)) {
        std::string_view v = h.value_of(*s);
        while (!v.empty()) {
            const std::size_t comma = v.find(',');
            const std::string_view token = trim(v.substr(0, comma));
            o.close |= equals_token(token, "close");
            o.keep_alive |= equals_token(token, "keep-alive");
            o.upgrade |= equals_token(token, "upgrade");
            v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
        }
    }
    return o;
}

bool client_allows_keep_alive(const RequestHead& head) {
    if (head.line.http09) {
        return false;
    }
    const ConnectionOptions o = parse_connection(head);
    if (o.close) {
        return false;
    }
    return head.line.proto_num() >= 1001 || o.keep_alive;
}

}  // namespace sonora::http
