// httpd's mod_authz_groupfile: AuthGroupFile, Require group, Require file-group.

#include "modules/aaa/mod_authz_groupfile.h"

#include "core/strings.h"
#include "modules/aaa/auth_files.h"
#include "modules/core/request_log.h"

#include <cstring>

namespace sonora::modules::aaa {

namespace {

using request::Request;

const DirectiveSpec kDirectives[] = {
    {"AuthGroupFile", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, set_path<&AuthzGroupfileDirConfig::group_file>,
     "the file of group names and their member users, relative to ServerRoot"},
};

CmdResult parse_groups(Cmd&, std::string_view args, AuthzArgs& out) { return parse_require_words(args, out); }
CmdResult parse_none(Cmd&, std::string_view, AuthzArgs&) { return std::nullopt; }

void log(const Request& r, LogLevel level, std::string_view id, const std::string& message) {
    core::log_request_error(r, level, "authz_groupfile", id, message);
}

// The group file's path for this request (the alias's own if it names one).
const std::string* group_file_for(const Request& r, const ConfigVector* alias_dir) {
    const std::string* path = nullptr;
    for (const ConfigVector* v : {alias_dir, r.dir_config}) {
        const auto* c = v != nullptr ? v->get<AuthzGroupfileDirConfig>(authz_groupfile_module.index) : nullptr;
        if (c != nullptr && c->group_file) {
            path = &*c->group_file;
            break;
        }
    }
    return path;
}

// The parsed group file; null (logged: httpd refuses, it does not fail) when
// none is configured or it cannot be read.
std::shared_ptr<const GroupFile> groups(const Request& r, const ConfigVector* alias_dir, std::string_view no_file_id,
                                        std::string_view open_id) {
    const std::string* path = group_file_for(r, alias_dir);
    if (path == nullptr) {
        log(r, LogLevel::Error, no_file_id, "No group file was specified in the configuration");
        return nullptr;
    }
    int error = 0;
    auto file = load_group_file(*path, error);
    if (!file) {
        log(r, LogLevel::Error, open_id,
            errno_text(error) + ": Could not open group file: " + *path);
    }
    return file;
}

void log_refusal(const Request& r, LogLevel level, std::string_view id, std::string_view reason) {
    log(r, level, id,
        "Authorization of user " + std::string(*r.user) + " to access " + std::string(r.uri) +
            " failed, reason: " + std::string(reason));
}

AuthzResult check_group(const Request& r, const AuthzArgs& args, const ConfigVector* alias_dir) {
    if (!r.user) {
        return AuthzResult::DeniedNoUser;
    }
    auto file_ptr = groups(r, alias_dir, "SN01664", "SN01665");
    if (!file_ptr) {
        return AuthzResult::Denied;
    }
    const GroupFile& file = *file_ptr;
    if (!file.in_any_group(*r.user)) {
        log_refusal(r, LogLevel::Info, "SN01666",
                    "user doesn't appear in group file (" + *group_file_for(r, alias_dir) + ").");
        return AuthzResult::Denied;
    }
    if (const auto* w = std::get_if<RequireWords>(&args)) {
        std::vector<std::string> evaluated;
        const auto& names = w->expr ? (evaluated = require_words(r, *w)) : w->words;
        for (const std::string& group : names) {
            if (file.in_group(*r.user, group)) {
                return AuthzResult::Granted;
            }
        }
    }
    log_refusal(r, LogLevel::Debug, "SN01667", "user is not part of the 'require'ed group(s).");
    return AuthzResult::Denied;
}

AuthzResult check_file_group(const Request& r, const AuthzArgs&, const ConfigVector* alias_dir) {
    if (!r.user) {
        return AuthzResult::DeniedNoUser;
    }
    groups(r, alias_dir, "SN01668", "SN01669");  // logs what httpd logs on the way
    // The file's group comes from mod_authz_owner in httpd; without it the
    // requirement is never met.
    return AuthzResult::Denied;
}

const AuthzProvider kProviders[] = {
    {"group", &authz_groupfile_module, parse_groups, check_group},
    {"file-group", &authz_groupfile_module, parse_none, check_file_group},
};

}  // namespace

std::span<const AuthzProvider> authz_groupfile_providers() { return kProviders; }

Module authz_groupfile_module{
    .name = "authz_groupfile_module",
    .source = "mod_authz_groupfile.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthzGroupfileDirConfig>(),
};

}  // namespace sonora::modules::aaa
