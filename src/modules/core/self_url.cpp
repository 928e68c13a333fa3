#include "modules/core/self_url.h"

#include "core/strings.h"
#include "modules/core/core_config.h"

namespace sonora::modules::core {

namespace {

std::string_view scheme_of(const CoreServerConfig& server) {
    return server.server_scheme ? std::string_view(*server.server_scheme) : std::string_view("http");
}

int default_port(std::string_view scheme) { return equals_nocase(scheme, "https") ? 443 : 80; }

// Notes UseCanonicalName for `dir_config` on the request; under DNS the
// local address's name must be known before the phases go on.
int note_canonical_name(request::Request& r, const ConfigVector& dir_config) {
    r.canonical_name = canonical_name(dir_config);
    if (r.canonical_name != request::CanonicalName::Dns || r.connection == nullptr ||
        r.connection->local_host_known || r.connection->lookups == nullptr) {
        return kOk;
    }
    return r.connection->lookups->local_host() ? kOk : kAwaitHostName;
}

int canonical_name_translate(request::Request& r, Services&) {
    if (r.server == nullptr) {
        return kDeclined;
    }
    const int rc = note_canonical_name(r, r.server->lookup_defaults);
    return rc == kOk ? kDeclined : rc;
}

int canonical_name_header_parser(request::Request& r, Services&) {
    return r.dir_config != nullptr ? note_canonical_name(r, *r.dir_config) : kOk;
}

}  // namespace

request::CanonicalName canonical_name(const ConfigVector& dir_config) {
    const auto* dir = dir_config.get<CoreDirConfig>(core_module.index);
    switch (dir != nullptr ? dir->use_canonical_name.value_or(Tristate::Off) : Tristate::Off) {
        case Tristate::On: return request::CanonicalName::On;
        case Tristate::Third: return request::CanonicalName::Dns;
        case Tristate::Off: break;
    }
    return request::CanonicalName::Off;
}

int server_port(const request::Request& r, const ConfigVector& dir_config) {
    const CoreServerConfig& server = server_config(*r.server);
    const auto* dir = dir_config.get<CoreDirConfig>(core_module.index);
    const bool physical = dir != nullptr && dir->use_canonical_phys_port.value_or(false);
    const int configured = server.server_port.value_or(0);
    const int fallback = default_port(scheme_of(server));
    if (canonical_name(dir_config) == request::CanonicalName::On) {
        return configured != 0 ? configured : physical && r.local_port != 0 ? r.local_port : fallback;
    }
    // Off and DNS: the port the client named in Host comes first.
    if (r.host_port != 0) {
        return r.host_port;
    }
    if (physical && r.local_port != 0) {
        return r.local_port;
    }
    return configured != 0 ? configured : fallback;
}

std::string self_url(const request::Request& r, const ConfigVector& dir_config, std::string_view path) {
    const std::string_view scheme = scheme_of(server_config(*r.server));
    const std::string_view host = r.server_host(canonical_name(dir_config));
    const int port = server_port(r, dir_config);
    std::string url(scheme);
    url.append("://");
    if (host.find(':') != std::string_view::npos && host.front() != '[') {
        url.append("[").append(host).append("]");
    } else {
        url.append(host);
    }
    if (port != default_port(scheme)) {
        url.append(":").append(std::to_string(port));
    }
    url.append(path);
    return url;
}

void canonical_name_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::TranslateName, canonical_name_translate, HookOrder::ReallyFirst);
    hooks.add(Phase::HeaderParser, canonical_name_header_parser, HookOrder::ReallyFirst);
}

}  // namespace sonora::modules::core
