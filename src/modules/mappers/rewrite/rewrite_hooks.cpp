// mod_rewrite's hooks, as httpd's hook_uri2file, hook_fixup and
// hook_mimetype: server-context rules before the URL is mapped (first among
// translate_name hooks, so Alias sees a [PT] result), directory-context rules
// once the directory walk has found them (with the directory prefix stripped
// and re-added, RewriteBase, and an internal redirect to the result), and
// the T= and H= results once the type checker has run.

#include "modules/mappers/rewrite/rewrite_hooks.h"

#include "config/generation.h"
#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/core/self_url.h"
#include "modules/mappers/rewrite/rewrite_config.h"
#include "modules/mappers/rewrite/rewrite_engine.h"

#include <pwd.h>

#include <set>

namespace sonora::modules::mappers::rewrite {

namespace {

const RewriteDirConfig* dir_config(const request::Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<RewriteDirConfig>(rewrite_module.index) : nullptr;
}

const RewriteServerConfig& server_config(const request::Request& r) {
    return *r.server->module_config.get<RewriteServerConfig>(rewrite_module.index);
}

void drop_note(request::Request& r, std::string_view name) {
    std::erase_if(r.notes, [&](const request::Header& h) { return h.name == name; });
}

bool ended(const request::Request& r) { return request::find_header(r.notes, kEndNote).has_value(); }

// SCRIPT_URL (the URL-path as first requested) and SCRIPT_URI (its absolute URL).
void set_script_url(request::Request& r) {
    std::string url;
    if (r.main == nullptr) {
        auto earlier = r.env_get("REDIRECT_SCRIPT_URL");
        url = earlier ? std::string(*earlier) : std::string(r.uri);
    } else if (auto main_url = r.main->env_get("SCRIPT_URL")) {
        url = std::string(*main_url);
    }
    r.env_set("SCRIPT_URL", url);
    r.env_set("SCRIPT_URI", core::self_url(r, *r.dir_config, url));
}

// A redirect to the absolute URL in r.filename (escaped unless NE), with the
// query appended (escaped unless NE or unchanged by the rules).
int answer_redirect(request::Request& r, const Engine& e, int action, unsigned scheme,
                    const std::optional<std::string>& original_query) {
    std::string target(r.filename);
    if (action != kActionNoEscape) {
        if (e.tracing(1)) {
            e.log(1, "escaping " + target + " for redirect");
        }
        target = escape_absolute_uri(target, scheme);
    }
    if (has_query(r)) {
        const bool noescape = action == kActionNoEscape || (original_query && *original_query == r.query);
        const std::string escaped = noescape ? std::string() : escape_uri(r.query);
        target += "?";
        target += noescape ? std::string(r.query) : escaped;
        if (e.tracing(1)) {
            e.log(1, std::string(noescape ? "copying " : "escaping ") + std::string(r.query) +
                         " to query string for redirect " + escaped);
        }
    }
    int status = 302;
    if (r.status >= 300 && r.status <= 399) {
        status = r.status;
        r.status = 200;
    }
    for (char ch : target) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
            // httpd's header filter refuses such a field (check_headers).
            core::log_request_error(r, LogLevel::Error, "http", "SN02430",
                                    "Response header 'Location' value of '" + target +
                                        "' contains invalid characters, aborting request");
            return 500;
        }
    }
    r.add_header("Location", r.keep(target));
    if (e.tracing(1)) {
        e.log(1, "redirect to " + target + " [REDIRECT/" + std::to_string(status) + "]");
    }
    return status;
}

std::optional<std::string> query_copy(const request::Request& r) {
    return has_query(r) ? std::optional<std::string>(std::string(r.query)) : std::nullopt;
}

enum class Context { Server, Directory };

