#include "modules/filters/compress/compress_filter.h"

#include "modules/filters/compress/content_coding.h"
#include "modules/filters/compress/pending_output.h"

#include "core/strings.h"

#include <sys/stat.h>

#include <string>

namespace sonora::modules::filters::compress {

namespace {

using Output = Exchange::Output;

struct CompressSetup {
    std::unique_ptr<Encoder> encoder;
    std::size_t buffer_size = 0;
    NoteNames notes;
    std::optional<CacheKey> cache_key;
};

class CompressFilter final : public OutputFilter {
public:
    explicit CompressFilter(CompressSetup setup) : setup_(std::move(setup)) {}

    Output pull(BodySource& upstream, request::Request& r, Services&, std::int64_t now_ms) override {
        if (out_.done()) {
            return PendingOutput::ended(false);
        }
        for (;;) {
            Output in = upstream.pull(r, now_ms);
            if (in.failed) {
                return PendingOutput::ended(true);
            }
            if (!in.bytes.empty()) {
                setup_.encoder->compress(in.bytes, out_.bytes());
                if (!in.end) {
                    if (std::size_t ready = ready_bytes(); ready > 0) {
                        return emit(ready, true);
                    }
                }
            }
            if (in.end) {
                setup_.encoder->finish(out_.bytes());
                set_filter_notes(r, setup_.notes.input, setup_.notes.output, setup_.notes.ratio,
                                 setup_.encoder->total_in(), setup_.encoder->total_out());
                record(out_.bytes(), false);
                remember();
                return out_.take_rest();
            }
            if (in.bytes.empty()) {
                return Output{};  // the body waits; so do we
            }
        }
    }

private:
    // How much of the pending output httpd would have passed on by now.
    std::size_t ready_bytes() {
        if (setup_.buffer_size == 0) {
            return out_.bytes().size();
        }
        return out_.filled_buffers(setup_.encoder->total_out(), setup_.buffer_size);
    }

    Output emit(std::size_t n, bool flush) {
        Output out = out_.take(n, flush);
        record(out.bytes, flush);
        return out;
    }

    // Keeps what goes out for the cache, noting where httpd's first early
    // pass ends.
    void record(std::string_view bytes, bool flush) {
        if (setup_.cache_key) {
            if (flush && !flushed_) {
                first_flush_ = record_.size() + bytes.size();
            }
            if (record_.size() + bytes.size() <= CompressedCache::kMaxEntry) {
                record_.append(bytes);
            } else {
                setup_.cache_key.reset();  // too big to keep
            }
        }
        flushed_ = flushed_ || flush;
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
    PendingOutput out_;
    std::string record_;  // everything passed on, for the cache
    std::size_t first_flush_ = 0;
    bool flushed_ = false;
};

class CachedFilter final : public OutputFilter {
public:
    CachedFilter(std::shared_ptr<const CompressedEntry> entry, NoteNames notes)
        : entry_(std::move(entry)), notes_(notes) {}

    Output pull(BodySource&, request::Request& r, Services&, std::int64_t) override {
        const std::string_view all = entry_->bytes;
        if (rest_sent_) {
            return PendingOutput::ended(false);
        }
        if (!early_sent_ && entry_->first_flush > 0) {
            early_sent_ = true;
            Output out;
            out.bytes = all.substr(0, entry_->first_flush);
            out.flush = true;
            return out;
        }
        set_filter_notes(r, notes_.input, notes_.output, notes_.ratio, entry_->total_in, entry_->total_out);
        rest_sent_ = true;
        Output out;
        out.bytes = all.substr(early_sent_ ? entry_->first_flush : 0);
        out.end = out.bytes.empty();
        return out;
    }

private:
    std::shared_ptr<const CompressedEntry> entry_;
    NoteNames notes_;
    bool early_sent_ = false;
    bool rest_sent_ = false;
};

// The cache key when the handler's body is the whole regular file it found
// (nothing else can be cached by file identity).
std::optional<CacheKey> whole_file_key(const request::Request& r, std::uint64_t settings) {
    const auto& b = r.body;
    if (b.kind != request::Body::Kind::File || !b.pieces.empty() || b.offset != 0 || !r.has_finfo ||
        !S_ISREG(r.finfo.st_mode) || b.length != static_cast<std::uint64_t>(r.finfo.st_size)) {
        return std::nullopt;
    }
    return CacheKey::of(r.finfo, settings);
}

// Whether the body's descriptor is the file `key` names now. The descriptor
// comes from the file cache, which may hold a file that has since been
// replaced under the same name: only bytes read from the very file the key
// names may be stored under it. One fstat, on a cache miss only.
bool body_is_keyed_file(const request::Request& r, const CacheKey& key) {
    struct stat st {};
    return r.body.fd >= 0 && ::fstat(r.body.fd, &st) == 0 && CacheKey::of(st, key.settings) == key;
}

}  // namespace

std::string* NoteConfig::slot(std::span<const std::string> args) {
    if (args.size() == 1 || equals_nocase(args[0], "ratio")) {
        return &ratio;
    }
    if (equals_nocase(args[0], "input")) {
        return &input;
    }
    if (equals_nocase(args[0], "output")) {
        return &output;
    }
    return nullptr;
}

std::unique_ptr<OutputFilter> cached_filter(const request::Request& r, std::uint64_t settings, NoteNames notes) {
    auto key = whole_file_key(r, settings);
    if (!key) {
        return nullptr;
    }
    auto hit = CompressedCache::local().find(*key);
    if (hit == nullptr) {
        return nullptr;
    }
    return std::make_unique<CachedFilter>(std::move(hit), notes);
}

std::unique_ptr<OutputFilter> streaming_filter(const request::Request& r, std::unique_ptr<Encoder> encoder,
                                               std::size_t buffer_size, NoteNames notes, std::uint64_t settings) {
    CompressSetup setup;
    setup.encoder = std::move(encoder);
    setup.buffer_size = buffer_size;
    setup.notes = notes;
    if (auto key = whole_file_key(r, settings); key && body_is_keyed_file(r, *key)) {
        setup.cache_key = key;
    }
    return std::make_unique<CompressFilter>(std::move(setup));
}

}  // namespace sonora::modules::filters::compress
