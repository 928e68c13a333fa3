#pragma once
// The head edits and checks mod_deflate and mod_brotli share (both follow
// the same rules in httpd, with small differences noted per function).

#include <sonora/request.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora::modules::filters::compress {

// DeflateAlterETag / BrotliAlterETag.
enum class EtagMode : std::uint8_t { AddSuffix, NoChange, Remove };

// DeflateAlterETag's and BrotliAlterETag's words (any case); nullopt for others.
std::optional<EtagMode> etag_mode_named(std::string_view word);

// C's atoi as httpd's directives read numbers ("9x" is 9, "x" is 0),
// clamped to int.
int atoi_clamped(std::string_view s);

// Whether Accept-Encoding names `coding` (compared without case) without a
// q of zero, read as httpd's filters read it: tokens up to ';' or ',', the
// parameters of other tokens skipped, and only the first parameter after the
// coding taken as its q ("q=0", "q=0.0" ... "q=0.000" refuse it; "Q=0" and
// "q=0.001" do not). No "*" and no "x-gzip".
bool accepts_coding(std::string_view accept_encoding, std::string_view coding);

// The response's content coding as httpd's filters see it: headers_out's
// Content-Encoding, then err_headers_out's, then r.content_encoding (mod_mime's
// AddEncoding), joined with ','. Empty when none.
std::string_view current_encoding(const request::Request& r);

// True when every token of `encoding` is identity, 7bit, 8bit or binary
// (compared with case), i.e. the body is not encoded yet.
bool is_unencoded(std::string_view encoding);

// Adds `coding` to the response's Content-Encoding: replaces it when it was
// absent or exactly "identity", else appends ", coding". The value goes to
// r.content_encoding when that was set (the connection writes it as the
// header), else to headers_out.
void add_content_encoding(request::Request& r, std::string_view encoding, std::string_view coding);


// The ETag edit for a changed representation. mod_deflate (`short_unchanged`)
// leaves an ETag of two bytes or less alone; mod_brotli suffixes it too.
void alter_etag(request::Request& r, EtagMode mode, std::string_view suffix, bool short_unchanged);

// The negotiation both filters run once nothing else stops them: a body
// already encoded is left alone (nullopt, no Vary); otherwise Vary gets
// Accept-Encoding, and unless `force` the client must accept `coding`. The
// current encoding (maybe empty) when the body is to be encoded.
std::optional<std::string_view> negotiate(request::Request& r, std::string_view coding, bool force);

// The head of an encoded response: `coding` added to Content-Encoding,
// Content-Length and Content-MD5 dropped (the body's length is no longer
// declared), the ETag edited as `mode` says.
void mark_encoded(request::Request& r, std::string_view encoding, std::string_view coding, EtagMode mode,
                  bool short_unchanged);

// A response a compression filter never touches, whatever the client: 204,
// or a partial body (Content-Range, or Sonora's handler cut a Range first:
// httpd compresses first and ranges the compressed bytes).
bool partial_or_empty_status(const request::Request& r);

// The body's length when the handler gave it whole (memory, file, none, or a
// script that ended before its head was sent); nullopt while unknown.
std::optional<std::uint64_t> known_body_length(const request::Request& r);

// The note values DeflateFilterNote/BrotliFilterNote set: "-" when nothing
// was read.
void set_filter_notes(request::Request& r, std::string_view input_note, std::string_view output_note,
                      std::string_view ratio_note, std::uint64_t in, std::uint64_t out);

}  // namespace sonora::modules::filters::compress
