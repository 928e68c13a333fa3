#include "config/includes.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sonora::config {

namespace {

bool has_wildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Sorted entry names of a directory, without "." and "..".
std::optional<std::vector<std::string>> list_dir(const std::string& dir, int& err) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        err = errno;
        return std::nullopt;
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
            names.emplace_back(e->d_name);
        }
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

// A plain path: a file, or a directory whose files are all included.
std::optional<std::string> add_plain(const std::string& path, bool optional, std::vector<std::string>& out) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (optional) {
            return std::nullopt;
        }
        return "Could not open configuration file " + path + ": " + std::strerror(errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        out.push_back(path);
        return std::nullopt;
    }
    int err = 0;
    auto names = list_dir(path, err);
    if (!names) {
        return "Could not open config directory " + path + ": " + std::strerror(err);
    }
    for (const std::string& name : *names) {
        if (auto e = add_plain(join(path, name), optional, out)) {
            return e;
        }
    }
    return std::nullopt;
}

// Expands components[i..] below `dir`.
std::optional<std::string> expand(const std::string& dir, const std::vector<std::string>& components,
                                  std::size_t i, bool optional, std::vector<std::string>& out) {
    if (i == components.size()) {
        return add_plain(dir, optional, out);
    }
    const std::string& comp = components[i];
    if (!has_wildcard(comp)) {
        std::string next = join(dir, comp);
        if (i + 1 < components.size() && !is_directory(next)) {
            if (optional) {
                return std::nullopt;
            }
            return "Include/IncludeOptional: Could not open directory " + next + ": " + std::strerror(ENOENT);
        }
        return expand(next, components, i + 1, optional, out);
    }
    int err = 0;
    auto names = list_dir(dir, err);
    if (!names) {
        if (optional) {
            return std::nullopt;
        }
        return "Include/IncludeOptional: Could not open directory " + dir + ": " + std::strerror(err);
    }
    bool last = i + 1 == components.size();
    std::size_t matched = 0;
    for (const std::string& name : *names) {
        if (::fnmatch(comp.c_str(), name.c_str(), FNM_PERIOD) != 0) {
            continue;
        }
        std::string next = join(dir, name);
        if (!last && !is_directory(next)) {
            continue;
        }
        ++matched;
        if (auto e = expand(next, components, i + 1, optional, out)) {
            return e;
        }
    }
    if (matched == 0 && !optional) {
        return "Include/IncludeOptional: No matches for the wildcard '" + comp + "' in '" + dir + "', failing";
    }
    return std::nullopt;
}

}  // namespace

IncludeFiles resolve_include(const std::string& raw_path, bool optional) {
    IncludeFiles result;
    std::string path = raw_path;
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    if (!has_wildcard(path)) {
        result.error = add_plain(path, optional, result.files);
        return result;
    }
    std::vector<std::string> components;
    std::size_t pos = 0;
    while (pos < path.size()) {
        std::size_t slash = path.find('/', pos);
        std::size_t end = slash == std::string::npos ? path.size() : slash;
        if (end > pos) {
            components.push_back(path.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    // Start from the longest wildcard-free prefix, as httpd does.
    std::string dir = "/";
    std::size_t first = 0;
    while (first < components.size() && !has_wildcard(components[first])) {
        ++first;
    }
    for (std::size_t i = 0; i < first; ++i) {
        dir = join(dir, components[i]);
    }
    std::vector<std::string> rest(components.begin() + static_cast<std::ptrdiff_t>(first), components.end());
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (!optional) {
            int err = S_ISDIR(st.st_mode) ? errno : ENOTDIR;
            if (::stat(dir.c_str(), &st) != 0) {
                err = errno;
            }
            result.error = "Include/IncludeOptional: Could not open directory " + dir + ": " + std::strerror(err);
        }
        return result;
    }
    result.error = expand(dir, rest, 0, optional, result.files);
    return result;
}

}  // namespace sonora::config
