#pragma once
// The string transformations of httpd's mod_include: the encodings and
// decodings of `echo` and `set`, the attribute decoding of HTML entities, the
// `sizefmt` and `timefmt` renderings. Pure functions, no request.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace sonora::modules::filters::ssi {

// httpd's decodehtml: the named Latin-1 entities it knows (&lt; &eacute; ...,
// as single ISO-8859-1 bytes) and decimal &#N; for printable N < 256; other
// numeric entities vanish, unknown names stay as written.
std::string decode_entities(std::string_view s);

// One step of an `encoding=`/`decoding=` list ("none", "url", "urlencoded",
// "entity", "base64", any case). nullopt for a name httpd refuses.
std::optional<std::string> encode_step(std::string_view name, std::string_view s);
std::optional<std::string> decode_step(std::string_view name, std::string_view s);

// Applies a whole list, separated by commas, spaces or tabs; on an unknown
// name returns false and sets *bad to it (the value is then not used).
bool apply_codings(bool encode, std::string_view list, std::string& value, std::string* bad);

// sizefmt=bytes: decimal with a comma every three digits.
std::string grouped_size(std::int64_t size);

// ap_ht_time: strftime() of `t` in local time, or in GMT with %Z meaning "GMT".
std::string format_time(std::time_t t, std::string_view fmt, bool gmt);


}  // namespace sonora::modules::filters::ssi
