// The per-thread cache of document scans: found only for the same file
// version and tags, replaced when the file changes, bounded by count and
// bytes with the least recently used going first.

#include "modules/filters/include/ssi_document_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sonora::modules::filters::ssi {
namespace {

DocumentKey key(ino_t inode, std::int64_t mtime_ns = 1000) {
    DocumentKey k;
    k.device = 7;
    k.inode = inode;
    k.start_tag = "<!--#";
    k.end_tag = "-->";
    k.size = 10;
    k.mtime_ns = mtime_ns;
    k.ctime_ns = mtime_ns;
    return k;
}

std::shared_ptr<const ScannedDocument> scan(std::size_t footprint) {
    auto d = std::make_shared<ScannedDocument>();
    d->footprint = footprint;
    return d;
}

TEST(SsiDocumentCache, FindsOnlyTheSameVersionAndTags) {
    DocumentCache cache;
    const auto s = scan(100);
    cache.insert(key(1), s);
    EXPECT_EQ(cache.find(key(1)), s);
    EXPECT_EQ(cache.find(key(2)), nullptr);
    EXPECT_EQ(cache.find(key(1, 2000)), nullptr);  // modified
    DocumentKey k = key(1);
    k.size = 11;
    EXPECT_EQ(cache.find(k), nullptr);
    k = key(1);
    k.ctime_ns = 5;
    EXPECT_EQ(cache.find(k), nullptr);
    k = key(1);
    k.device = 8;
    EXPECT_EQ(cache.find(k), nullptr);
    k = key(1);
    k.end_tag = "]]";
    EXPECT_EQ(cache.find(k), nullptr);
}

TEST(SsiDocumentCache, ANewVersionReplacesTheOld) {
    DocumentCache cache;
    cache.insert(key(1), scan(100));
    const auto newer = scan(50);
    cache.insert(key(1, 2000), newer);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.bytes(), 50u);
    EXPECT_EQ(cache.find(key(1)), nullptr);
    EXPECT_EQ(cache.find(key(1, 2000)), newer);
}

TEST(SsiDocumentCache, EvictsTheLeastRecentlyUsed) {
    DocumentCache cache(2, 1000);
    cache.insert(key(1), scan(10));
    cache.insert(key(2), scan(10));
    ASSERT_NE(cache.find(key(1)), nullptr);  // 2 is now the oldest
    cache.insert(key(3), scan(10));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_NE(cache.find(key(1)), nullptr);
    EXPECT_EQ(cache.find(key(2)), nullptr);
    EXPECT_NE(cache.find(key(3)), nullptr);
}

TEST(SsiDocumentCache, BoundedByBytes) {
    DocumentCache cache(100, 1000);
    cache.insert(key(1), scan(400));
    cache.insert(key(2), scan(400));
    cache.insert(key(3), scan(400));
    EXPECT_EQ(cache.find(key(1)), nullptr);
    EXPECT_EQ(cache.bytes(), 800u);
    cache.insert(key(4), scan(1001));  // larger than the whole bound: not kept, nothing evicted
    EXPECT_EQ(cache.find(key(4)), nullptr);
    EXPECT_EQ(cache.size(), 2u);
}

TEST(SsiDocumentCache, AHolderKeepsAnEvictedScan) {
    DocumentCache cache(1, 1000);
    auto held = scan(10);
    cache.insert(key(1), held);
    const auto found = cache.find(key(1));
    held.reset();
    cache.insert(key(2), scan(10));
    EXPECT_EQ(cache.find(key(1)), nullptr);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->footprint, 10u);
}

TEST(SsiDocumentCache, OnePerThread) {
    EXPECT_EQ(&DocumentCache::for_this_thread(), &DocumentCache::for_this_thread());
}

}  // namespace
}  // namespace sonora::modules::filters::ssi
