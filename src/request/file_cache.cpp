#include "request/file_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sonora::request {

FileEntry::~FileEntry() {
    if (fd >= 0) {
        ::close(fd);
    }
}

namespace {

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size && a.st_mode == b.st_mode &&
           a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

FileCache::~FileCache() = default;

std::shared_ptr<FileEntry> FileCache::load(std::string_view path, std::int64_t now_ms) const {
    auto e = std::make_shared<FileEntry>();
    e->path.assign(path);
    e->checked_ms = now_ms;
    if (::stat(e->path.c_str(), &e->st) != 0) {
        e->error = errno;
        return e;
    }
    if (!S_ISREG(e->st.st_mode)) {
        return e;
    }
    e->fd = ::open(e->path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (e->fd < 0) {
        e->open_error = errno;
        return e;
    }
    // Describe what the descriptor holds: the file may have changed since stat().
    if (::fstat(e->fd, &e->st) != 0) {
        e->open_error = errno;
        return e;
    }
    if (ttl_ms_ > 0 && static_cast<std::size_t>(e->st.st_size) <= kMaxCachedBytes) {
        e->content.resize(static_cast<std::size_t>(e->st.st_size));
        std::size_t got = 0;
        while (got < e->content.size()) {
            ssize_t n = ::pread(e->fd, e->content.data() + got, e->content.size() - got, static_cast<off_t>(got));
            if (n <= 0) {
                break;
            }
            got += static_cast<std::size_t>(n);
        }
        e->has_content = got == e->content.size();
        if (!e->has_content) {
            e->content.clear();
        }
    }
    return e;
}

std::shared_ptr<const FileEntry> FileCache::lookup(std::string_view path, std::int64_t now_ms) {
    if (ttl_ms_ <= 0) {
        return load(path, now_ms);
    }
    key_.assign(path);
    auto it = entries_.find(key_);
    if (it != entries_.end()) {
        FileEntry& e = *it->second;
        if (now_ms - e.checked_ms < ttl_ms_) {
            return it->second;
        }
        struct stat st {};
        int err = ::stat(key_.c_str(), &st) == 0 ? 0 : errno;
        if (err == e.error && (err != 0 || (same_file(st, e.st) && (e.fd >= 0 || !S_ISREG(st.st_mode))))) {
            e.checked_ms = now_ms;
            return it->second;
        }
        it->second = load(path, now_ms);
        return it->second;
    }
    if (entries_.size() >= kMaxEntries) {
        entries_.clear();  // responses in flight keep their entries
    }
    auto entry = load(path, now_ms);
    entries_.emplace(key_, entry);
    return entry;
}

}  // namespace sonora::request
