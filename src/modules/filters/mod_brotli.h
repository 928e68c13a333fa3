#pragma once
// httpd's mod_brotli: the BROTLI_COMPRESS output filter (br for clients that
// take it) and its directives. As with mod_deflate, a <VirtualHost> that uses
// none of the directives has the main server's settings, one that uses any
// has httpd's defaults for the rest (measured against Apache 2.4.71). There
// is no minimum length: an empty body becomes a one-byte br stream.

#include "modules/filters/compress/brotli_encoder.h"
#include "modules/filters/compress/compress_filter.h"
#include "modules/filters/compress/content_coding.h"

#include <sonora/module.h>

#include <string>

namespace sonora::modules::filters {

extern Module brotli_module;

struct BrotliServerConfig {
    compress::BrotliSettings settings;
    compress::EtagMode etag = compress::EtagMode::AddSuffix;
    compress::NoteConfig notes;  // BrotliFilterNote
    bool used = false;  // a directive of the module appeared in this scope

    static BrotliServerConfig merge(const BrotliServerConfig& base, const BrotliServerConfig& add) {
        return add.used ? add : base;
    }
    std::uint64_t cache_settings() const;
};

}  // namespace sonora::modules::filters
