#pragma once
// Resolving an Include / IncludeOptional argument to the files it names, with
// httpd's rules: a directory includes every file below it (recursively, in
// name order); wildcards (fnmatch, a leading dot must be matched explicitly)
// may stand in any path component; matches are taken in name order.
// Include fails where nothing matches; IncludeOptional quietly includes nothing.

#include <optional>
#include <string>
#include <vector>

namespace sonora::config {

struct IncludeFiles {
    std::vector<std::string> files;
    std::optional<std::string> error;  // worded as httpd's
};

// `path` must be absolute (made so against ServerRoot by the caller).
IncludeFiles resolve_include(const std::string& path, bool optional);

}  // namespace sonora::config
