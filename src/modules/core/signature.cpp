#include "modules/core/signature.h"

#include "core/strings.h"
#include "modules/core/core_config.h"

namespace sonora::modules::core {

namespace {

const CoreDirConfig* core_dir(const request::Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<CoreDirConfig>(core_module.index) : nullptr;
}

bool canonical(const request::Request& r) {
    const CoreDirConfig* dir = core_dir(r);
    return dir != nullptr && dir->use_canonical_name.value_or(Tristate::Off) == Tristate::On;
}

}  // namespace

std::string_view server_name(const request::Request& r) {
    return canonical(r) && !r.server_name.empty() ? r.server_name : r.self_host();
}

int server_port(const request::Request& r) {
    if (canonical(r)) {
        const int port = r.server != nullptr ? server_config(*r.server).server_port.value_or(0) : 0;
        return port != 0 ? port : 80;
    }
    return r.host_port != 0 ? r.host_port : 80;
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
