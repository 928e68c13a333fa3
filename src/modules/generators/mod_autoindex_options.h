#pragma once
// mod_autoindex's two small languages: the IndexOptions words (configuration)
// and the query arguments a client adds to a listing's URL (C=, O=, F=, V=,
// P=). Pure functions, unit tested without a server.

#include "modules/generators/mod_autoindex.h"

#include <sonora/directive.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sonora::modules::generators::autoindex {

// Applies one IndexOptions line to `c` as httpd's add_opts does: each word
// is an option, "+option" or "-option", "None", or one of the valued forms
// (IconWidth[=n], IconHeight[=n], NameWidth=n|*, -NameWidth,
// DescriptionWidth=n|*, -DescriptionWidth, Type=, Charset=,
// UseOldDateFormat). An absolute word clears the +/- adjustments written
// before it in this context. Returns httpd's message for a bad word.
CmdResult apply_index_options(AutoindexSettings& c, std::span<const std::string> words);

// IndexOrderDefault Ascending|Descending Name|Date|Size|Description.
CmdResult set_default_order(AutoindexSettings& c, std::string_view direction, std::string_view key);

// What one listing request asks for: the sort column and direction, the
// options after F= and V=, the P= pattern, and the arguments the column
// links carry on (";F=1;V=0;P=*.txt" style).
struct ListingQuery {
    char key = 'N';        // N, M, S, D
    char direction = 'A';  // A, D
    std::uint32_t opts = 0;
    std::optional<std::string> pattern;
    std::string colargs;
};

// Reads `query` as httpd does: arguments separated by '&' or ';', taken
// in order until the first one it does not understand (the rest is
// ignored). With IgnoreClient nothing is read and column sorting is off.
// `opts`, `key` and `direction` are the configured ones.
ListingQuery parse_listing_query(std::string_view query, std::uint32_t opts, char key, char direction);

}  // namespace sonora::modules::generators::autoindex
