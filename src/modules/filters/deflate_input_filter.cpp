// mod_deflate's DEFLATE input filter: a gzip request body (Content-Encoding
// ending in gzip) is inflated before the handler's reader (a script) gets
// it, within DeflateInflateLimitRequestBody (LimitRequestBody when unset)
// and the ratio limits, so that a small upload cannot become gigabytes.
// Errors answer as httpd's handler maps them: 413 over the size limit, 400
// for a bad or truncated stream and for the ratio limit.
//
// The request's headers stay as they came (Content-Length, Content-Encoding):
// httpd changes them only at the body's end, after a script's environment
// was made from them.

#include "modules/filters/compress/gzip_inflater.h"
#include "modules/filters/mod_deflate.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::filters {

namespace {

using compress::GzipInflater;
using request::Request;

// httpd's check_gzip on the request: the last coding applied is gzip.
bool gzip_encoded(const Request& r) {
    const auto value = r.header("Content-Encoding");
    if (!value) {
        return false;
    }
    std::string_view last = *value;
    if (const std::size_t comma = last.rfind(','); comma != std::string_view::npos) {
        last = last.substr(comma + 1);
    }
    last = trim(last);
    return equals_nocase(last, "gzip") || equals_nocase(last, "x-gzip");
}

class InflateBodyFilter final : public InputFilter {
public:
    explicit InflateBodyFilter(const compress::InflateLimits& limits) : inflater_(limits), limits_(limits) {}

    int filter(Request& r, std::string_view in, bool last, std::string& out) override {
        GzipInflater::Status status = in.empty() ? GzipInflater::Status::NeedMore : inflater_.feed(in, out);
        if (last && (status == GzipInflater::Status::NeedMore || status == GzipInflater::Status::Done)) {
            status = inflater_.finish();
            if (status == GzipInflater::Status::BadData) {
                core::log_request_error(r, LogLevel::Warn, "deflate", "SN02481",
                                        "Encountered premature end-of-stream while inflating");
                return 400;
            }
        }
        switch (status) {
            case GzipInflater::Status::NeedMore:
            case GzipInflater::Status::Done:
                return 0;
            case GzipInflater::Status::BadHeader:
                core::log_request_error(r, LogLevel::Warn, "deflate", "SN01387", "Zlib: Invalid header");
                return 400;
            case GzipInflater::Status::BadData:
                core::log_request_error(r, LogLevel::Warn, "deflate", "SN01392", "Zlib error inflating data");
                return 400;
            case GzipInflater::Status::TooLarge:
                core::log_request_error(r, LogLevel::Warn, "deflate", "SN02648",
                                        "Inflated content length of " + std::to_string(inflater_.total_out()) +
                                            " is larger than the configured limit of " +
                                            std::to_string(limits_.limit));
                return 413;
            case GzipInflater::Status::RatioExceeded:
                core::log_request_error(r, LogLevel::Warn, "deflate", "SN02650",
                                        "Inflated content ratio is larger than the configured limit " +
                                            std::to_string(limits_.ratio_limit) + " by " +
                                            std::to_string(limits_.ratio_burst) + " time(s)");
                return 400;
        }
        return 400;
    }

private:
    GzipInflater inflater_;
    compress::InflateLimits limits_;
};

std::unique_ptr<InputFilter> make_inflate_body(Request& r, Services&) {
    // httpd's filter works on the client's own request, and never on a part.
    if (r.main != nullptr || r.header("Content-Range") || !gzip_encoded(r)) {
        return nullptr;
    }
    return std::make_unique<InflateBodyFilter>(inflate_limits(r, core::limit_request_body(r)));
}

constexpr InputFilterSpec kDeflateInputSpec{"DEFLATE", FilterType::ContentSet, make_inflate_body};

}  // namespace

void register_deflate_input_filter(HookRegistry& hooks) { hooks.add_input_filter(kDeflateInputSpec); }

}  // namespace sonora::modules::filters
