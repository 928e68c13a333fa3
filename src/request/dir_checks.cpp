#include "request/dir_checks.h"

#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "request/file_cache.h"
#include "request/request.h"
#include "request/walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sonora::request {

using modules::core::CoreDirConfig;
using modules::core::kOptSymLinks;
using modules::core::kOptSymOwner;

namespace {

constexpr std::string_view kDefaultAccessFileName = ".htaccess";

void log(const Request& r, LogLevel level, std::string_view id, const std::string& message) {
    modules::core::log_request_error(r, level, "core", id, message);
}

// APR's rendering of an errno: "(13)Permission denied".
std::string os_error(int e) { return "(" + std::to_string(e) + ")" + std::strerror(e); }

// httpd's ap_parse_htaccess for one directory (`path` holds it, with its
// trailing slash, and is given back so): the first access file name that
// exists is the one httpd would read. Returns 0 or the status to answer.
int check_access_files(const Request& r, const CoreDirConfig& c, std::string& path) {
    const std::size_t dir_len = path.size();
    auto check = [&](std::string_view name) -> int {
        path.resize(dir_len);
        path.append(name);
        int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            int e = errno;
            if (e == ENOENT || e == ENOTDIR) {
                return -1;  // not there: the next name
            }
            std::string dir(path, 0, dir_len);
            log(r, LogLevel::Crit, "SN00529",
                os_error(e) + ": " + path + " pcfg_openfile: unable to check htaccess file, ensure it is readable and "
                "that '" + dir + "' is executable");
            return 403;
        }
        struct stat st {};
        bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        ::close(fd);
        if (!regular) {
            std::string dir(path, 0, dir_len);
            log(r, LogLevel::Crit, "SN00529",
                path + " pcfg_openfile: unable to check htaccess file (not a regular file), ensure it is readable "
                "and that '" + dir + "' is executable");
            return 403;
        }
        const bool by_list = !(c.allow_override && c.allow_override->classes != 0);
        log(r, LogLevel::Error, "SN90001",
            path + ": .htaccess files are not read yet (" + (by_list ? "AllowOverrideList" : "AllowOverride") +
                " is not None here); refusing to serve rather than ignore it");
        return 500;
    };
    const auto& names = modules::core::server_config(*r.server).access_file_names;
    int rc = -1;
    if (names.empty()) {
        rc = check(kDefaultAccessFileName);
    } else {
        for (const std::string& name : names) {
            rc = check(name);
            if (rc != -1) {
                break;
            }
        }
    }
    path.resize(dir_len);
    return rc == -1 ? 0 : rc;
}

}  // namespace

unsigned effective_options(const CoreDirConfig& c) { return c.options ? c.options->apply(kOptSymLinks) : kOptSymLinks; }

int check_directory_walk(Request& r, Walker& walker, const FileEntry& entry) {
    const std::string_view filename = r.filename;
    if (r.server == nullptr || filename.empty() || filename.front() != '/' ||
        !walker.directory_checks_needed(*r.server)) {
        return 0;
    }
    const Server& s = *r.server;
    // The path walked so far: a directory with its trailing slash at the top
    // of each turn, then with the next component appended.
    static thread_local std::string path;
    path.assign("/");
    std::size_t pos = 1;
    for (;;) {
        const CoreDirConfig& c = walker.directory_core(s, path);
        if (c.allows_access_files()) {
            if (int rc = check_access_files(r, c, path); rc != 0) {
                return rc;
            }
        }
        while (pos < filename.size() && filename[pos] == '/') {
            ++pos;
        }
        if (pos >= filename.size()) {
            return 0;
        }
        std::size_t end = filename.find('/', pos);
        if (end == std::string_view::npos) {
            end = filename.size();
        }
        path.append(filename.substr(pos, end - pos));
        pos = end;
        const bool last = filename.find_first_not_of('/', pos) == std::string_view::npos;
        const unsigned opts = effective_options(c);
        bool is_dir = true;
        if ((opts & (kOptSymLinks | kOptSymOwner)) == kOptSymLinks) {
            // Nothing to check. The component is a directory if anything
            // below it exists; for a path that does not exist, the checks
            // below find out (their files are not there either).
            is_dir = !last || entry.is_dir();
        } else {
            struct stat st {};
            if (::lstat(path.c_str(), &st) != 0) {
                int e = errno;
                if (e == ENOENT || e == ENOTDIR) {
                    return 0;  // the walk ends; what is missing 404s later
                }
                if (e == EACCES) {
                    log(r, LogLevel::Error, "SN00035",
                        os_error(e) + ": access to " + std::string(r.uri) + " denied (filesystem path '" + path +
                            "') because search permissions are missing on a component of the path");
                } else {
                    log(r, LogLevel::Error, "SN00036",
                        os_error(e) + ": access to " + std::string(r.uri) + " failed (filesystem path '" + path + "')");
                }
                return 403;
            }
            if (S_ISLNK(st.st_mode)) {
                // httpd's resolve_symlink: FollowSymLinks alone only needs the
                // target to be there; SymLinksIfOwnerMatch (even with
                // FollowSymLinks) needs the same owner.
                struct stat target {};
                bool allowed = (opts & (kOptSymLinks | kOptSymOwner)) != 0 && ::stat(path.c_str(), &target) == 0 &&
                               ((opts & kOptSymOwner) == 0 || target.st_uid == st.st_uid);
                if (!allowed) {
                    log(r, LogLevel::Error, "SN00037",
                        "Symbolic link not allowed or link target not accessible: " + path);
                    return 403;
                }
                st = target;
            }
            is_dir = S_ISDIR(st.st_mode);
        }
        if (!is_dir) {
            return 0;
        }
        path.push_back('/');
    }
}

}  // namespace sonora::request
