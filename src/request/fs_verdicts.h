#pragma once
// What stat() and lstat() said about the paths the directory walk checks
// (access files, path components under SymLinksIfOwnerMatch), kept until
// the file system says otherwise. httpd asks again on every request (the
// seeds' "lstat per component, .htaccess open per directory"); Sonora asks
// once, watches the directory holding each path with inotify, and forgets
// every answer under a directory entry as soon as an event names it: a
// creation, removal, rename, write or attribute change. The directory and
// all above it are watched (a rename higher up changes what the path names)
// before the question is asked, so no change after the answer goes unseen.
//
// Each walk first reads the pending events (one read() that usually finds
// none): a change made before the request is looked at is always seen, and
// nothing is answered from a verdict older than the change. Symbolic links
// are never cached (their target may lie anywhere); a path whose directory
// cannot be watched (no inotify, out of watches) is asked every time; a
// queue overflow forgets everything.
//
// Threading: one per event-loop thread (the Walker owns it).

#include <sys/stat.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sonora::request {

class FsVerdicts {
public:
    FsVerdicts() = default;
    ~FsVerdicts();
    FsVerdicts(const FsVerdicts&) = delete;
    FsVerdicts& operator=(const FsVerdicts&) = delete;

    // Reads the events queued since the last walk and forgets what they name.
    void begin_walk();

    // stat()/lstat() of `path` (absolute): 0 with `st` filled, or the errno.
    // `cached` says whether the answer came from the cache, i.e. nothing
    // changed under that name since it was last asked.
    int stat(const std::string& path, struct stat& st, bool& cached) { return ask(path, false, st, cached); }
    int lstat(const std::string& path, struct stat& st, bool& cached) { return ask(path, true, st, cached); }

    // ---- for tests ----
    std::size_t size() const { return verdicts_.size(); }
    // stat(), lstat() and inotify_add_watch() calls (event reads not counted).
    std::size_t system_calls() const { return calls_; }
    static constexpr std::size_t kMaxVerdicts = 16384;
    static constexpr std::size_t kMaxWatches = 4096;
    static constexpr int kMaxEventReads = 8;  // of 16 KiB each, per walk

private:
    struct Verdict {
        int error = 0;
        struct stat st {};
        bool followed = false;  // from stat() (else lstat())
    };
    int ask(const std::string& path, bool no_follow, struct stat& st, bool& cached);
    bool watch(std::string_view dir);
    bool watch_one(const std::string& dir);
    void forget(std::string_view prefix);

    int fd_ = -2;  // -2: not opened yet, -1: unavailable
    std::unordered_map<int, std::string> dirs_;     // watch descriptor -> directory
    std::unordered_map<std::string, int> watches_;  // directory -> watch descriptor
    // Keyed by path, then 'L' or 'S' for lstat/stat: ordered so that all
    // that lies under a changed entry goes in one range.
    std::map<std::string, Verdict, std::less<>> verdicts_;
    std::string key_;
    std::string event_path_;  // reused: an event about an unrelated name allocates nothing
    std::size_t calls_ = 0;
};

}  // namespace sonora::request
