// The per-thread cache of document scans (see ssi_document_cache.h).

#include "modules/filters/include/ssi_document_cache.h"

#include <functional>

namespace sonora::modules::filters::ssi {

std::size_t DocumentCache::IdentityHash::operator()(const Identity& id) const {
    std::size_t h = std::hash<ino_t>{}(id.inode);
    h = h * 31 + std::hash<dev_t>{}(id.device);
    h = h * 31 + std::hash<std::string>{}(id.start_tag);
    return h * 31 + std::hash<std::string>{}(id.end_tag);
}

DocumentCache& DocumentCache::for_this_thread() {
    thread_local DocumentCache cache;
    return cache;
}

std::shared_ptr<const ScannedDocument> DocumentCache::find(const DocumentKey& key) {
    const auto it = index_.find(Identity{key.device, key.inode, key.start_tag, key.end_tag});
    if (it == index_.end()) {
        return nullptr;
    }
    const Entry& e = *it->second;
    if (e.size != key.size || e.mtime_ns != key.mtime_ns || e.ctime_ns != key.ctime_ns) {
        return nullptr;  // the file changed: its new scan will replace this one
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return e.scan;
}

void DocumentCache::insert(const DocumentKey& key, std::shared_ptr<const ScannedDocument> scan) {
    if (!scan || scan->footprint > max_bytes_ || max_documents_ == 0) {
        return;
    }
    Identity id{key.device, key.inode, key.start_tag, key.end_tag};
    if (const auto it = index_.find(id); it != index_.end()) {
        erase(it->second);
    }
    while (!lru_.empty() && (index_.size() >= max_documents_ || bytes_ + scan->footprint > max_bytes_)) {
        erase(std::prev(lru_.end()));
    }
    bytes_ += scan->footprint;
    lru_.push_front(Entry{id, key.size, key.mtime_ns, key.ctime_ns, std::move(scan)});
    index_.emplace(std::move(id), lru_.begin());
}

void DocumentCache::erase(Lru::iterator it) {
    bytes_ -= it->scan->footprint;
    index_.erase(it->id);
    lru_.erase(it);
}

}  // namespace sonora::modules::filters::ssi
