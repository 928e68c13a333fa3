#include "modules/filters/compress/compress_filter.h"

#include "modules/filters/compress/content_coding.h"

#include <sys/stat.h>

#include <string>

namespace sonora::modules::filters::compress {

namespace {

using Output = Exchange::Output;

Output ended(bool failed) {
    Output out;
    out.end = true;
    out.failed = failed;
    return out;
}

class CompressFilter final : public OutputFilter {
public:
    explicit CompressFilter(CompressSetup setup) : setup_(std::move(setup)) {}

    Output pull(BodySource& upstream, request::Request& r, Services&, std::int64_t now_ms) override {
        sent_.clear();
        for (;;) {
            Output in = upstream.pull(r, now_ms);
            if (in.failed) {
                return ended(true);
            }
            if (!in.bytes.empty()) {
                setup_.encoder->compress(in.bytes, pending_);
                if (!in.end) {
                    if (std::size_t ready = ready_bytes(); ready > 0) {
                        return emit(ready, true);
                    }
                }
            }
            if (in.end) {
                setup_.encoder->finish(pending_);
                set_filter_notes(r, setup_.notes.input, setup_.notes.output, setup_.notes.ratio,
                                 setup_.encoder->total_in(), setup_.encoder->total_out());
                Output out = emit(pending_.size(), false);
                out.end = true;
                remember();
                return out;
            }
            if (in.bytes.empty()) {
                return Output{};  // the body waits; so do we
            }
        }
    }

private:
    // How much of pending_ httpd would have passed on by now.
    std::size_t ready_bytes() {
        if (setup_.buffer_size == 0) {
            return pending_.size();
        }
        const std::uint64_t filled = setup_.encoder->total_out() / setup_.buffer_size;
        if (filled <= buffers_passed_) {
            return 0;
        }
        buffers_passed_ = filled;
        return pending_.size() - static_cast<std::size_t>(setup_.encoder->total_out() % setup_.buffer_size);
    }

    Output emit(std::size_t n, bool flush) {
        sent_.assign(pending_, 0, n);
        pending_.erase(0, n);
        if (setup_.cache_key) {
            if (flush && !flushed_) {
                first_flush_ = record_.size() + n;
            }
            if (record_.size() + n <= CompressedCache::kMaxEntry) {
                record_.append(sent_);
            } else {
                setup_.cache_key.reset();  // too big to keep
            }
        }
        flushed_ = flushed_ || flush;
        Output out;
        out.bytes = sent_;
        out.flush = flush;
        return out;
    }

    void remember() {
        if (!setup_.cache_key) {
            return;
        }
        auto entry = std::make_shared<CompressedEntry>();
        entry->bytes = std::move(record_);
        entry->first_flush = first_flush_;
        entry->total_in = setup_.encoder->total_in();
        entry->total_out = setup_.encoder->total_out();
        CompressedCache::local().store(*setup_.cache_key, std::move(entry));
    }

    CompressSetup setup_;
    std::string pending_;  // encoded, not passed on yet
    std::string sent_;     // what the last pull returned
    std::string record_;   // everything passed on, for the cache
    std::uint64_t buffers_passed_ = 0;
    std::size_t first_flush_ = 0;
    bool flushed_ = false;
};

class CachedFilter final : public OutputFilter {
public:
    CachedFilter(std::shared_ptr<const CompressedEntry> entry, NoteNames notes)
        : entry_(std::move(entry)), notes_(notes) {}

    Output pull(BodySource&, request::Request& r, Services&, std::int64_t) override {
        const std::string_view all = entry_->bytes;
        if (!early_sent_ && entry_->first_flush > 0) {
            early_sent_ = true;
            Output out;
            out.bytes = all.substr(0, entry_->first_flush);
            out.flush = true;
            return out;
        }
        set_filter_notes(r, notes_.input, notes_.output, notes_.ratio, entry_->total_in, entry_->total_out);
        Output out;
        out.bytes = all.substr(early_sent_ ? entry_->first_flush : 0);
        out.end = true;
        return out;
    }

private:
    std::shared_ptr<const CompressedEntry> entry_;
    NoteNames notes_;
    bool early_sent_ = false;
};

}  // namespace

std::unique_ptr<OutputFilter> make_compress_filter(CompressSetup setup) {
    return std::make_unique<CompressFilter>(std::move(setup));
}

std::unique_ptr<OutputFilter> make_cached_filter(std::shared_ptr<const CompressedEntry> entry, NoteNames notes) {
    return std::make_unique<CachedFilter>(std::move(entry), notes);
}

std::optional<CacheKey> whole_file_key(const request::Request& r, std::uint64_t settings) {
    const auto& b = r.body;
    if (b.kind != request::Body::Kind::File || !b.pieces.empty() || b.offset != 0 || !r.has_finfo ||
        !S_ISREG(r.finfo.st_mode) || b.length != static_cast<std::uint64_t>(r.finfo.st_size)) {
        return std::nullopt;
    }
    return CacheKey::of(r.finfo, settings);
}

bool body_is_keyed_file(const request::Request& r, const CacheKey& key) {
    // The descriptor comes from the file cache, which may hold a file that
    // has since been replaced under the same name: only bytes read from the
    // very file the key names may be stored under it.
    struct stat st {};
    return r.body.fd < 0 ? false : ::fstat(r.body.fd, &st) == 0 && CacheKey::of(st, key.settings) == key;
}

}  // namespace sonora::modules::filters::compress
