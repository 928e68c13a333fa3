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
// Before a walk trusts an answer, the events queued so far are read: a change
// completed before the client sent its request is always seen, and nothing
// is answered from a verdict older than that change. On its own, FsVerdicts
// reads the queue at each walk (one read() that usually finds nothing).
// Under the thread's event loop (Worker) it need not: the loop watches the
// queue's descriptor and has it read first thing in any turn where it is
// readable, so a request whose bytes arrived before the turn's wait returned
// finds every earlier change already read. The walk reads the queue itself
// only for a request that may have arrived after that: on a connection
// opened (and read at once) since, or behind another request of the same
// connection in the same turn (pipelined). Symbolic links are never cached
// (their target may lie anywhere); a path whose directory cannot be watched
// (no inotify, out of watches) is asked every time; a queue overflow
// forgets everything.
//
// Threading: one per event-loop thread (the Walker owns it).

#include <sys/stat.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
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

    // The thread's event loop, which can vouch for the queue between reads.
    struct EventLoop {
        // Called once the queue's descriptor is open: true when the loop
        // will call drain() first thing in every turn where it is readable.
        std::function<bool(int fd)> watch;
        // The loop's turn count, advanced when its wait returns, before any
        // of the turn's work runs.
        const std::uint64_t* turns = nullptr;
    };
    void use_event_loop(EventLoop loop);

    // Before a walk for the request received as `request` (its identity:
    // where its request line lies) on `connection` (null: unknown): reads
    // the queued events, unless the event loop vouches that none is pending
    // for a request that arrived then, and forgets what they name.
    void begin_walk(const void* connection = nullptr, const void* request = nullptr);
    // Reads the queued events now and forgets what they name.
    void drain();
    // A connection was opened and read outside the loop's wait: the next
    // walk reads the queue.
    void connection_opened() { must_read_ = true; }

    // Changes whenever an answer is forgotten: what was built from answers
    // that were all kept holds while it stays the same.
    std::uint64_t epoch() const { return epoch_; }
    // Answers given that were not kept (links, unwatched directories, other
    // errors than ENOENT and ENOTDIR, a full cache), so far.
    std::uint64_t unkept() const { return unkept_; }

    // stat()/lstat() of `path` (absolute): 0 with `st` filled, or the errno.
    // `cached` says whether the answer came from the cache, i.e. nothing
    // changed under that name since it was last asked.
    int stat(const std::string& path, struct stat& st, bool& cached) { return ask(path, false, st, cached); }
    int lstat(const std::string& path, struct stat& st, bool& cached) { return ask(path, true, st, cached); }

    // ---- for tests ----
    std::size_t size() const { return verdicts_.size(); }
    // stat(), lstat() and inotify_add_watch() calls.
    std::size_t system_calls() const { return calls_; }
    // read() calls on the event queue.
    std::size_t queue_reads() const { return queue_reads_; }
    static constexpr std::size_t kMaxVerdicts = 16384;
    static constexpr std::size_t kMaxWatches = 4096;
    static constexpr int kMaxEventReads = 8;  // of 16 KiB each, per drain
    static constexpr std::size_t kMaxConnectionsPerTurn = 64;  // then every walk of the turn reads

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
    void forget_all();
    bool open_queue();
    // Whether the request's bytes were read before this turn's wait returned,
    // as far as the loop can tell: the first request walked on its connection
    // in this turn.
    bool arrived_before_turn(const void* connection, const void* request);

    int fd_ = -2;  // -2: not opened yet, -1: unavailable
    EventLoop loop_;
    bool loop_watches_ = false;  // the loop drains the queue when it is readable
    bool must_read_ = false;
    std::uint64_t turn_ = 0;
    struct Walked {
        const void* connection;
        const void* request;
    };
    std::array<Walked, kMaxConnectionsPerTurn> walked_{};  // this turn's
    std::size_t walked_count_ = 0;
    std::uint64_t epoch_ = 0;
    std::uint64_t unkept_ = 0;
    std::size_t queue_reads_ = 0;
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
