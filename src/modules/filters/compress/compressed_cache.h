#pragma once
// Compressed forms of whole static files, kept per thread so that a file
// served compressed again is not compressed again (httpd recompresses every
// time). An entry is found by what identifies the file's content (device,
// inode, size, mtime in nanoseconds) and by everything that changes the
// output (the coding and its settings, packed by the filter into `settings`).
// Bounded: entries up to kMaxEntry bytes, kCapacity bytes in all, least
// recently used first out. Entries are shared: a response keeps the one it
// sends alive even if it is evicted meanwhile.

#include <sys/stat.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace sonora::modules::filters::compress {

struct CompressedEntry {
    std::string bytes;            // the whole encoded body
    std::size_t first_flush = 0;  // bytes httpd would pass on before the end (0: none)
    std::uint64_t total_in = 0;   // for the notes
    std::uint64_t total_out = 0;
};

struct CacheKey {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t settings = 0;  // coding and its parameters
    bool operator==(const CacheKey&) const = default;
    static CacheKey of(const struct stat& st, std::uint64_t settings);
};

class CompressedCache {
public:
    static constexpr std::size_t kCapacity = 8u << 20;
    static constexpr std::size_t kMaxEntry = 1u << 20;

    // This thread's cache.
    static CompressedCache& local();

    std::shared_ptr<const CompressedEntry> find(const CacheKey& key);
    void store(const CacheKey& key, std::shared_ptr<const CompressedEntry> entry);
    std::size_t bytes() const { return bytes_; }
    void clear();

private:
    struct Hash {
        std::size_t operator()(const CacheKey& k) const;
    };
    using Lru = std::list<CacheKey>;
    struct Slot {
        std::shared_ptr<const CompressedEntry> entry;
        Lru::iterator position;
    };
    std::unordered_map<CacheKey, Slot, Hash> slots_;
    Lru lru_;  // most recent first
    std::size_t bytes_ = 0;
};

}  // namespace sonora::modules::filters::compress
