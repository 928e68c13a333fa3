#include <sonora/request.h>

#include "core/strings.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace sonora::request {

Method method_from_name(std::string_view name) {
    switch (name.size()) {
        case 3:
            if (name == "GET") return Method::Get;
            if (name == "PUT") return Method::Put;
            break;
        case 4:
            if (name == "HEAD") return Method::Head;
            if (name == "POST") return Method::Post;
            break;
        case 5:
            if (name == "TRACE") return Method::Trace;
            if (name == "PATCH") return Method::Patch;
            break;
        case 6:
            if (name == "DELETE") return Method::Delete;
            break;
        case 7:
            if (name == "OPTIONS") return Method::Options;
            if (name == "CONNECT") return Method::Connect;
            break;
        default: break;
    }
    return Method::Other;
}

std::optional<std::string_view> find_header(std::span<const Header> table, std::string_view name) {
    for (const Header& h : table) {
        if (equals_nocase(h.name, name)) {
            return h.value;
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::header(std::string_view name) const { return find_header(headers, name); }

std::string_view Request::keep(std::string_view s) const {
    if (s.empty()) {
        return {};
    }
    char* p = static_cast<char*>(arena->allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
}

std::string_view Request::server_host(CanonicalName mode) const {
    switch (mode) {
        case CanonicalName::Off: break;
        case CanonicalName::Dns:
            if (connection != nullptr && connection->local_host_known && !connection->local_host.empty()) {
                return connection->local_host;
            }
            [[fallthrough]];  // no name for the address: httpd falls back to ServerName
        case CanonicalName::On:
            if (!server_name.empty()) {
                return server_name;
            }
            break;
    }
    return self_host();
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    char buf[INET6_ADDRSTRLEN];
    if (text.empty() || text.size() >= sizeof buf) {
        return std::nullopt;
    }
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddress out;
    if (::inet_pton(AF_INET, buf, out.bytes.data()) == 1) {
        out.family = 4;
        return out;
    }
    if (::inet_pton(AF_INET6, buf, out.bytes.data()) != 1) {
        return std::nullopt;
    }
    out.family = 6;
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out.bytes.data(), kMapped, sizeof kMapped) == 0) {
        std::memmove(out.bytes.data(), out.bytes.data() + 12, 4);
        std::memset(out.bytes.data() + 4, 0, 12);
        out.family = 4;
    }
    return out;
}

std::optional<std::string_view> Request::env_get(std::string_view name) const { return find_header(env, name); }

void Request::env_set(std::string_view name, std::string_view value) {
    std::string_view v = keep(value);
    for (Header& h : env) {
        if (equals_nocase(h.name, name)) {
            h.value = v;
            return;
        }
    }
    env.push_back({keep(name), v});
}

void Request::remove_header(std::string_view name) {
    std::erase_if(headers_out, [&](const Header& h) { return equals_nocase(h.name, name); });
}

void Request::merge_header(std::string_view name, std::string_view value) {
    for (Header& h : headers_out) {
        if (equals_nocase(h.name, name)) {
            std::string merged;
            merged.reserve(h.value.size() + 2 + value.size());
            merged.append(h.value).append(", ").append(value);
            h.value = keep(merged);
            return;
        }
    }
    headers_out.push_back({keep(name), keep(value)});
}

void Request::env_unset(std::string_view name) {
    std::erase_if(env, [&](const Header& h) { return equals_nocase(h.name, name); });
}

}  // namespace sonora::request