// What both hooks answer before looking at the result as a URL: a query the
// rules left with a control character or space (unless the redirect will
// escape it), a status a rule set, a [P] without mod_proxy.
std::optional<int> refusal(request::Request& r, int action, unsigned scheme, Context where) {
    const bool server = where == Context::Server;
    const bool will_escape = scheme != 0 && action != kActionNoEscape;
    if (has_query(r) && !will_escape && has_unsafe_query(r)) {
        core::log_request_error(r, LogLevel::Error, "rewrite", server ? "SN10410" : "SN10411",
                                "Rewritten query string contains control characters or spaces");
        return 403;
    }
    if (action == kActionStatus) {
        const int status = r.status;
        r.status = 200;
        return status;
    }
    if (action == kActionStatusSet) {
        return r.status;
    }
    if (r.filename.size() > 6 && std::string_view(r.filename).starts_with("proxy:")) {
        core::log_request_error(r, LogLevel::Error, "rewrite", server ? "SN00669" : "SN10160",
                                "attempt to make remote request from mod_rewrite without proxy enabled: " +
                                    std::string(r.filename));
        return 403;
    }
    return std::nullopt;
}

// "/~user/rest" becomes the user's home directory and the rest.
void expand_tilde(request::Request& r) {
    std::string_view f = r.filename;
    if (f.size() < 3 || f[0] != '/' || f[1] != '~') {
        return;
    }
    const std::size_t end = std::min(f.find('/', 2), f.size());
    const std::string user(f.substr(2, end - 2));
    if (user.empty()) {
        return;
    }
    char buf[4096];
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &found) != 0 || found == nullptr) {
        return;
    }
    std::string home = found->pw_dir;
    if (end < f.size()) {
        if (!home.empty() && home.back() == '/') {
            home.pop_back();
        }
        home += f.substr(end);
    }
    r.filename.assign(home);
}

int translate(request::Request& r, Services& services) {
    // What an earlier round of phases left (httpd's notes die with their request).
    drop_note(r, kForcedTypeNote);
    drop_note(r, kForcedHandlerNote);
    drop_note(r, kUriReducedNote);
    const RewriteDirConfig* dconf = dir_config(r);
    if (dconf == nullptr || !dconf->engine_on()) {
        return kDeclined;
    }
    const RewriteServerConfig& sconf = server_config(r);
    if (r.server->is_virtual && !sconf.present) {
        return kDeclined;  // httpd: the config found is the main server's, not this one's
    }
    Engine e{r, services, sconf, *dconf, nullptr, trace_level_for(r)};
    if (ended(r)) {
        if (e.tracing(8)) {
            e.log(8, "Declining, no further rewriting due to END flag");
        }
        return kDeclined;
    }
    // Only a URL-path is rewritten (CVE-2011-3368, CVE-2011-4317), unless AllowAnyURI.
    if ((dconf->opts() & kOptAnyUri) == 0 && (r.target == "*" || r.uri.empty() || r.uri.front() != '/')) {
        if (e.tracing(8)) {
            e.log(8, "Declining, request-URI '" + std::string(r.uri) +
                         "' is not a URL-path. Consult the manual entry for the RewriteOptions directive for "
                         "options and caveats about matching other strings.");
        }
        return kDeclined;
    }
    const std::optional<std::string> original_query = query_copy(r);
    set_script_url(r);
    r.filename.assign(r.uri);
    if (e.tracing(2)) {
        e.log(2, "init rewrite engine with requested uri " + std::string(r.filename));
    }
    const ListResult result = apply_rewrite_list(e, sconf.rules);
    if (result.action == kActionNone) {
        if (e.tracing(1)) {
            e.log(1, "pass through " + std::string(r.filename));
        }
        return kDeclined;
    }
    const unsigned scheme = absolute_uri_scheme(r.filename);
    if (auto refused = refusal(r, result.action, scheme, Context::Server)) {
        return *refused;
    }
    if (scheme > 0) {
        return answer_redirect(r, e, result.action, scheme, original_query);
    }
    if (r.filename.size() > 12 && std::string_view(r.filename).starts_with("passthrough:")) {
        // [PT]: the result is a URL-path for the next translate_name hooks (Alias ...).
        r.uri.assign(std::string_view(r.filename).substr(12));
        return kDeclined;
    }
    expand_tilde(r);
    if (e.tracing(2)) {
        e.log(2, "local path result: " + std::string(r.filename));
    }
    if (r.filename.empty() || r.filename.front() != '/') {
        return 400;
    }
    const bool reduced = (sconf.opts() & kOptLegacyPrefixDocRoot) == 0 &&
                         request::find_header(r.notes, kUriReducedNote).has_value();
    const RewriteRule* last = (sconf.opts() & kOptUnsafePrefixStat) != 0 ? nullptr : result.last_substitution;
    if (!prefix_stat(e, r.filename, last) || reduced) {
        // A URL-path: the document root goes in front, as core's translate_name would.
        std::string_view root = document_root(r);
        if (!root.empty() && root.back() == '/') {
            root.remove_suffix(1);
        }
        r.filename.insert(0, root);
        if (e.tracing(2)) {
            e.log(2, "prefixed with document_root to " + std::string(r.filename));
        }
        // A ".." that a back-reference or variable brought (the request's own
        // path has none left) must not climb out of the document root.
        if (r.filename.find("..") != std::string::npos) {
            const std::string resolved = resolve_file_path(r.filename);
            if (resolved != root && !std::string_view(resolved).starts_with(std::string(root) + "/")) {
                core::log_request_error(r, LogLevel::Error, "rewrite", "SN90020",
                                        "rewritten path " + std::string(r.filename) +
                                            " leaves the DocumentRoot; refused");
                return 403;
            }
        }
    }
    if (r.filename.find("/.") != std::string::npos || r.filename.find("//") != std::string::npos) {
        // The sections that apply are those of the path the file system resolves.
        r.filename.assign(resolve_file_path(r.filename));
    }
    if (e.tracing(1)) {
        e.log(1, "go-ahead with " + std::string(r.filename) + " [OK]");
    }
    return kOk;
}

