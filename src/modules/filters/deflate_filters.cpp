// mod_deflate's output filters, DEFLATE and INFLATE: what httpd's filters
// decide on their first call (make_*) and the streams they then produce.

#include "modules/filters/compress/compress_filter.h"
#include "modules/filters/compress/content_coding.h"
#include "modules/filters/mod_deflate.h"

#include "core/strings.h"
#include "modules/core/request_log.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::filters {

namespace {

using compress::GzipInflater;
using request::Request;
using Output = Exchange::Output;

Output ended(bool failed) {
    Output out;
    out.end = true;
    out.failed = failed;
    return out;
}

// A body known to be shorter than this goes out as it is, untouched (no Vary
// either): Apache 2.4 leaves 68 bytes alone and compresses 69, whatever they
// are (measured; gzip's framing alone is 18 bytes).
constexpr std::uint64_t kMinCompressLength = 69;

const DeflateServerConfig& server_config(const Request& r) {
    static const DeflateServerConfig kDefaults;
    const auto* c = r.server != nullptr ? r.server->module_config.get<DeflateServerConfig>(deflate_module.index)
                                        : nullptr;
    return c != nullptr ? *c : kDefaults;
}

bool env_set(const Request& r, std::string_view name) { return r.env_get(name).has_value(); }

// Everything httpd's DEFLATE filter checks before it looks at the client: a
// response it never touches, not even to add Vary.
bool leave_alone(const Request& r) {
    if (auto n = compress::known_body_length(r); n && *n < kMinCompressLength) {
        return true;
    }
    // Sonora's handler has already cut a Range; httpd compresses first and
    // ranges the compressed body. A partial body is never compressed here.
    if (r.status == 204 || r.status == 206 || env_set(r, "no-gzip") ||
        request::find_header(r.headers_out, "Content-Range") || !r.body.pieces.empty()) {
        return true;
    }
    if (r.content_type.compare(0, 9, "text/html") != 0) {
        auto only_html = r.env_get("gzip-only-text/html");
        if (only_html && *only_html == "1") {
            return true;
        }
    }
    return false;
}

std::unique_ptr<OutputFilter> make_deflate(Request& r, Services&) {
    if (leave_alone(r)) {
        return nullptr;
    }
    const std::string_view encoding = compress::current_encoding(r);
    if (!encoding.empty() && !compress::is_unencoded(encoding)) {
        return nullptr;
    }
    compress::merge_vary_accept_encoding(r);
    if (!env_set(r, "force-gzip")) {
        auto accepts = r.header("Accept-Encoding");
        if (!accepts || !compress::accepts_coding(*accepts, "gzip")) {
            return nullptr;
        }
    }
    const DeflateServerConfig& c = server_config(r);
    std::unique_ptr<compress::GzipEncoder> encoder;
    if (r.status != 304) {
        encoder = std::make_unique<compress::GzipEncoder>(c.gzip);
        if (!encoder->ok()) {
            core::log_request_error(r, LogLevel::Error, "deflate", "SN01383",
                                    "unable to init Zlib: deflateInit2 returned -2: URL " + std::string(r.uri));
            return nullptr;
        }
    }
    compress::add_content_encoding(r, encoding, "gzip");
    compress::unset_header(r, "Content-Length");
    compress::unset_header(r, "Content-MD5");
    r.body.length_declared = false;
    compress::alter_etag(r, c.etag, "gzip", true);
    if (r.status == 304) {
        return nullptr;
    }
    const compress::NoteNames notes{c.note_input, c.note_output, c.note_ratio};
    auto key = compress::whole_file_key(r, c.cache_settings());
    if (key) {
        if (auto hit = compress::CompressedCache::local().find(*key)) {
            return compress::make_cached_filter(std::move(hit), notes);
        }
    }
    compress::CompressSetup setup;
    setup.encoder = std::move(encoder);
    setup.buffer_size = c.buffer_size;
    setup.notes = notes;
    if (key && compress::body_is_keyed_file(r, *key)) {
        setup.cache_key = key;
    }
    return compress::make_compress_filter(std::move(setup));
}

// ---- INFLATE ----

bool is_gzip(std::string_view token) { return equals_nocase(token, "gzip") || equals_nocase(token, "x-gzip"); }

// httpd's check_gzip for the output side: the Content-Encoding that applies
// (headers_out's, else err_headers_out's, else r.content_encoding) must end
// in gzip or x-gzip, identity tokens after it aside; that coding is taken
// off it. False (nothing changed) otherwise.
bool take_off_gzip(Request& r) {
    std::pmr::vector<request::Header>* table = &r.headers_out;
    std::optional<std::string_view> found = request::find_header(r.headers_out, "Content-Encoding");
    if (!found) {
        table = &r.err_headers_out;
        found = request::find_header(r.err_headers_out, "Content-Encoding");
        if (!found) {
            table = nullptr;
            if (!r.content_encoding.empty()) {
                found = r.content_encoding;
            }
        }
    }
    if (!found || found->empty()) {
        return false;
    }
    std::string value(*found);
    std::optional<std::string> rest;  // the value without the gzip coding; "" removes it
    if (is_gzip(value)) {
        rest = std::string();
    } else if (value.find(',') != std::string::npos) {
        for (;;) {
            const auto comma = value.rfind(',');
            if (comma == std::string::npos) {
                if (is_gzip(value)) {
                    rest = std::string();
                }
                break;
            }
            std::string_view last = std::string_view(value).substr(comma + 1);
            while (!last.empty() && (last.front() == ' ' || (last.front() >= '\t' && last.front() <= '\r'))) {
                last.remove_prefix(1);
            }
            if (is_gzip(last)) {
                value.resize(comma);
                rest = value;
                break;
            }
            if (last.empty() || equals_nocase(last, "identity")) {
                value.resize(comma);
                continue;
            }
            break;
        }
    }
    if (!rest) {
        return false;
    }
    if (table == nullptr) {
        r.content_encoding.assign(*rest);
        return true;
    }
    const std::string_view kept = r.keep(*rest);
    std::erase_if(*table, [](const request::Header& h) { return equals_nocase(h.name, "Content-Encoding"); });
    if (!rest->empty()) {
        table->push_back({"Content-Encoding", kept});
    }
    // The connection writes r.content_encoding over the table's value, as
    // httpd's header filter does: keep them in step.
    if (!r.content_encoding.empty()) {
        r.content_encoding.assign(kept);
    }
    return true;
}

// The output side has no limits (httpd's INFLATE output filter sets none).
compress::InflateLimits limits_for(std::size_t buffer_size) {
    compress::InflateLimits limits;
    limits.check_every = buffer_size;
    return limits;
}

class InflateFilter final : public OutputFilter {
public:
    explicit InflateFilter(std::size_t buffer_size)
        : inflater_(limits_for(buffer_size)), buffer_size_(buffer_size) {}

