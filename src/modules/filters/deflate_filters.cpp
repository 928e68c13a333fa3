// mod_deflate's output filters, DEFLATE and INFLATE: what httpd's filters
// decide on their first call (make_*) and the streams they then produce.

#include "modules/filters/compress/compress_filter.h"
#include "modules/filters/compress/content_coding.h"
#include "modules/filters/compress/pending_output.h"
#include "modules/filters/mod_deflate.h"

#include "core/strings.h"
#include "modules/core/request_log.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::filters {

void register_deflate_input_filter(HookRegistry& hooks);  // deflate_input_filter.cpp

namespace {

using compress::GzipInflater;
using request::Request;
using Output = Exchange::Output;


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
    if (compress::partial_or_empty_status(r) || env_set(r, "no-gzip")) {
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
    const auto encoding = compress::negotiate(r, "gzip", env_set(r, "force-gzip"));
    if (!encoding) {
        return nullptr;
    }
    const DeflateServerConfig& c = server_config(r);
    if (r.status == 304) {
        compress::mark_encoded(r, *encoding, "gzip", c.etag, true);
        return nullptr;
    }
    const compress::NoteNames notes = c.notes.names();
    auto filter = compress::cached_filter(r, c.cache_settings(), notes);
    if (filter == nullptr) {
        auto encoder = std::make_unique<compress::GzipEncoder>(c.gzip);
        if (!encoder->ok()) {
            core::log_request_error(r, LogLevel::Error, "deflate", "SN01383",
                                    "unable to init Zlib: deflateInit2 returned -2: URL " + std::string(r.uri));
            return nullptr;
        }
        filter = compress::streaming_filter(r, std::move(encoder), c.buffer_size, notes, c.cache_settings());
    }
    compress::mark_encoded(r, *encoding, "gzip", c.etag, true);
    return filter;
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
        if (out_.done()) {
            return compress::PendingOutput::ended(false);
        }
        for (;;) {
            Output in = upstream.pull(r, now_ms);
            if (in.failed) {
                return compress::PendingOutput::ended(true);
            }
            if (!in.bytes.empty()) {
                const auto status = inflater_.feed(in.bytes, out_.bytes());
                if (status != GzipInflater::Status::NeedMore && status != GzipInflater::Status::Done) {
                    core::log_request_error(r, LogLevel::Error, "deflate", "SN01409",
                                            status == GzipInflater::Status::BadHeader
                                                ? "inflate: bad header"
                                                : "Zlib error inflating data");
                    return compress::PendingOutput::ended(true);
                }
            }
            if (in.end) {
                if (inflater_.finish() != GzipInflater::Status::Done) {
                    core::log_request_error(r, LogLevel::Error, "deflate", "SN01401",
                                            "Zlib: Validation bytes not present");
                    return compress::PendingOutput::ended(true);
                }
                return out_.take_rest();
            }
            if (std::size_t ready = out_.filled_buffers(inflater_.total_out(), buffer_size_); ready > 0) {
                return out_.take(ready, true);
            }
            if (in.bytes.empty()) {
                return Output{};
            }
        }
    }

private:
    GzipInflater inflater_;
    std::size_t buffer_size_;
    compress::PendingOutput out_;
};

std::unique_ptr<OutputFilter> make_inflate(Request& r, Services&) {
    if (compress::partial_or_empty_status(r) && r.status != 204) {
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
    r.remove_header("Content-Length");
    r.remove_header("Content-MD5");
    r.body.length_declared = false;
    compress::alter_etag(r, c.etag, "gunzip", true);
    return std::make_unique<InflateFilter>(c.buffer_size);
}

// No protocol flags for mod_filter to act on: run by AddOutputFilterByType,
// Apache 2.4.71 keeps the ETag (suffixed "-gzip") as with SetOutputFilter.
constexpr OutputFilterSpec kDeflateSpec{"DEFLATE", FilterType::ContentSet, make_deflate};
constexpr OutputFilterSpec kInflateSpec{"INFLATE", FilterType::Resource, make_inflate};

}  // namespace

void register_deflate_filters(HookRegistry& hooks) {
    hooks.add_output_filter(kDeflateSpec);
    hooks.add_output_filter(kInflateSpec);
    register_deflate_input_filter(hooks);
}

}  // namespace sonora::modules::filters
