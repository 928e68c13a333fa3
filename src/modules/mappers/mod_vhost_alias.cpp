// httpd's mod_vhost_alias: VirtualDocumentRoot, VirtualDocumentRootIP,
// VirtualScriptAlias, VirtualScriptAliasIP.

#include "modules/mappers/mod_vhost_alias.h"

#include "core/strings.h"
#include "modules/core/no_cgi.h"
#include "modules/core/self_url.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <cctype>
#include <vector>

namespace sonora::modules::mappers {

namespace {

using Args = std::span<const std::string>;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The format's %-specifiers: %p, %%, or %[-]N[+][.[-]M[+]].
std::optional<std::string> check_format(std::string_view f) {
    std::size_t i = 0;
    auto optional_char = [&](char c) {
        if (i < f.size() && f[i] == c) {
            ++i;
        }
    };
    while (i < f.size()) {
        if (f[i++] != '%') {
            continue;
        }
        if (i < f.size() && (f[i] == 'p' || f[i] == '%')) {
            ++i;
            continue;
        }
        optional_char('-');
        if (i >= f.size() || !is_digit(f[i])) {
            return std::string("syntax error in format string");
        }
        ++i;
        optional_char('+');
        if (i >= f.size() || f[i] != '.') {
            continue;
        }
        ++i;
        optional_char('-');
        if (i >= f.size() || !is_digit(f[i])) {
            return std::string("syntax error in format string");
        }
        ++i;
        optional_char('+');
    }
    return std::nullopt;
}

CmdResult set_mapping(Cmd& cmd, Args a) {
    const std::string_view name = cmd.spec().name;
    auto& c = cmd.conf<VhostAliasServerConfig>();
    auto& slot = name.starts_with("VirtualDocumentRoot") ? c.doc_root : c.script_root;
    VhostMapping m;
    if (a[0].empty() || a[0].front() != '/') {
        if (!equals_nocase(a[0], "none")) {
            return std::string("format string must be an absolute path, or 'none'");
        }
        slot = m;  // none: this server maps nothing, whatever its parent does
        return std::nullopt;
    }
    if (auto err = check_format(a[0])) {
        return err;
    }
    m.source = name.ends_with("IP") ? VhostMapping::Source::Address : VhostMapping::Source::Name;
    m.format = a[0];
    slot = std::move(m);
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"VirtualScriptAlias", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_mapping,
     "how to create a ScriptAlias based on the host"},
    {"VirtualDocumentRoot", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_mapping,
     "how to create the DocumentRoot based on the host"},
    {"VirtualScriptAliasIP", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_mapping,
     "how to create a ScriptAlias based on the host"},
    {"VirtualDocumentRootIP", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_mapping,
     "how to create the DocumentRoot based on the host"},
};

int translate_vhost(request::Request& r, Services&) {
    if (r.server == nullptr) {
        return kDeclined;
    }
    const auto* c = r.server->module_config.get<VhostAliasServerConfig>(vhost_alias_module.index);
    if (c == nullptr) {
        return kDeclined;
    }
    // "cgi-bin/" right after the leading slashes goes to the script root.
    std::string_view uri = r.uri;
    const VhostMapping* map = nullptr;
    bool script = false;
    if (c->script_root && c->script_root->source != VhostMapping::Source::None) {
        const std::size_t slashes = uri.find_first_not_of('/');
        if (slashes != std::string_view::npos && uri.substr(slashes).starts_with("cgi-bin/")) {
            map = &*c->script_root;
            uri.remove_prefix(slashes + std::string_view("cgi-bin").size());
            script = true;
        }
    }
    if (map == nullptr) {
        if (uri.empty() || uri.front() != '/' || !c->doc_root || c->doc_root->source == VhostMapping::Source::None) {
            return kDeclined;
        }
        map = &*c->doc_root;
    }
    const std::string_view name =
        map->source == VhostMapping::Source::Name ? r.server_host()
                                                  : (r.connection != nullptr ? r.connection->local_ip : std::string_view());
    const int port = r.dir_config != nullptr ? core::server_port(r, *r.dir_config) : r.local_port;
    r.filename.assign(interpolate_vhost(map->format, name, port, uri));
    if (script) {
        r.handler.assign(core::kCgiScriptHandler);  // as ScriptAlias: a script whatever its name
        r.notes.push_back({"alias-forced-type", core::kCgiScriptHandler});
    }
    return kOk;
}

void vhost_alias_register_hooks(HookRegistry& hooks) {
    // After mod_alias's (Middle), whatever the LoadModule order, as httpd
    // orders it; before core's DocumentRoot mapping.
    hooks.add(Phase::TranslateName, translate_vhost, HookOrder::Last);
}

}  // namespace

