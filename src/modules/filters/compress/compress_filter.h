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
#include <span>
#include <string>
#include <string_view>

namespace sonora::modules::filters::compress {

// DeflateFilterNote / BrotliFilterNote names (empty: not set); views of the
// configuration, which outlives the request.
struct NoteNames {
    std::string_view input, output, ratio;
};

// The names as a module keeps them, and the directive that sets them
// (DeflateFilterNote, BrotliFilterNote: one word is the ratio note's name;
// two are a type, Input, Output or Ratio in any case, and the name).
struct NoteConfig {
    std::string input, output, ratio;
    NoteNames names() const { return {input, output, ratio}; }
    // The field `args` set; null for an unknown type.
    std::string* slot(std::span<const std::string> args);
};

// This response's filter from the thread's CompressedCache when its body is
// a whole file kept there with `settings` (the coding and its parameters);
// null on a miss.
std::unique_ptr<OutputFilter> cached_filter(const request::Request& r, std::uint64_t settings, NoteNames notes);

// A filter compressing the body with `encoder` (see the header comment for
// `buffer_size`); a whole file's result is kept under `settings`.
std::unique_ptr<OutputFilter> streaming_filter(const request::Request& r, std::unique_ptr<Encoder> encoder,
                                               std::size_t buffer_size, NoteNames notes, std::uint64_t settings);

}  // namespace sonora::modules::filters::compress
