#include "request/dir_checks.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "request/file_cache.h"
#include "request/fs_verdicts.h"
#include "request/request.h"
#include "request/walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace sonora::request {

using modules::core::CoreDirConfig;
using modules::core::kOptSymLinks;
using modules::core::kOptSymOwner;

namespace {

void log(const Request& r, LogLevel level, std::string_view id, const std::string& message) {
    modules::core::log_request_error(r, level, "core", id, message);
}


}  // namespace

unsigned effective_options(const CoreDirConfig& c) { return c.effective_options(); }

namespace {

// The walk itself: down r.filename from "/", a directory's access file, then
// the next component's symlink check.
int walk(Request& r, Walker& walker, const FileEntry& entry, std::vector<AccessFileHit>& access_files) {
    const std::string_view filename = r.filename;
    const Server& s = *r.server;
    FsVerdicts& fs = walker.fs();
    // The path walked so far: a directory with its trailing slash at the top
    // of each turn, then with the next component appended.
    static thread_local std::string path;
    path.assign("/");
    std::size_t pos = 1;
    std::size_t depth = 1;  // of `path`, counted in '/' as <Directory> patterns are
    for (;;) {
        const CoreDirConfig* c = &walker.directory_core(s, path, access_files);
        if (c->allows_access_files()) {
            int status = 0;
            const AccessFile* file = walker.access_files().find(r, *c, path, status);
            if (status != 0) {
                return status;
            }
            if (file != nullptr && file->status != 0) {
                log(r, LogLevel::Alert, "", file->error);
                return file->status;
            }
            if (file != nullptr) {
                // The file's Options hold for what lies below it.
                access_files.push_back({depth, file->section.get()});
                c = &walker.directory_core(s, path, access_files);
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
        const unsigned opts = effective_options(*c);
        bool is_dir = true;
        if ((opts & (kOptSymLinks | kOptSymOwner)) == kOptSymLinks) {
            // Nothing to check. The component is a directory if anything
            // below it exists; for a path that does not exist, the checks
            // below find out (their files are not there either).
            is_dir = !last || entry.is_dir();
        } else {
            struct stat st {};
            bool cached = false;
            if (const int e = fs.lstat(path, st, cached); e != 0) {
                if (e == ENOENT || e == ENOTDIR) {
                    return 0;  // the walk ends; what is missing 404s later
                }
                if (e == EACCES) {
                    log(r, LogLevel::Error, "SN00035",
                        errno_text(e) + ": access to " + std::string(r.uri) + " denied (filesystem path '" + path +
                            "') because search permissions are missing on a component of the path");
                } else {
                    log(r, LogLevel::Error, "SN00036",
                        errno_text(e) + ": access to " + std::string(r.uri) + " failed (filesystem path '" + path + "')");
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
        ++depth;
    }
}

}  // namespace

int check_directory_walk(Request& r, Walker& walker, const FileEntry& entry, std::vector<AccessFileHit>& access_files) {
    access_files.clear();
    const std::string_view filename = r.filename;
    const Server& s = *r.server;
    const bool is_dir = entry.is_dir();
    if (filename.empty() || filename.front() != '/' || !walker.directory_checks_needed(s)) {
        r.dir_config = walker.dir_config(s, filename, is_dir, r.uri);
        return 0;
    }
    FsVerdicts& fs = walker.fs();
    fs.begin_walk(r.connection, r.the_request.data());
    if (const Walker::KnownWalk* known = walker.remembered_walk(s, filename, is_dir, r.uri)) {
        access_files.assign(known->access_files.begin(), known->access_files.end());
        r.dir_config = known->dir_config;
        return 0;
    }
    r.dir_config = walker.dir_config(s, filename, is_dir, r.uri);
    const std::uint64_t epoch = fs.epoch();
    const std::uint64_t unkept = fs.unkept();
    // Refusals are walked again each time: each is logged, as httpd logs it.
    if (const int status = walk(r, walker, entry, access_files); status != 0) {
        return status;
    }
    if (!access_files.empty()) {
        r.dir_config = walker.dir_config(s, filename, is_dir, r.uri, access_files);
    }
    if (fs.epoch() == epoch && fs.unkept() == unkept) {
        walker.remember_walk(s, filename, is_dir, r.uri, epoch, access_files, r.dir_config);
    }
    return 0;
}

}  // namespace sonora::request
