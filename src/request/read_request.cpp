#include "request/read_request.h"

#include "core/strings.h"
#include "http/char_class.h"
#include "http/request_checks.h"
#include "http/uri.h"
#include "modules/core/core_config.h"

#include <algorithm>
#include <cstring>
#include <cctype>
#include <charconv>

namespace sonora::request {

namespace {


// TraceEnable of the virtual host the request is for (httpd's default: On).
bool trace_enabled(const Server& server) {
    return modules::core::server_config(server).trace_enable.value_or(modules::core::Tristate::On) !=
           modules::core::Tristate::Off;
}

// What apr_uri_parse_hostinfo takes from a CONNECT line: host (or [v6]), a colon,
// and a port that is empty or digits only.
bool is_host_and_port(std::string_view a) {
    std::size_t colon;
    if (a.starts_with('[')) {
        const std::size_t close = a.find(']');
        if (close == std::string_view::npos || close + 1 >= a.size() || a[close + 1] != ':') {
            return false;
        }
        colon = close + 1;
    } else {
        colon = a.find(':');
        if (colon == 0 || colon == std::string_view::npos) {
            return false;
        }
        const std::string_view host = a.substr(0, colon);
        if (!std::all_of(host.begin(), host.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'; })) {
            return false;
        }
    }
    const std::string_view port = a.substr(colon + 1);
    return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

HostParts split_host(std::string_view value) {
    HostParts out;
    std::string_view h = trim(value);
    if (h.empty()) {
        return out;
    }
    std::string_view after;
    if (h.front() == '[') {
        const std::size_t close = h.find(']');
        if (close == std::string_view::npos) {
            out.name = h;
            return out;
        }
        after = h.substr(close + 1);
        h = h.substr(0, close + 1);
    } else if (const std::size_t colon = h.find(':'); colon != std::string_view::npos) {
        after = h.substr(colon);
        h = h.substr(0, colon);
    }
    if (after.size() > 1 && after.front() == ':') {
        std::from_chars(after.data() + 1, after.data() + after.size(), out.port);
    }
    out.name = h;
    return out;
}

http::ProtocolOptions protocol_options(const Server& default_server) {
    const auto& core = modules::core::server_config(default_server);
    http::ProtocolOptions o;
    o.unsafe = core.protocol_unsafe.value_or(false);
    o.registered_methods = core.registered_methods_only.value_or(false);
    o.allow_http09 = !core.require_http10.value_or(false);
    o.extra_methods = core.registered_methods;
    return o;
}

namespace {

// httpd's fix_hostname lowercases the host it keeps (SERVER_NAME, %V,
// self-referencing URLs); a view of the head when it is lowercase already.
std::string_view lowered_host(const Request& r, std::string_view host) {
    if (std::none_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return host;
    }
    std::pmr::string low(host, r.arena);
    for (char& c : low) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return r.keep(low);
}

}  // namespace

HeadVerdict read_request_head(Request& r, const http::RequestHead& head, std::span<Header> storage,
                              const Walker& walker, std::string_view local_ip, bool unsafe) {
    r.method_name = head.line.method;
    r.unsafe_protocol = unsafe;
    r.method = method_from_name(head.line.method);
    r.version = head.line.version_major * 10 + head.line.version_minor;
    const std::size_t n = std::min(head.headers.size(), storage.size());
    for (std::size_t i = 0; i < n; ++i) {
        http::HeaderField f = head.headers.at(i);
        storage[i] = Header{f.name, f.value};
    }
    r.headers = storage.first(n);
    r.target = head.line.target;
    if (auto host = r.header("Host")) {
        HostParts parts = split_host(*host);
        r.host = lowered_host(r, parts.name);
        r.host_port = parts.port;
    }
    if (head.line.form == http::TargetForm::kAbsolute) {
        // An absolute target's host and port win over Host (RFC 9112 3.2.2),
        // for the virtual host too, as httpd takes r->hostname from the URI.
        std::string_view authority = http::split_target(head.line.target, head.line.form).authority;
        authority.remove_prefix(authority.rfind('@') + 1);
        if (!authority.empty()) {
            HostParts parts = split_host(authority);
            r.host = lowered_host(r, parts.name);
            r.host_port = parts.port;
        }
    }

    HeadVerdict verdict;
    if (auto err = http::check_host(head, unsafe)) {
        verdict.status = err->status;
    } else if (auto expect_err = http::check_expect(head, verdict.expects_continue)) {
        verdict.status = expect_err->status;
    }
    bool unknown_host = false;
    r.server = &walker.select_server(r.local_port, local_ip, r.host, &unknown_host);
    if (unknown_host && verdict.status == 0) {
        verdict.status = 400;  // StrictHostCheck On: the Host names none of the address's virtual hosts
    }
    return verdict;
}

int decode_target(Request& r, http::TargetForm form) {
    http::TargetParts parts = http::split_target(r.target, form);
    if (parts.has_query) {
        r.query = parts.query;
    }
    if (r.host.empty() && !parts.authority.empty()) {
        std::string_view a = parts.authority;
        a.remove_prefix(a.rfind('@') + 1);  // Unsafe lets userinfo through; it names no host
        r.host = lowered_host(r, a.substr(0, a.find(':')));
    }
    if (parts.path == "*") {
        r.uri.assign("*");
        return 0;
    }
    // httpd puts an absolute URI's host in place of the Host header and holds it
    // to the same Strict rules ("http://localhost:80x/", "http://0x7f.1/" are 400).
    if (form == http::TargetForm::kAbsolute && !http::is_valid_authority(parts.authority, r.unsafe_protocol)) {
        return 400;
    }
    if (r.method == Method::Connect && form != http::TargetForm::kAuthority) {
        return 400;  // httpd reads a CONNECT target as host:port only
    }
    if (form == http::TargetForm::kAuthority) {
        // httpd takes CONNECT's host:port and, with no proxy to claim it, serves the
        // request as "/" (access checks, then the default handler's 405).
        if (!is_host_and_port(r.target)) {
            return 400;
        }
        r.uri.assign("/");
        return 0;
    }
    // httpd reads a path, not a URI, here: leading slashes collapse to one
    // even under MergeSlashes Off, so "//private" is "/private".
    std::string_view path = parts.path;
    while (path.size() > 1 && path[0] == '/' && path[1] == '/') {
        path.remove_prefix(1);
    }
    r.uri.resize(path.size() + 1);
    http::NormalizeOptions options;
    options.merge_slashes = modules::core::server_config(*r.server).merge_slashes.value_or(true);
    http::PathResult pr = http::decode_request_path(path, r.uri.data(), r.uri.size(), options);
    if (pr.status != http::PathStatus::kOk) {
        r.uri.assign(parts.path);  // httpd keeps (and logs) the undecodable path as sent
        return http::http_status(pr.status);
    }
    r.uri.resize(pr.length);
    return 0;
}

void run_request(Request& r, Context& ctx, int status, http::TargetForm form, std::shared_ptr<const FileEntry>& file_ref) {
    if (status == 0 && r.method == Method::Trace && trace_enabled(*r.server)) {
        // httpd rebuilds the head it echoes: the request line, each field as
        // "Name: value", and the empty line that ended it.
        std::pmr::string echo(r.arena);
        echo.append(r.the_request).append("\r\n");
        for (const Header& h : r.headers) {
            echo.append(h.name).append(": ").append(h.value).append("\r\n");
        }
        echo.append("\r\n");
        r.content_type.assign("message/http");
        r.body.kind = Body::Kind::Memory;
        r.body.memory = r.keep(echo);
    } else if (status == 0 && form == http::TargetForm::kAsterisk) {
        // `OPTIONS *` asks about the server, not a resource: httpd answers it at
        // map_to_storage (before any access check) with a bare 200, no Allow.
        r.uri.assign("*");
        r.dir_config = &r.server->lookup_defaults;
        r.body.kind = Body::Kind::Memory;
        r.body.memory = {};
    } else {
        if (status == 0) {
            status = decode_target(r, form);
        }
        if (status != 0) {
            r.dir_config = &r.server->lookup_defaults;
            error_response(r, ctx, status, status == 417 ? r.header("Expect").value_or(std::string_view{})
                                                         : std::string_view{});
        } else {
            process_request(r, ctx, file_ref);
        }
    }
    if (!r.awaiting_host_name && r.exchange == nullptr) {
        finish_headers(r, ctx);
    }
    if (r.server_name.empty()) {
        // Requests answered before the phases ran still name their server.
        r.server_name = configured_server_name(*r.server);
    }
}

namespace {

// A control byte other than HTAB, or DEL: what no field value may hold.
// Every response pays for this scan, so it looks at eight bytes at a time
// and goes byte by byte only from a word that may hold one.
bool has_control_byte(std::string_view s) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ull;
    constexpr std::uint64_t kHighs = 0x8080808080808080ull;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, s.data() + i, 8);
        const std::uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
        const std::uint64_t y = x ^ (kOnes * 0x7f);
        const std::uint64_t del = (y - kOnes) & ~y & kHighs;
        if ((below_space | del) != 0) {
            break;
        }
    }
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool has_invalid_response_header(const Request& r) {
    for (const Header& h : r.headers_out) {
        bool name_ok = !h.name.empty();
        for (char c : h.name) {
            if (!http::detail::has_class(c, http::detail::kTchar)) {
                name_ok = false;
                break;
            }
        }
        if (!name_ok) {
            // Only a name that is no token needs the server's setting: Unsafe takes
            // any visible text.
            const bool unsafe =
                r.server != nullptr && modules::core::server_config(*r.server).protocol_unsafe.value_or(false);
            if (!unsafe || h.name.empty()) {
                return true;
            }
            for (char c : h.name) {
                if (!http::detail::has_class(c, http::detail::kTargetChar)) {
                    return true;
                }
            }
        }
        if (has_control_byte(h.value)) {
            return true;
        }
    }
    return false;
}

std::string_view configured_server_name(const Server& s) {
    const auto& name = modules::core::server_config(s).server_name;
    return name ? std::string_view(*name) : std::string_view{};
}

int hostname_lookups(const Request& r) {
    const auto* core = r.dir_config != nullptr
                           ? r.dir_config->get<modules::core::CoreDirConfig>(modules::core::core_module.index)
                           : nullptr;
    switch (core != nullptr ? core->hostname_lookups.value_or(modules::core::Tristate::Off)
                            : modules::core::Tristate::Off) {
        case modules::core::Tristate::Off: return 0;
        case modules::core::Tristate::On: return 1;
        case modules::core::Tristate::Third: return 2;
    }
    return 0;
}

std::uint64_t body_limit(const Request& r) { return modules::core::limit_request_body(r); }

bool refuse_large_body(Request& r, Context& ctx, std::uint64_t body_length,
                       std::shared_ptr<const FileEntry>& file_ref) {
    if (body_length == 0 || r.dir_config == nullptr) {
        return false;
    }
    const std::uint64_t limit = body_limit(r);
    if (limit == 0 || body_length <= limit) {
        return false;
    }
    file_ref.reset();
    r.headers_out.clear();
    r.err_headers_out.clear();  // the 413's own head is edited afresh (finish_headers)
    r.keep_alive = false;
    error_response(r, ctx, 413);
    finish_headers(r, ctx);
    return true;
}

}  // namespace sonora::request