    Output pull(BodySource& upstream, Request& r, Services&, std::int64_t now_ms) override {
        sent_.clear();
        for (;;) {
            Output in = upstream.pull(r, now_ms);
            if (in.failed) {
                return ended(true);
            }
            if (!in.bytes.empty()) {
                const auto status = inflater_.feed(in.bytes, pending_);
                if (status != GzipInflater::Status::NeedMore && status != GzipInflater::Status::Done) {
                    core::log_request_error(r, LogLevel::Error, "deflate", "SN01409",
                                            status == GzipInflater::Status::BadHeader
                                                ? "inflate: bad header"
                                                : "Zlib error inflating data");
                    return ended(true);
                }
            }
            if (in.end) {
                if (inflater_.finish() != GzipInflater::Status::Done) {
                    core::log_request_error(r, LogLevel::Error, "deflate", "SN01401",
                                            "Zlib: Validation bytes not present");
                    return ended(true);
                }
                Output out = emit(pending_.size(), false);
                out.end = true;
                return out;
            }
            const std::uint64_t filled = inflater_.total_out() / buffer_size_;
            if (filled > buffers_passed_) {
                buffers_passed_ = filled;
                return emit(pending_.size() - static_cast<std::size_t>(inflater_.total_out() % buffer_size_), true);
            }
            if (in.bytes.empty()) {
                return Output{};
            }
        }
    }

private:
    Output emit(std::size_t n, bool flush) {
        sent_.assign(pending_, 0, n);
        pending_.erase(0, n);
        Output out;
        out.bytes = sent_;
        out.flush = flush;
        return out;
    }

    GzipInflater inflater_;
    std::size_t buffer_size_;
    std::string pending_, sent_;
    std::uint64_t buffers_passed_ = 0;
};

std::unique_ptr<OutputFilter> make_inflate(Request& r, Services&) {
    if (r.status == 206 || request::find_header(r.headers_out, "Content-Range") || !r.body.pieces.empty()) {
        return nullptr;
    }
    if (!take_off_gzip(r)) {
        return nullptr;
    }
    // httpd leaves an empty body (204, 304) alone once the coding is off.
    if (auto n = compress::known_body_length(r); n && *n == 0) {
        return nullptr;
    }
    const DeflateServerConfig& c = server_config(r);
    compress::unset_header(r, "Content-Length");
    compress::unset_header(r, "Content-MD5");
    r.body.length_declared = false;
    compress::alter_etag(r, c.etag, "gunzip", true);
    return std::make_unique<InflateFilter>(c.buffer_size);
}

constexpr OutputFilterSpec kDeflateSpec{"DEFLATE", FilterType::ContentSet, make_deflate};
constexpr OutputFilterSpec kInflateSpec{"INFLATE", FilterType::Resource, make_inflate};

}  // namespace

void register_deflate_filters(HookRegistry& hooks) {
    hooks.add_output_filter(kDeflateSpec);
    hooks.add_output_filter(kInflateSpec);
}

}  // namespace sonora::modules::filters
