#include "modules/core/signature.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/self_url.h"

namespace sonora::modules::core {

namespace {

const CoreDirConfig* core_dir(const request::Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<CoreDirConfig>(core_module.index) : nullptr;
}

}  // namespace

// The configuration the request runs under decides, as httpd reads
// r->per_dir_config; before there is one, the Host decides.
std::string_view server_name(const request::Request& r) {
    return r.dir_config != nullptr ? r.server_host(canonical_name(*r.dir_config)) : r.self_host();
}

int server_port(const request::Request& r) {
    if (r.dir_config == nullptr || r.server == nullptr) {
        return r.host_port != 0 ? r.host_port : 80;
    }
    return server_port(r, *r.dir_config);
}

std::string server_signature(const request::Request& r, std::string_view banner, std::string_view prefix) {
    const CoreDirConfig* dir = core_dir(r);
    const Tristate mode = dir != nullptr ? dir->server_signature.value_or(Tristate::Off) : Tristate::Off;
    if (mode == Tristate::Off) {
        return {};
    }
    std::string s(prefix);
    s.append("<address>").append(banner).append(" Server at ");
    const auto* admin = r.server != nullptr ? &server_config(*r.server).server_admin : nullptr;
    if (mode == Tristate::Third && admin != nullptr && *admin) {
        const std::string& address = **admin;
        s += "<a href=\"";
        if (address.find(':') == std::string::npos) {
            s += "mailto:";
        }
        append_html_escaped(s, address);
        s += "\">";
        append_html_escaped(s, server_name(r));
        s += "</a>";
    } else {
        append_html_escaped(s, server_name(r));
    }
    s.append(" Port ").append(std::to_string(server_port(r))).append("</address>\n");
    return s;
}

}  // namespace sonora::modules::core
