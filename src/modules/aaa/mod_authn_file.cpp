// httpd's mod_authn_file: AuthUserFile and the "file" provider.

#include "modules/aaa/mod_authn_file.h"

#include "core/strings.h"
#include "modules/aaa/auth_files.h"
#include "modules/aaa/password.h"
#include "modules/core/request_log.h"

#include <cstring>

namespace sonora::modules::aaa {

namespace {

using request::Request;

const DirectiveSpec kDirectives[] = {
    {"AuthUserFile", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, set_path<&AuthnFileDirConfig::user_file>,
     "the file of user names and password hashes (htpasswd), relative to ServerRoot"},
};

// The password file for this request: the alias's own if it names one.
const std::string* user_file_for(const Request& r, const ConfigVector* alias_dir) {
    if (alias_dir != nullptr) {
        const auto* a = alias_dir->get<AuthnFileDirConfig>(authn_file_module.index);
        if (a != nullptr && a->user_file) {
            return &*a->user_file;
        }
    }
    const auto* c = r.dir_config->get<AuthnFileDirConfig>(authn_file_module.index);
    return c != nullptr && c->user_file ? &*c->user_file : nullptr;
}

std::shared_ptr<const UserFile> open_user_file(const Request& r, const ConfigVector* alias_dir) {
    const std::string* path = user_file_for(r, alias_dir);
    if (path == nullptr) {
        core::log_request_error(r, LogLevel::Error, "authn_file", "SN01619",
                                "AuthUserFile not specified in the configuration");
        return nullptr;
    }
    int error = 0;
    auto file = load_user_file(*path, error);
    if (!file) {
        core::log_request_error(r, LogLevel::Error, "authn_file", "SN01620",
                                errno_text(error) +
                                    ": Could not open password file: " + *path);
    }
    return file;
}

AuthnStatus check_password(const Request& r, const ConfigVector* alias_dir, std::string_view user,
                           std::string_view password) {
    auto file = open_user_file(r, alias_dir);
    if (!file) {
        return AuthnStatus::GeneralError;
    }
    const std::string* hash = file->hash_of(user);
    if (hash == nullptr) {
        return AuthnStatus::UserNotFound;
    }
    return password_matches_cached(password, *hash) ? AuthnStatus::Granted : AuthnStatus::Denied;
}

AuthnStatus get_realm_hash(const Request& r, const ConfigVector* alias_dir, std::string_view user,
                           std::string_view realm, std::string& hash) {
    auto file = open_user_file(r, alias_dir);
    if (!file) {
        return AuthnStatus::GeneralError;
    }
    const std::string* found = file->realm_hash_of(user, realm);
    if (found == nullptr) {
        return AuthnStatus::UserNotFound;
    }
    hash = *found;
    return AuthnStatus::Granted;
}

const AuthnProvider kProviders[] = {
    {"file", &authn_file_module, check_password, get_realm_hash},
};

}  // namespace

std::span<const AuthnProvider> authn_file_providers() { return kProviders; }

Module authn_file_module{
    .name = "authn_file_module",
    .source = "mod_authn_file.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthnFileDirConfig>(),
};

}  // namespace sonora::modules::aaa
