// mod_alias's redirects at request time.
//
// As in httpd, the server-level lists (a virtual host's entries, then the
// main server's) are tried at translate_name, before any file mapping, so a
// redirected URL never reaches the file system; the per-directory entries
// (<Directory>, <Location>, <Files>, and the one-argument section form) are
// tried at fixups, once the request's sections are known. A 3xx answer
// carries an absolute Location; other statuses (gone, 404 ...) answer alone.

#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"
#include "modules/core/core_config.h"
#include "modules/core/self_url.h"
#include "modules/mappers/mod_alias.h"

#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::mappers {

namespace {

bool path_safe(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view kSafe = "$-_.+!*'(),:;@&=/~";
    return c != '\0' && kSafe.find(static_cast<char>(c)) != std::string_view::npos;
}

// apr_uri_port_of_scheme's table: the ports apr_uri_unparse leaves out.
int default_port_of(std::string_view scheme) {
    struct Known {
        std::string_view name;
        int port;
    };
    static constexpr Known kKnown[] = {
        {"http", 80},   {"ftp", 21},    {"https", 443}, {"gopher", 70},   {"ldap", 389},
        {"nntp", 119},  {"snews", 563}, {"imap", 143},  {"pop", 110},     {"sip", 5060},
        {"rtsp", 554},  {"wais", 210},  {"z39.50r", 210}, {"z39.50s", 210}, {"prospero", 191},
        {"nfs", 2049},  {"tip", 3372},  {"acap", 674},  {"telnet", 23},   {"ssh", 22},
    };
    for (const Known& k : kKnown) {
        if (equals_nocase(scheme, k.name)) {
            return k.port;
        }
    }
    return 0;
}

// "scheme://host:80/..." loses a port that the scheme implies, as a round
// trip through apr_uri_parse/apr_uri_unparse does.
std::string drop_default_port(std::string_view url) {
    std::size_t colon = url.find(':');
    if (colon == std::string_view::npos || url.substr(colon + 1, 2) != "//" ||
        !is_url(url.substr(0, colon + 1))) {
        return std::string(url);
    }
    std::size_t host_begin = colon + 3;
    std::size_t host_end = url.find('/', host_begin);
    if (host_end == std::string_view::npos) {
        host_end = url.size();
    }
    std::string_view hostinfo = url.substr(host_begin, host_end - host_begin);
    std::size_t at = hostinfo.rfind('@');
    std::string_view hostport = at == std::string_view::npos ? hostinfo : hostinfo.substr(at + 1);
    std::size_t port_colon = hostport.rfind(':');
    if (port_colon == std::string_view::npos || hostport.find(']', port_colon) != std::string_view::npos) {
        return std::string(url);
    }
    std::string_view port = hostport.substr(port_colon + 1);
    if (port.empty() || port.size() > 5) {
        return std::string(url);
    }
    int n = 0;
    for (char c : port) {
        if (c < '0' || c > '9') {
            return std::string(url);
        }
        n = n * 10 + (c - '0');
    }
    if (n == 0 || n != default_port_of(url.substr(0, colon))) {
        return std::string(url);
    }
    std::size_t cut_begin = host_begin + (hostinfo.size() - hostport.size()) + port_colon;
    std::string out(url.substr(0, cut_begin));
    out.append(url.substr(host_end));
    return out;
}

// httpd's "r->args is set": a "?" alone counts, and gains the target a "?".
// The request layer leaves the query view null when the URL has no "?" (and
// when an internal redirect's target has none).
bool has_query(const request::Request& r) {
    return !r.query.empty() || r.query.data() != nullptr;
}

// The shared tail of httpd's translate_alias_redir and fixup_redir: a 3xx
// target is made absolute (unless RedirectRelative allows a local path),
// must then be a URL, gains the request's query unless it has its own, and
// becomes the Location.
// `dir_config` is what the request's per-directory settings are at this point.
int answer(request::Request& r, const ConfigVector& dir_config, std::string target, int status) {
    if (status < 300 || status > 399) {
        return status;
    }
    const auto* alias = dir_config.get<AliasDirConfig>(alias_module.index);
    const bool relative_ok = alias != nullptr && alias->allow_relative.value_or(false);
    if (!relative_ok || target.empty() || target.front() != '/') {
        if (!target.empty() && target.front() == '/') {
            target = core::self_url(r, dir_config, target);
        }
        if (!is_url(target)) {
            return 500;
        }
    }
    if (has_query(r) && target.find('?') == std::string::npos) {
        target.append("?").append(r.query);
    }
    r.add_header("Location", r.keep(target));
    return status;
}

// httpd's try_redirect: the one-argument Redirect of the sections merged
// into r.dir_config so far.
int section_redirect(request::Request& r, const LocationRedirect& redirect) {
    std::string target;
    if (redirect.target) {
        expr::RequestContext ctx(r);
        target = escape_redirect_url(expr::evaluate_string(*redirect.target, ctx));
    }
    return answer(r, *r.dir_config, std::move(target), redirect.status);
}

// Before the mapping, r.dir_config holds the <Location> sections (walked
// before translate_name, as httpd does); the error page reads them too.
int translate_redirect(request::Request& r, Services&) {
    if (r.server == nullptr || r.dir_config == nullptr || (!r.uri.empty() && r.uri.front() != '/')) {
        return kDeclined;
    }
    if (const auto* dir = r.dir_config->get<AliasDirConfig>(alias_module.index); dir != nullptr && dir->redirect) {
        return section_redirect(r, *dir->redirect);
    }
    const auto* conf = r.server->module_config.get<AliasServerConfig>(alias_module.index);
    if (conf == nullptr || conf->redirects.empty()) {
        return kDeclined;
    }
    auto hit = find_redirect(conf->redirects, r.uri);
    if (!hit) {
        return kDeclined;
    }
    return answer(r, *r.dir_config, std::move(hit->target), hit->status);
}

int fixup_redirect(request::Request& r, Services&) {
    const auto* dir = r.dir_config != nullptr ? r.dir_config->get<AliasDirConfig>(alias_module.index) : nullptr;
    if (dir == nullptr) {
        return kDeclined;
    }
    if (dir->redirect) {
        return section_redirect(r, *dir->redirect);
    }
    if (dir->redirects.empty()) {
        return kDeclined;
    }
    auto hit = find_redirect(dir->redirects, r.uri);
    if (!hit) {
        return kDeclined;
    }
    return answer(r, *r.dir_config, std::move(hit->target), hit->status);
}

}  // namespace

