// mod_alias's mapping of URL-paths to files at request time: Alias,
// AliasMatch, ScriptAlias, ScriptAliasMatch from the server lists (a virtual
// host's entries, then the main server's), tried at translate_name after the
// redirects, as httpd does. The file found this way is walked like any other:
// its own <Directory> sections decide who may read it. A ScriptAlias hands
// the file to the cgi-script handler (refused until CGI exists:
// modules/core/no_cgi.h).

#include "expr/eval.h"
#include "expr/request_context.h"
#include "modules/core/request_log.h"
#include "modules/mappers/mod_alias.h"

#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::mappers {

namespace {

// The file `uri` maps to through the first matching entry, or nullopt.
const AliasEntry* find_alias(std::span<const AliasEntry> entries, std::string_view uri, std::string& filename,
                             std::size_t& prefix_len) {
    std::vector<std::string_view> groups;
    for (const AliasEntry& e : entries) {
        if (e.regex) {
            if (e.regex->match(uri, groups)) {
                filename = substitute_groups(e.real, groups);
                prefix_len = groups.empty() ? 0 : static_cast<std::size_t>(groups[0].data() + groups[0].size() - uri.data());
                return &e;
            }
            continue;
        }
        if (std::size_t matched = alias_prefix_match(uri, e.fake); matched > 0) {
            filename = e.real;
            filename.append(uri.substr(matched));
            prefix_len = matched;
            return &e;
        }
    }
    return nullptr;
}

// httpd's try_alias: the one-argument Alias of the <Location> sections the
// request is in (walked before translate_name). The expression is the file;
// the rest of the URL-path follows it only under AliasPreservePath On.
int location_alias(request::Request& r, const AliasDirConfig& dir) {
    const LocationAlias& alias = *dir.alias;
    expr::RequestContext ctx(r);
    std::string found = expr::evaluate_string(*alias.target, ctx);
    if (!alias.fake.empty() && dir.preserve_path.value_or(false)) {
        if (std::size_t matched = alias_prefix_match(r.uri, alias.fake); matched > 0) {
            found.append(std::string_view(r.uri).substr(matched));
        }
    }
    if (!alias.handler.empty()) {
        r.handler.assign(alias.handler);
        r.notes.push_back({"alias-forced-type", alias.handler});  // mod_cgi: a ScriptAlias'd script needs no ExecCGI
    }
    if (found.empty() || found.front() != '/') {
        found.insert(0, alias.root);
    }
    r.filename = std::move(found);
    return kOk;
}

int translate_alias(request::Request& r, Services&) {
    if (r.server == nullptr || r.uri.empty() || r.uri.front() != '/') {
        return kDeclined;
    }
    const auto* dir = r.dir_config != nullptr ? r.dir_config->get<AliasDirConfig>(alias_module.index) : nullptr;
    if (dir != nullptr && dir->alias) {
        return location_alias(r, *dir);
    }
    const auto* conf = r.server->module_config.get<AliasServerConfig>(alias_module.index);
    if (conf == nullptr || conf->aliases.empty()) {
        return kDeclined;
    }
    std::string filename;
    std::size_t prefix_len = 0;
    const AliasEntry* hit = find_alias(conf->aliases, r.uri, filename, prefix_len);
    if (hit == nullptr) {
        return kDeclined;
    }
    // CONTEXT_PREFIX and CONTEXT_DOCUMENT_ROOT, as httpd's mod_alias sets them.
    r.context_prefix = r.keep(std::string_view(r.uri).substr(0, prefix_len));
    r.context_document_root = hit->regex ? r.keep(filename) : std::string_view(hit->real);
    r.filename = std::move(filename);
    if (!hit->handler.empty()) {
        r.handler.assign(hit->handler);
        r.notes.push_back({"alias-forced-type", hit->handler});
    }
    return kOk;
}

}  // namespace

void alias_register_map_hooks(HookRegistry& hooks) {
    hooks.add(Phase::TranslateName, translate_alias, HookOrder::Middle);
}

}  // namespace sonora::modules::mappers
