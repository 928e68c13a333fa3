#include "modules/core/self_url.h"

#include "core/strings.h"
#include "modules/core/core_config.h"

namespace sonora::modules::core {

std::string self_url(const request::Request& r, const ConfigVector& dir_config, std::string_view path) {
    const CoreServerConfig& server = server_config(*r.server);
    const auto* dir = dir_config.get<CoreDirConfig>(core_module.index);
    const bool canonical =
        dir != nullptr && dir->use_canonical_name.value_or(Tristate::Off) == Tristate::On;
    const bool physical = dir != nullptr && dir->use_canonical_phys_port.value_or(false);
    std::string scheme = server.server_scheme ? *server.server_scheme : std::string("http");
    const int default_port = equals_nocase(scheme, "https") ? 443 : 80;
    const int server_port = server.server_port.value_or(0);

    std::string_view host;
    int port = 0;
    if (canonical) {
        host = !r.server_name.empty() ? r.server_name : r.self_host();
        port = server_port != 0 ? server_port : physical && r.local_port != 0 ? r.local_port : default_port;
    } else {
        host = r.self_host();
        // The port the client named in Host comes first.
        if (r.host_port != 0) {
            port = r.host_port;
        } else if (physical && r.local_port != 0) {
            port = r.local_port;
        } else {
            port = server_port != 0 ? server_port : default_port;
        }
    }
    std::string url = scheme;
    url.append("://");
    if (host.find(':') != std::string_view::npos && host.front() != '[') {
        url.append("[").append(host).append("]");
    } else {
        url.append(host);
    }
    if (port != default_port) {
        url.append(":").append(std::to_string(port));
    }
    url.append(path);
    return url;
}

}  // namespace sonora::modules::core
