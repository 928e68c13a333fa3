#pragma once
// httpd's mod_env: variables set, passed from the server's own environment, or
// removed, for CGI scripts and SSI pages.
//
// Merge rule (child = the more specific level), as httpd's: start from the
// parent's variables, drop those the child unsets, then set the child's (a
// child's value replaces the parent's). Names compare case-insensitively, as
// in httpd's tables. Within one context, UnsetEnv also drops an earlier
// SetEnv/PassEnv of the same name; a later SetEnv sets it again.

#include <sonora/module.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonora::modules::metadata {

extern Module env_module;

struct EnvDirConfig {
    std::vector<std::pair<std::string, std::string>> vars;  // in the order first set
    std::vector<std::string> unsets;                        // applied to the parent at merge

    // The value set for `name` (case-insensitive), or null.
    const std::string* find(std::string_view name) const;
    void set(const std::string& name, std::string value);
    void unset(std::string_view name);

    static EnvDirConfig merge(const EnvDirConfig& base, const EnvDirConfig& add);
};

}  // namespace sonora::modules::metadata