int fixup(request::Request& r, Services& services) {
    const RewriteDirConfig* dconf = dir_config(r);
    if (dconf == nullptr || !dconf->engine_on() || !dconf->directory) {
        return kDeclined;
    }
    const std::string& directory = *dconf->directory;
    // The directory itself, without its slash: mod_dir's redirect comes first.
    if ((dconf->opts() & kOptNoSlash) == 0) {
        const std::size_t l = directory.size() - 1;
        if (r.filename.size() == l && directory[l] == '/' && std::string_view(r.filename) == directory.substr(0, l)) {
            return kDeclined;
        }
    }
    Engine e{r, services, server_config(r), *dconf, &directory, trace_level_for(r)};
    if (ended(r)) {
        if (e.tracing(8)) {
            e.log(8, "Declining, no further rewriting due to END flag");
        }
        return kDeclined;
    }
    const unsigned options = r.dir_config->get<core::CoreDirConfig>(core::core_module.index)->effective_options();
    if ((options & (core::kOptSymLinks | core::kOptSymOwner)) == 0) {
        core::log_request_error(r, LogLevel::Error, "rewrite", "SN00670",
                                "Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule "
                                "directive is also forbidden due to its similar ability to circumvent directory "
                                "restrictions : " +
                                    std::string(r.filename));
        return 403;
    }
    const std::string original_filename(r.filename);
    const std::optional<std::string> original_query = query_copy(r);
    const ListResult result = apply_rewrite_list(e, dconf->rules);
    if (result.action == kActionNone) {
        if (e.tracing(1)) {
            e.log(1, "pass through " + std::string(r.filename));
        }
        r.filename.assign(original_filename);
        return kDeclined;
    }
    const unsigned scheme = absolute_uri_scheme(r.filename);
    if (auto refused = refusal(r, result.action, scheme, Context::Directory)) {
        return *refused;
    }
    if (scheme > 0) {
        if (dconf->base) {
            // The directory in the URL's path becomes the RewriteBase.
            std::string_view f = r.filename;
            const std::size_t slash = f.find('/', scheme);
            if (slash != std::string_view::npos && slash + 1 < f.size()) {
                if (e.tracing(2)) {
                    e.log(2, "trying to replace prefix " + directory + " with " + *dconf->base);
                }
                const std::string_view path = f.substr(slash + 1);
                const std::string replaced =
                    subst_prefix_path(e, path, std::string_view(directory).substr(directory.front() == '/' ? 1 : 0),
                                      std::string_view(*dconf->base).substr(1));
                if (replaced != path) {
                    r.filename.assign(std::string(f.substr(0, slash + 1)) + replaced);
                }
            }
        }
        return answer_redirect(r, e, result.action, scheme, original_query);
    }
    if (r.filename.size() > 12 && std::string_view(r.filename).starts_with("passthrough:")) {
        r.filename.erase(0, 12);
    }
    if (e.tracing(2)) {
        e.log(2, "local path result: " + std::string(r.filename));
    }
    if (r.filename.empty() || r.filename.front() != '/') {
        return 400;
    }
    if (std::string_view(r.filename) == original_filename) {
        if (e.tracing(1)) {
            e.log(1, "initial URL equal rewritten URL: " + std::string(r.filename) + " [IGNORING REWRITE]");
        }
        return kOk;
    }
    const std::string before(r.filename);
    if (dconf->base) {
        if (e.tracing(2)) {
            e.log(2, "trying to replace prefix " + directory + " with " + *dconf->base);
        }
        r.filename.assign(subst_prefix_path(e, r.filename, directory, *dconf->base));
    } else {
        std::string_view root = document_root(r);
        if (!root.empty() && root.back() == '/') {
            root.remove_suffix(1);
        }
        if (r.filename.size() > root.size() && std::string_view(r.filename).starts_with(root) &&
            r.filename[root.size()] == '/') {
            if (e.tracing(2)) {
                e.log(2, "strip document_root prefix: " + std::string(r.filename) + " -> " +
                             std::string(std::string_view(r.filename).substr(root.size())));
            }
            r.filename.erase(0, root.size());
        }
    }
    if (std::string_view(r.filename) == before && (dconf->opts() & kOptIgnoreContextInfo) == 0) {
        // Under an Alias: the aliased directory becomes its URL again.
        const std::string_view context_root =
            r.context_document_root.empty() ? document_root(r) : r.context_document_root;
        if (!context_root.empty()) {
            if (e.tracing(2)) {
                e.log(2, "trying to replace context docroot " + std::string(context_root) + " with context prefix " +
                             std::string(r.context_prefix));
            }
            r.filename.assign(subst_prefix_path(e, r.filename, context_root, r.context_prefix));
        }
    }
    if (e.tracing(1)) {
        e.log(1, "internal redirect with " + std::string(r.filename) + " [INTERNAL REDIRECT]");
    }
    if (auto handler = request::find_header(r.notes, kForcedHandlerNote); handler && !handler->empty()) {
        // httpd leaves the redirect to a handler of its own, which H= then
        // replaces (its last fixup): that handler gets "redirect:PATH" as
        // its file, which no handler finds (mod_cgi: 404). As httpd, and
        // never the target's source.
        r.filename.insert(0, "redirect:");
        r.handler.assign(*handler);
        r.has_finfo = false;
        return kOk;
    }
    std::string target(r.filename);
    if (has_query(r)) {
        target += "?";
        target += r.query;
    }
    return services.internal_redirect(r, target) ? kRedirected : 500;
}

