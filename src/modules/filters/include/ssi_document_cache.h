#pragma once
// Scans of hot .shtml files, kept per thread (beyond httpd, which scans the
// document on every request): a document's ScannedDocument by the file's
// identity (device, inode) and the start and end tags it was scanned with,
// valid while the file's size, mtime and ctime (ns) are those it was
// scanned at. A changed file misses and its new scan replaces the old one.
//
// Bounded by a count and by the bytes the scans hold; the least recently
// used goes first. A scan is not kept when it alone exceeds the byte bound.
// Only the lexical scan is kept: everything the output depends on beyond
// the bytes (variables, conditions, includes, config) is evaluated per
// request by the processor replaying it.
//
// Thread-safety: none, by design: one cache per thread (for_this_thread()),
// no lock on the request path. A scan handed out stays valid for its holder
// after the cache drops it.

#include "modules/filters/include/ssi_scan_replay.h"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace sonora::modules::filters::ssi {

struct DocumentKey {
    dev_t device = 0;
    ino_t inode = 0;
    std::string start_tag;
    std::string end_tag;
    // The version of the file the scan is of.
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
};

class DocumentCache {
public:
    static constexpr std::size_t kMaxDocuments = 256;
    static constexpr std::size_t kMaxBytes = 8 * 1024 * 1024;
    // Larger documents are scanned as they stream, every time.
    static constexpr std::int64_t kMaxDocumentSize = 1024 * 1024;

    explicit DocumentCache(std::size_t max_documents = kMaxDocuments, std::size_t max_bytes = kMaxBytes)
        : max_documents_(max_documents), max_bytes_(max_bytes) {}

    // This thread's cache.
    static DocumentCache& for_this_thread();

    // The scan of exactly this version of the file under these tags, or null.
    std::shared_ptr<const ScannedDocument> find(const DocumentKey& key);
    // Keeps `scan` (of the file's version in `key`), replacing any other
    // version's, and evicts down to the bounds.
    void insert(const DocumentKey& key, std::shared_ptr<const ScannedDocument> scan);

    std::size_t size() const { return index_.size(); }
    std::size_t bytes() const { return bytes_; }

private:
    struct Identity {
        dev_t device;
        ino_t inode;
        std::string start_tag;
        std::string end_tag;
        bool operator==(const Identity&) const = default;
    };
    struct IdentityHash {
        std::size_t operator()(const Identity& id) const;
    };
    struct Entry {
        Identity id;
        std::int64_t size;
        std::int64_t mtime_ns;
        std::int64_t ctime_ns;
        std::shared_ptr<const ScannedDocument> scan;
    };
    using Lru = std::list<Entry>;  // most recently used first

    void erase(Lru::iterator it);

    std::size_t max_documents_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    Lru lru_;
    std::unordered_map<Identity, Lru::iterator, IdentityHash> index_;
};

}  // namespace sonora::modules::filters::ssi
