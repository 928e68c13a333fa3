#pragma once
// The output filter both compression modules use once their make() has
// decided to compress: it pulls the body, feeds the encoder and passes on
// what httpd's filter would pass on, when it would:
//   - mod_deflate writes into a DeflateBufferSize buffer and passes it on each
//     time it fills while the body is read (`buffer_size`); what the end
//     produces goes out with the end;
//   - mod_brotli passes on whatever the encoder emits as soon as it emits it
//     (`buffer_size` 0).
// Bytes passed before the end carry `flush` (the response then goes chunked,
// as httpd's). While the handler's body waits (a script between writes)
// nothing is passed: httpd's filter reads the body through before its first
// output, so a script's output is compressed when the script ends, unless a
// buffer fills first.
//
// For a whole static file (`cache_key`) the result is kept in the thread's
// CompressedCache; the next response for the same file and settings is
// answered from it (make_cached_filter) with the same bytes and the same
// flush point, without reading the file.

#include "modules/filters/compress/compressed_cache.h"
#include "modules/filters/compress/encoder.h"

#include <sonora/filter.h>

#include <memory>
#include <optional>
#include <string_view>

namespace sonora::modules::filters::compress {

// DeflateFilterNote / BrotliFilterNote names (empty: not set); views of the
// configuration, which outlives the request.
struct NoteNames {
    std::string_view input, output, ratio;
};

struct CompressSetup {
    std::unique_ptr<Encoder> encoder;
    std::size_t buffer_size = 0;
    NoteNames notes;
    std::optional<CacheKey> cache_key;
};

std::unique_ptr<OutputFilter> make_compress_filter(CompressSetup setup);

// Serves a cached entry: the part httpd would pass on early with `flush`,
// then the rest with the end.
std::unique_ptr<OutputFilter> make_cached_filter(std::shared_ptr<const CompressedEntry> entry, NoteNames notes);

// The cache key when the handler's body is the whole regular file it found
// (nothing else could be cached by file identity).
std::optional<CacheKey> whole_file_key(const request::Request& r, std::uint64_t settings);

// Whether the body's descriptor is the file `key` names now (fstat), so that
// what is read from it may be kept under the key. Called on a cache miss only.
bool body_is_keyed_file(const request::Request& r, const CacheKey& key);

}  // namespace sonora::modules::filters::compress
