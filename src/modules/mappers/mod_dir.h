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

#include <sonora/hooks.h>
#include <sonora/module.h>

#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
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

// What mod_dir's DirectoryIndex search finds for the directory URL
// `dir_uri` (ending in '/') under `dir` (null: the defaults): each name is
// looked up as a subrequest of `r`, in order. `status` is kOk when a name
// is a regular file that may be served (`target` is its URL, `lookup` what
// the subrequest found), a 3xx when a name redirects (`lookup.location`),
// kAwaitHostName, an error a name met (401/406 when it is the only name;
// another status than 404), or kDeclined when nothing was found.
struct IndexSearch {
    int status = kDeclined;
    std::pmr::string target;
    Services::Lookup lookup;
};
IndexSearch find_index(const request::Request& r, Services& services, std::string_view dir_uri,
                       const DirConfig* dir);

}  // namespace sonora::modules::mappers
