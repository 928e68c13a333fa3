#include "http/request_checks.h"

#include "http/char_class.h"

#include <arpa/inet.h>

#include <string>
#include <string_view>

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
            if (i + 1 < name.size() && name[i + 1] == '.') {
                return false;  // an empty label
            }
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

// A port as httpd takes it: digits (leading zeros allowed) worth 1 to 65535.
bool is_valid_port(std::string_view port) {
    if (port.empty() || !all_digits(port)) {
        return false;
    }
    unsigned value = 0;
    for (char c : port) {
        value = value * 10 + static_cast<unsigned>(c - '0');
        if (value > 65535) {
            return false;
        }
    }
    return value != 0;
}

bool parses_as_ipv6(std::string_view literal) {
    if (!is_ipv6_literal(literal) || literal.size() > 64) {
        return false;
    }
    char text[65];
    literal.copy(text, literal.size());
    text[literal.size()] = '\0';
    in6_addr addr{};
    return ::inet_pton(AF_INET6, text, &addr) == 1;
}

// "[v6]" optionally followed by ":port".
bool is_valid_bracketed(std::string_view host) {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || !parses_as_ipv6(host.substr(1, close - 1))) {
        return false;
    }
    const std::string_view rest = host.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_valid_port(rest.substr(1)));
}

}  // namespace

bool is_valid_host_unsafe(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        return is_valid_bracketed(host);
    }
    std::string_view name = host;
    const std::size_t colon = host.rfind(':');
    if (colon != std::string_view::npos && colon + 1 < host.size() && all_digits(host.substr(colon + 1))) {
        name = host.substr(0, colon);
        if (name.empty() || !is_valid_port(host.substr(colon + 1))) {
            return false;
        }
    }
    return name.find_first_of("/\\") == std::string_view::npos && name.find("..") == std::string_view::npos;
}

bool is_valid_authority(std::string_view authority, bool unsafe) {
    if (!unsafe) {
        return is_valid_host(authority);
    }
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    if (!authority.empty() && authority.front() == '[') {
        return is_valid_bracketed(authority);
    }
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
        const std::string_view port = authority.substr(colon + 1);
        if (!all_digits(port) || (!port.empty() && !is_valid_port(port))) {
            return false;
        }
        authority = authority.substr(0, colon);
    }
    return !authority.empty() && is_valid_host_unsafe(authority);
}

bool is_valid_host(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        // The characters alone let "[4712::abcd::]" through; the address must parse.
        return is_valid_bracketed(host);
    }
    std::string_view name = host;
    const std::size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
        name = host.substr(0, colon);
        if (name.empty() || !is_valid_port(host.substr(colon + 1))) {
            return false;
        }
    }
    // One pass: is_strict_name takes only letters, digits, '-', '.', '_'.
    return is_strict_name(name);
}

std::optional<HttpError> check_host(const RequestHead& head, bool unsafe) {
    const HeaderTable& h = head.headers;
    const HeaderSlot* host = h.find(HeaderId::kHost);
    if (head.line.form == TargetForm::kAbsolute) {
        if (host == nullptr && head.line.proto_num() >= 1001) {
            return HttpError{400, "HTTP/1.1 request without hostname", {}};
        }
        return std::nullopt;
    }
    if (host == nullptr || h.value_of(*host).empty()) {
        if (head.line.proto_num() >= 1001) {
            return HttpError{400, "HTTP/1.1 request without hostname", {}};
        }
        return std::nullopt;
    }
    const HeaderSlot* again = h.next(HeaderId::kHost, host);
    if (!unsafe) {
        if (again != nullptr || !is_valid_host(h.value_of(*host))) {
            return HttpError{400, "malformed Host header", {}};
        }
        return std::nullopt;
    }
    if (again == nullptr) {
        if (!is_valid_host_unsafe(h.value_of(*host))) {
            return HttpError{400, "malformed Host header", {}};
        }
        return std::nullopt;
    }
    // httpd joins repeated fields with ", " and checks the one value.
    std::string joined(h.value_of(*host));
    for (; again != nullptr; again = h.next(HeaderId::kHost, again)) {
        joined.append(", ").append(h.value_of(*again));
    }
    if (!is_valid_host_unsafe(joined)) {
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
