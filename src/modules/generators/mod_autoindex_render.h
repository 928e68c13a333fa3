#pragma once
// A directory listing as data, its order, and its HTML as Apache 2.4 writes
// it: the plain list (<ul>), FancyIndexing's <pre> columns and the HTMLTable
// form. Pure functions: the handler gathers the entries and the HEADER/README
// texts, these decide every byte.

#include "modules/generators/mod_autoindex.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::generators::autoindex {

// One line of the listing.
struct Entry {
    // The file's name, with '/' after a directory's; for the parent line,
    // the parent's URL path (it starts with '/', which marks it).
    std::string name;
    const std::string* icon = nullptr;  // from the configuration; null: DefaultIcon, else none
    std::optional<std::string> alt;     // null: "   "
    std::optional<std::string> desc;
    std::int64_t size = -1;      // bytes; -1: not shown ("-")
    std::int64_t mtime_us = -1;  // -1: not shown
    bool folder_first = false;   // a directory under FoldersFirst

    bool is_parent() const { return !name.empty() && name.front() == '/'; }
};

// How entries are ordered: httpd's dsortf. The parent line comes first,
// then (FoldersFirst) directories, then by the key column with the name as
// the tie-break (natural order under VersionSort, case folded under
// IgnoreCase, byte order last so that the order is always the same).
struct SortOrder {
    char key = 'N';
    bool ascending = true;
    bool version_sort = false;
    bool ignore_case = false;
};
void sort_entries(std::vector<Entry>& entries, const SortOrder& order);

// What a HeaderName or ReadmeName file contributed.
struct Insert {
    enum class Kind : std::uint8_t { None, Html, Text };
    Kind kind = Kind::None;
    std::string content;  // the file's bytes
};

struct Page {
    const AutoindexSettings* config = nullptr;
    std::uint32_t opts = 0;   // after the query's F= and V=
    char key = 'N';           // the column sorted on, and its direction
    char direction = 'A';
    std::string colargs;      // carried on by the column links
    std::string title;        // the URL path, HTML-escaped, without trailing '/'
    Insert header;
    Insert readme;
    std::string signature;    // ServerSignature's line, or empty
};

// The listing page, in the order httpd writes it: preamble, header file or
// <h1>, the entries, the readme file, the signature, the postamble.
void render_page(const Page& page, const std::vector<Entry>& entries, std::string& out);

// One description shortened to `width` visible characters (tags take none,
// an entity one), ending in '>' when cut, as httpd's terminate_description.
std::string shorten_description(std::string_view desc, const AutoindexSettings& c, std::uint32_t opts, int width);

}  // namespace sonora::modules::generators::autoindex
