#include "modules/filters/compress/compressed_cache.h"

namespace sonora::modules::filters::compress {

CacheKey CacheKey::of(const struct stat& st, std::uint64_t settings) {
    CacheKey k;
    k.dev = static_cast<std::uint64_t>(st.st_dev);
    k.ino = static_cast<std::uint64_t>(st.st_ino);
    k.size = static_cast<std::uint64_t>(st.st_size);
    k.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    k.settings = settings;
    return k;
}

std::size_t CompressedCache::Hash::operator()(const CacheKey& k) const {
    std::uint64_t h = 1469598103934665603ull;
    for (std::uint64_t v : {k.dev, k.ino, k.size, static_cast<std::uint64_t>(k.mtime_ns), k.settings}) {
        h = (h ^ v) * 1099511628211ull;
    }
    return static_cast<std::size_t>(h);
}

CompressedCache& CompressedCache::local() {
    thread_local CompressedCache cache;
    return cache;
}

std::shared_ptr<const CompressedEntry> CompressedCache::find(const CacheKey& key) {
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return it->second.entry;
}

void CompressedCache::store(const CacheKey& key, std::shared_ptr<const CompressedEntry> entry) {
    if (entry == nullptr || entry->bytes.size() > kMaxEntry) {
        return;
    }
    if (auto it = slots_.find(key); it != slots_.end()) {
        bytes_ -= it->second.entry->bytes.size();
        lru_.erase(it->second.position);
        slots_.erase(it);
    }
    while (!lru_.empty() && bytes_ + entry->bytes.size() > kCapacity) {
        auto victim = slots_.find(lru_.back());
        bytes_ -= victim->second.entry->bytes.size();
        slots_.erase(victim);
        lru_.pop_back();
    }
    bytes_ += entry->bytes.size();
    lru_.push_front(key);
    slots_.emplace(key, Slot{std::move(entry), lru_.begin()});
}

void CompressedCache::clear() {
    slots_.clear();
    lru_.clear();
    bytes_ = 0;
}

}  // namespace sonora::modules::filters::compress
