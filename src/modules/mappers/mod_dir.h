#pragma once
// httpd's mod_dir: index files, the trailing-slash redirect and the fallback
// resource of directories.
//
// Merge rules (child = the more specific level), as httpd's:
//   - DirectoryIndex: within one context every line appends its names to the
//     list (a line with only "disabled" empties it); a child context that has
//     any DirectoryIndex line replaces the parent's list whole;
//   - DirectorySlash, FallbackResource, DirectoryCheckHandler,
//     DirectoryIndexRedirect: the child's if set, else the parent's.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::mappers {

extern Module dir_module;
void dir_register_hooks(HookRegistry& hooks);

struct DirConfig {
    // Index names in order; set but empty = no index files (DirectoryIndex disabled).
    // Unset = httpd's default, index.html.
    std::optional<std::vector<std::string>> index_names;
    std::optional<bool> directory_slash;  // default On
    std::optional<std::string>
        fallback_resource;              // as written; "disabled" turns an inherited one off
    std::optional<bool> check_handler;  // DirectoryCheckHandler, default Off
    std::optional<int> index_redirect;  // 0 = Off, else the 3xx status; default Off

    // FallbackResource in effect, if any ("disabled" cancels).
    const std::string* fallback() const {
        return fallback_resource && !is_disabled(*fallback_resource) ? &*fallback_resource
                                                                     : nullptr;
    }
    static bool is_disabled(const std::string& value);

    static DirConfig merge(const DirConfig& base, const DirConfig& add);
};

}  // namespace sonora::modules::mappers
