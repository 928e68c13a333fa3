#pragma once
// The string routines a listing is built with, each behaving as the httpd or
// APR routine named beside it (the listing's bytes depend on their quirks).
// Pure functions.

#include <cstdint>
#include <string>
#include <string_view>

namespace sonora::modules::generators::autoindex {

// ap_os_escape_path: %xx (lowercase hex) for every byte other than letters,
// digits and $-_.+!*'(),:;@&=/~. Unless `partial`, a name with a ':' before
// any '/' gets "./" in front, so that "a:b" is not read as a URL scheme.
std::string escape_path(std::string_view path, bool partial);

// ap_strcmp_match / ap_strcasecmp_match: `pattern` with '*' (any run of
// bytes, '/' included) and '?' (any one byte), no other special character.
bool wildcard_match(std::string_view text, std::string_view pattern, bool ignore_case = false);

// ap_is_matchexp: whether `s` has a '*' or '?'.
bool has_wildcard(std::string_view s);

// apr_fnmatch_test: whether `s` is an fnmatch pattern ('*', '?', or a
// '[' with its ']'; a backslash quotes the next byte).
bool is_fnmatch_pattern(std::string_view s);

// apr_strnatcmp / apr_strnatcasecmp: "natural" order, runs of digits
// compared as numbers (leading zeros make a run compare as a fraction),
// blanks skipped. <0, 0 or >0.
int natural_compare(std::string_view a, std::string_view b, bool ignore_case);


}  // namespace sonora::modules::generators::autoindex
