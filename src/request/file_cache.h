#pragma once
// What the filesystem says about a path, cached for a short time: the stat
// result (or the error), an open descriptor for regular files, and for small
// files their bytes. Each entry is re-checked with one stat() once its
// time-to-live has passed (1 s by default, as lighttpd's stat cache), so a
// changed file is seen within a second while a busy server stats each file
// once a second instead of once a request. A TTL of 0 turns caching off:
// every lookup stats (and opens) afresh, as httpd does.
//
// Threading: one cache per event-loop thread.

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sonora::request {

struct FileEntry {
    FileEntry() = default;
    ~FileEntry();
    FileEntry(const FileEntry&) = delete;
    FileEntry& operator=(const FileEntry&) = delete;

    std::string path;
    int error = 0;  // errno of stat() (ENOENT, ENOTDIR, EACCES...), 0 when found
    struct stat st {};
    int fd = -1;                   // regular files only; owned by the cache
    std::string content;           // the bytes, for regular files up to kMaxCachedBytes
    bool has_content = false;
    std::int64_t checked_ms = 0;   // when stat() last ran
    std::int64_t open_error = 0;   // errno of open(), 0 when open

    bool exists() const { return error == 0; }
    bool is_dir() const { return error == 0 && S_ISDIR(st.st_mode); }
    bool is_regular() const { return error == 0 && S_ISREG(st.st_mode); }
};

class FileCache {
public:
    static constexpr std::size_t kMaxCachedBytes = 64 * 1024;
    static constexpr std::size_t kMaxEntries = 4096;

    explicit FileCache(std::int64_t ttl_ms = 1000) : ttl_ms_(ttl_ms) {}
    ~FileCache();
    FileCache(const FileCache&) = delete;
    FileCache& operator=(const FileCache&) = delete;

    // The entry for `path` (absolute). A response in flight keeps its entry
    // (and so its descriptor) alive even when the cache replaces it.
    std::shared_ptr<const FileEntry> lookup(std::string_view path, std::int64_t now_ms);

    std::int64_t ttl_ms() const { return ttl_ms_; }
    std::size_t size() const { return entries_.size(); }

private:
    std::shared_ptr<FileEntry> load(std::string_view path, std::int64_t now_ms) const;

    std::int64_t ttl_ms_;
    std::unordered_map<std::string, std::shared_ptr<FileEntry>> entries_;
    std::string key_;  // scratch, to look up without allocating
};

}  // namespace sonora::request
