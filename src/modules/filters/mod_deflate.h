#pragma once
// httpd's mod_deflate: the DEFLATE output filter (gzip for clients that take
// it), the INFLATE output filter (gzip bodies decoded for clients that do
// not), and the settings of the DEFLATE input filter (request bodies; the
// inflater with its limits is compress/gzip_inflater.h, wired by the request
// layer's input side).
//
// Configuration as httpd's, which has no merge for either config: a
// <VirtualHost> or section that uses none of the module's directives has its
// parent's whole config; one that uses any of them has its own, httpd's
// defaults for everything it does not set (httpd creates a module's config
// in a scope only when one of its directives appears there).

#include "modules/filters/compress/compress_filter.h"
#include "modules/filters/compress/content_coding.h"
#include "modules/filters/compress/gzip_encoder.h"
#include "modules/filters/compress/gzip_inflater.h"

#include <sonora/module.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sonora::modules::filters {

extern Module deflate_module;

struct DeflateServerConfig {
    compress::GzipSettings gzip;
    std::size_t buffer_size = 8096;  // DeflateBufferSize
    compress::EtagMode etag = compress::EtagMode::AddSuffix;
    compress::NoteConfig notes;  // DeflateFilterNote
    bool used = false;  // a directive of the module appeared in this scope

    static DeflateServerConfig merge(const DeflateServerConfig& base, const DeflateServerConfig& add) {
        return add.used ? add : base;
    }
    // What identifies the output for the compressed-file cache.
    std::uint64_t cache_settings() const;
};

struct DeflateDirConfig {
    std::uint64_t inflate_limit = 0;  // DeflateInflateLimitRequestBody; 0: LimitRequestBody applies
    int ratio_limit = 200;            // DeflateInflateRatioLimit
    int ratio_burst = 3;              // DeflateInflateRatioBurst
    bool used = false;

    static DeflateDirConfig merge(const DeflateDirConfig& base, const DeflateDirConfig& add) {
        return add.used ? add : base;
    }
};

// The request body's inflater limits for `r` (the DEFLATE input filter):
// `fallback_limit` is LimitRequestBody, used when DeflateInflateLimitRequestBody
// is not set.
compress::InflateLimits inflate_limits(const request::Request& r, std::uint64_t fallback_limit);

}  // namespace sonora::modules::filters
