#include "request/fs_verdicts.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <cstring>

namespace sonora::request {

namespace {

// Everything that can change what stat() or lstat() says of an entry, or
// which file a name leads to.
constexpr std::uint32_t kEvents = IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                  IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW | IN_ONLYDIR;

std::string_view parent_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) {
        return {};
    }
    return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

}  // namespace

FsVerdicts::~FsVerdicts() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void FsVerdicts::forget(std::string_view prefix) {
    // Keys are the path, a NUL and a letter: an entry's own verdicts and
    // those of what lies below it, not of names that merely begin alike.
    bool erased = false;
    for (auto it = verdicts_.lower_bound(prefix); it != verdicts_.end() && it->first.starts_with(prefix);) {
        const char next = it->first[prefix.size()];
        if (next == '\0' || next == '/' || prefix == "/") {
            it = verdicts_.erase(it);
            erased = true;
        } else {
            ++it;
        }
    }
    // A watch follows its inode: once the name may lead elsewhere (renamed,
    // replaced), directories under it are watched afresh when next asked.
    for (auto it = watches_.begin(); it != watches_.end();) {
        const std::string& dir = it->first;
        const bool under = prefix == "/" || dir == prefix ||
                           (dir.size() > prefix.size() && dir.starts_with(prefix) && dir[prefix.size()] == '/');
        if (under) {
            ::inotify_rm_watch(fd_, it->second);
            dirs_.erase(it->second);
            it = watches_.erase(it);
            erased = true;
        } else {
            ++it;
        }
    }
    epoch_ += erased ? 1 : 0;
}

void FsVerdicts::forget_all() {
    verdicts_.clear();
    ++epoch_;
}

void FsVerdicts::use_event_loop(EventLoop loop) {
    loop_ = std::move(loop);
    if (fd_ >= 0 && loop_.watch && loop_.turns != nullptr) {
        loop_watches_ = loop_.watch(fd_);
    }
}

bool FsVerdicts::arrived_before_turn(const void* connection, const void* request) {
    if (!loop_watches_ || connection == nullptr || request == nullptr) {
        return false;
    }
    if (turn_ != *loop_.turns) {
        turn_ = *loop_.turns;
        walked_count_ = 0;
    }
    for (std::size_t i = 0; i < walked_count_; ++i) {
        if (walked_[i].connection == connection) {
            // The same request again (a subrequest, an internal redirect), or
            // one pipelined behind it, whose bytes may have come since.
            const bool same = walked_[i].request == request;
            walked_[i].request = request;
            return same;
        }
    }
    if (walked_count_ == walked_.size()) {
        return false;
    }
    walked_[walked_count_++] = Walked{connection, request};
    return true;
}

void FsVerdicts::begin_walk(const void* connection, const void* request) {
    const bool vouched = arrived_before_turn(connection, request) && !must_read_;
    if (fd_ < 0 || vouched) {
        return;
    }
    must_read_ = false;
    if (!verdicts_.empty()) {
        drain();
    }
}

void FsVerdicts::drain() {
    if (fd_ < 0) {
        return;
    }
    alignas(inotify_event) char buf[16 * 1024];
    for (int reads = 0;; ++reads) {
        if (reads == kMaxEventReads) {
            // Writes keep coming faster than one walk should read about them
            // (a log written in a watched directory): forget everything
            // rather than fall behind. The events left are read next time.
            forget_all();
            return;
        }
        ++queue_reads_;
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return;  // EAGAIN: nothing more
        }
        // A read takes every queued event that fits: with room left for the
        // longest, the queue was empty then, and no second read is needed.
        const bool emptied = static_cast<std::size_t>(n) + sizeof(inotify_event) + NAME_MAX + 1 <= sizeof buf;
        for (ssize_t at = 0; at < n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
            if (ev->mask & IN_Q_OVERFLOW) {
                forget_all();
                continue;
            }
            auto found = dirs_.find(ev->wd);
            if (found == dirs_.end()) {
                continue;
            }
            // A copy: forgetting drops watches, and this name with them.
            event_path_.assign(found->second);
            if ((ev->mask & IN_IGNORED) || ev->len == 0 || ev->name[0] == '\0') {
                forget(event_path_);  // the directory itself (IN_IGNORED: it is gone, or unmounted)
                continue;
            }
            if (event_path_ != "/") {
                event_path_.push_back('/');
            }
            event_path_.append(ev->name);
            forget(event_path_);  // the entry and all that lies under it
        }
        if (emptied) {
            return;
        }
    }
}

bool FsVerdicts::watch_one(const std::string& dir) {
    if (watches_.count(dir) != 0) {
        return true;
    }
    if (watches_.size() >= kMaxWatches) {
        return false;
    }
    ++calls_;
    const int wd = ::inotify_add_watch(fd_, dir.c_str(), kEvents);
    if (wd < 0) {
        return false;
    }
    dirs_[wd] = dir;
    watches_.emplace(dir, wd);
    return true;
}

// The directory and every one above it: renaming any of them changes which
// file the path names, and that is an event only in the directory above.
bool FsVerdicts::open_queue() {
    if (fd_ == -2) {
        fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        // Room for any watched directory and any name an event can carry:
        // events about other programs' files then cost no allocation.
        event_path_.reserve(PATH_MAX + NAME_MAX + 2);
        if (fd_ < 0) {
            fd_ = -1;
        } else if (loop_.watch && loop_.turns != nullptr) {
            loop_watches_ = loop_.watch(fd_);
        }
    }
    return fd_ >= 0;
}

bool FsVerdicts::watch(std::string_view dir) {
    if (!open_queue() || dir.empty() || dir.front() != '/') {
        return false;
    }
    if (watches_.count(std::string(dir)) != 0) {
        return true;  // its ancestors were watched with it
    }
    std::string prefix = "/";
    if (!watch_one(prefix)) {
        return false;
    }
    for (std::size_t at = 1; at < dir.size();) {
        std::size_t end = dir.find('/', at);
        if (end == std::string_view::npos) {
            end = dir.size();
        }
        prefix.assign(dir.substr(0, end));
        if (!watch_one(prefix)) {
            return false;
        }
        at = end + 1;
    }
    return true;
}

int FsVerdicts::ask(const std::string& path, bool no_follow, struct stat& st, bool& cached) {
    key_.assign(path);
    key_.push_back('\0');
    key_.push_back(no_follow ? 'L' : 'S');
    if (auto it = verdicts_.find(key_); it != verdicts_.end()) {
        cached = true;
        st = it->second.st;
        return it->second.error;
    }
    cached = false;
    // Watch first, then ask: a change after the answer is an event.
    const bool watched = watch(parent_of(path));
    ++calls_;
    const int rc = no_follow ? ::lstat(path.c_str(), &st) : ::stat(path.c_str(), &st);
    const int error = rc == 0 ? 0 : errno;
    bool keep = watched && verdicts_.size() < kMaxVerdicts && (error == 0 || error == ENOENT || error == ENOTDIR);
    if (keep && error == 0 && (no_follow ? S_ISLNK(st.st_mode) : false)) {
        keep = false;  // a link's target may be anywhere
    }
    if (keep && !no_follow && error == 0) {
        // stat() followed links we cannot watch: keep only what is no link.
        struct stat l {};
        ++calls_;
        keep = ::lstat(path.c_str(), &l) == 0 && !S_ISLNK(l.st_mode);
    }
    if (keep) {
        verdicts_.emplace(key_, Verdict{error, st, !no_follow});
    } else {
        ++unkept_;
    }
    return error;
}

}  // namespace sonora::request