// T= and H=, after the type checker and the other fixups.
int force_type(request::Request& r, Services&) {
    if (auto type = request::find_header(r.notes, kForcedTypeNote); type && !type->empty()) {
        r.content_type.assign(*type);
    }
    if (auto handler = request::find_header(r.notes, kForcedHandlerNote); handler && !handler->empty()) {
        r.handler.assign(*handler);
    }
    return kOk;
}

}  // namespace

void rewrite_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::TranslateName, translate, HookOrder::First);
    hooks.add(Phase::Fixups, fixup, HookOrder::First);
    hooks.add(Phase::Fixups, force_type, HookOrder::Last);
}

CmdResult rewrite_open_logs(config::Generation& gen) {
    std::vector<std::shared_ptr<RewriteMap>> programs;
    std::set<const RewriteMap*> seen;
    auto collect = [&](const Server& s) {
        const auto* conf = s.module_config.get<RewriteServerConfig>(rewrite_module.index);
        if (conf == nullptr || !conf->engine_on()) {
            return;  // httpd starts a server's programs only where its engine is on
        }
        for (const auto& m : conf->maps) {
            if (m->type == RewriteMap::Type::Prg && seen.insert(m.get()).second) {
                programs.push_back(m);
            }
        }
    };
    collect(gen.main);
    for (const auto& v : gen.vhosts) {
        collect(*v);
    }
    return start_map_programs(programs);
}

}  // namespace sonora::modules::mappers::rewrite