std::string escape_path(std::string_view path) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(path.size());
    for (char ch : path) {
        auto c = static_cast<unsigned char>(ch);
        if (path_safe(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

std::string escape_redirect_url(std::string_view url) {
    std::size_t end = url.find_first_of("?#");
    std::string out = escape_path(drop_default_port(url.substr(0, end)));
    if (end != std::string_view::npos) {
        // Query and fragment go out as written.
        out.append(url.substr(end));
    }
    return out;
}

std::optional<RedirectHit> find_redirect(std::span<const RedirectEntry> entries, std::string_view uri) {
    std::vector<std::string_view> groups;
    for (const RedirectEntry& e : entries) {
        if (e.regex) {
            if (!e.regex->match(uri, groups)) {
                continue;
            }
            if (!e.url) {
                return RedirectHit{{}, e.status};
            }
            return RedirectHit{escape_redirect_url(substitute_groups(*e.url, groups)), e.status};
        }
        std::size_t matched = alias_prefix_match(uri, e.fake);
        if (matched == 0) {
            continue;
        }
        if (!e.url) {
            return RedirectHit{{}, e.status};
        }
        // The rest of the (decoded) path goes out escaped after the target.
        return RedirectHit{*e.url + escape_path(uri.substr(matched)), e.status};
    }
    return std::nullopt;
}

void alias_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::TranslateName, translate_redirect, HookOrder::Middle);
    hooks.add(Phase::Fixups, fixup_redirect, HookOrder::Middle);
    alias_register_map_hooks(hooks);  // after the redirects, as httpd tries them
}

}  // namespace sonora::modules::mappers
