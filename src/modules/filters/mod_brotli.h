#pragma once
// httpd's mod_brotli: the BROTLI_COMPRESS output filter (br for clients that
// take it) and its directives. Unlike mod_deflate, a <VirtualHost> inherits
// the main server's settings (httpd merges them), and there is no minimum
// length: an empty body becomes a one-byte br stream.

#include "modules/filters/compress/brotli_encoder.h"
#include "modules/filters/compress/content_coding.h"

#include <sonora/module.h>

#include <optional>
#include <string>

namespace sonora::modules::filters {

extern Module brotli_module;

struct BrotliServerConfig {
    std::optional<int> quality, lgwin, lgblock;
    std::optional<compress::EtagMode> etag;
    std::optional<std::string> note_input, note_output, note_ratio;

    static BrotliServerConfig merge(const BrotliServerConfig& base, const BrotliServerConfig& add);
    compress::BrotliSettings settings() const;
    compress::EtagMode etag_mode() const { return etag.value_or(compress::EtagMode::AddSuffix); }
    std::uint64_t cache_settings() const;
};

}  // namespace sonora::modules::filters
