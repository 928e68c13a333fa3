#pragma once
// Type-map files (AddHandler type-map .var): records of RFC 822-style
// header lines separated by blank lines, '#' comment lines, continuation
// lines. Each record with a URI and at least one of Content-Type,
// Content-Length, Content-Language or Content-Encoding is a variant;
// "Body:TAG" makes the variant's content the map's own bytes up to TAG.

#include "modules/mappers/mod_negotiation_choose.h"

#include <memory_resource>
#include <string>
#include <string_view>

namespace sonora::modules::mappers::negotiation {

struct TypeMap {
    explicit TypeMap(std::pmr::memory_resource* resource) : variants(resource) {}
    std::pmr::vector<Variant> variants;
    // httpd stops at a malformed line: 500 with `error` (its log text, without
    // the file name's context) or, for a bad Content-Length or a Body without
    // its end tag, just stops reading (status stays 0) and logs `error`.
    int status = 0;
    std::string error;
    std::string error_id;
};

// Parses `text`, the content of the map file `map_name` (its base name, the
// file name of Body variants). Strings point into `arena`.
TypeMap parse_type_map(std::string_view text, std::string_view map_path, std::pmr::memory_resource* arena);

}  // namespace sonora::modules::mappers::negotiation