std::string interpolate_vhost(std::string_view format, std::string_view name, int port, std::string_view uri) {
    // Where each part of the name starts and ends: dots[0] is "before the
    // name", dots[ndots] its end; at most 19 of them, as httpd.
    constexpr std::size_t kMaxDots = 19;
    std::vector<std::size_t> dots;  // one past each separator; dots[0] = 0
    dots.push_back(0);
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '.' && dots.size() < kMaxDots) {
            dots.push_back(i + 1);
        }
    }
    const std::size_t ndots = dots.size();
    dots.push_back(name.size() + 1);
    // The part boundaries as [begin, end) offsets: part k (1-based) is
    // [dots[k-1], dots[k] - 1).
    auto part_end = [&](std::size_t k) { return dots[k] - 1; };
    std::string out;
    char last = 0;
    std::size_t i = 0;
    while (i < format.size()) {
        if (format[i] != '%') {
            last = format[i];
            out.push_back(format[i++]);
            continue;
        }
        ++i;
        last = 0;
        if (i < format.size() && format[i] == '%') {
            out.push_back('%');
            ++i;
            continue;
        }
        if (i < format.size() && format[i] == 'p') {
            out.append(std::to_string(port));
            ++i;
            continue;
        }
        bool n_dash = false, n_plus = false, m_dash = false, m_plus = false;
        std::size_t m = 0;
        if (i < format.size() && format[i] == '-') {
            n_dash = true;
            ++i;
        }
        const std::size_t n = i < format.size() ? static_cast<std::size_t>(format[i++] - '0') : 0;
        if (i < format.size() && format[i] == '+') {
            n_plus = true;
            ++i;
        }
        if (i < format.size() && format[i] == '.') {
            ++i;
            if (i < format.size() && format[i] == '-') {
                m_dash = true;
                ++i;
            }
            m = i < format.size() ? static_cast<std::size_t>(format[i++] - '0') : 0;
            if (i < format.size() && format[i] == '+') {
                m_plus = true;
                ++i;
            }
        }
        std::string_view piece = name;
        bool missing = false;
        if (n != 0) {
            if (n > ndots) {
                missing = true;
            } else if (!n_dash) {
                const std::size_t begin = dots[n - 1];
                const std::size_t end = n_plus ? name.size() : part_end(n);
                piece = name.substr(begin, end - begin);
            } else {
                const std::size_t begin = n_plus ? 0 : dots[ndots - n];
                const std::size_t end = part_end(ndots - n + 1);
                piece = name.substr(begin, end - begin);
            }
        }
        if (!missing && m != 0) {
            if (m > piece.size()) {
                missing = true;
            } else if (!m_dash) {
                piece = m_plus ? piece.substr(m - 1) : piece.substr(m - 1, 1);
            } else {
                piece = m_plus ? piece.substr(0, piece.size() - m + 1) : piece.substr(piece.size() - m, 1);
            }
        }
        if (missing) {
            out.push_back('_');
            continue;
        }
        for (char ch : piece) {
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        }
    }
    // No doubled slash where the format ends with one.
    if (last == '/' && !uri.empty() && uri.front() == '/') {
        uri.remove_prefix(1);
    }
    out.append(uri);
    return out;
}

VhostAliasServerConfig VhostAliasServerConfig::merge(const VhostAliasServerConfig& base,
                                                     const VhostAliasServerConfig& add) {
    VhostAliasServerConfig c;
    c.doc_root = add.doc_root ? add.doc_root : base.doc_root;
    c.script_root = add.script_root ? add.script_root : base.script_root;
    return c;
}

Module vhost_alias_module{
    .name = "vhost_alias_module",
    .source = "mod_vhost_alias.c",
    .directives = kDirectives,
    .server_config = config_ops<VhostAliasServerConfig>(),
    .register_hooks = vhost_alias_register_hooks,
};

}  // namespace sonora::modules::mappers
