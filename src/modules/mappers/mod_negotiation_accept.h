#pragma once
// Accept, Accept-Charset, Accept-Encoding and Accept-Language as httpd's
// mod_negotiation reads them, and the media-type lines of type maps: a list
// of items "name; param=value; ...", each with a quality (q or qs), a level
// and a charset. httpd is lenient and so is this: nothing is rejected, an
// item it cannot make sense of simply matches nothing, and a q-value that is
// not of the form 0[.ddd] / .ddd counts as 1.

#include <memory_resource>
#include <optional>
#include <string_view>
#include <vector>

namespace sonora::modules::mappers::negotiation {

struct AcceptItem {
    std::string_view name;     // lowercased
    float quality = 1.0f;      // q= (or qs= in a type map)
    float level = 0.0f;        // level=, 2 for text/html unless given
    std::string_view charset;  // charset=, lowercased
};

using AcceptList = std::pmr::vector<AcceptItem>;

// httpd's q-value reading: only the first three decimals count, the third
// only when it is 1-9; anything not starting with '0' or '.' is 1.
float parse_qvalue(std::string_view text);

// Parses one item starting at `text`; returns where the next item starts
// (after a ','). `text` must already be lowercase.
std::string_view parse_item(std::string_view text, AcceptItem& out);

// Every item of a header value. The text is copied lowercased into
// `arena`; the views in the list point into that copy.
AcceptList parse_accept(std::string_view value, std::pmr::memory_resource* arena);

// A header that may be absent: absent and empty differ (an empty
// Accept-Encoding accepts no encoding).
std::optional<AcceptList> parse_accept_header(std::optional<std::string_view> value,
                                              std::pmr::memory_resource* arena);

// The type of a type-map's or mod_mime's Content-Type as a variant sees it.
inline constexpr std::string_view kIncludesMagicType = "text/x-server-parsed-html";
inline constexpr std::string_view kIncludesMagicType3 = "text/x-server-parsed-html3";
inline constexpr std::string_view kCgiMagicType = "application/x-httpd-cgi";
inline constexpr std::string_view kMapFileMagicType = "application/x-type-map";

}  // namespace sonora::modules::mappers::negotiation
