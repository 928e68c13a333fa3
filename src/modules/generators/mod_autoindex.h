#pragma once
// httpd's mod_autoindex: the listing of a directory that has no
// DirectoryIndex file, where Options Indexes allows one.
//
// Merge rules (child = the more specific level), as httpd's:
//   - IndexOptions: a context with any option written without + or -
//     replaces the parent's options whole (its own +/- words then adjust
//     that); a context with only +/- words adjusts what it inherits, and
//     passes its adjustments further down; "None" clears everything,
//     adjustments included. IconWidth/IconHeight: the child's if non-zero.
//     NameWidth/DescriptionWidth: the child's if it set one (=n, =* or -),
//     else the parent's. Type= and Charset=: the child's if set.
//   - AddIcon*, AddAlt*, AddDescription: the child's entries first, then the
//     parent's (the first that matches is used);
//   - IndexIgnore: appended likewise, unless the child says
//     IndexIgnoreReset On (then only the child's); the reset itself is not
//     inherited;
//   - HeaderName, ReadmeName, DefaultIcon, IndexStyleSheet, IndexHeadInsert,
//     IndexOrderDefault: the child's if set, else the parent's.
//
// Where an entry applies: AddIcon*, AddAlt* and IndexIgnore written inside
// <Directory /x> (or in /x/.htaccess) apply to files below /x only, as in
// httpd, which matches the file name against the section's path.

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::generators {

extern Module autoindex_module;

namespace autoindex {

// IndexOptions words, as httpd's bits (kOptionUnset marks a context that
// wrote no absolute option: see the merge rules above).
inline constexpr std::uint32_t kNoOptions = 1u << 0;
inline constexpr std::uint32_t kIconsAreLinks = 1u << 1;
inline constexpr std::uint32_t kScanHtmlTitles = 1u << 2;
inline constexpr std::uint32_t kSuppressIcon = 1u << 3;
inline constexpr std::uint32_t kSuppressLastModified = 1u << 4;
inline constexpr std::uint32_t kSuppressSize = 1u << 5;
inline constexpr std::uint32_t kSuppressDescription = 1u << 6;
inline constexpr std::uint32_t kSuppressHtmlPreamble = 1u << 7;
inline constexpr std::uint32_t kSuppressColumnSorting = 1u << 8;
inline constexpr std::uint32_t kSuppressRules = 1u << 9;
inline constexpr std::uint32_t kFoldersFirst = 1u << 10;
inline constexpr std::uint32_t kVersionSort = 1u << 11;
inline constexpr std::uint32_t kTrackModified = 1u << 12;
inline constexpr std::uint32_t kFancyIndexing = 1u << 13;
inline constexpr std::uint32_t kHtmlTable = 1u << 14;
inline constexpr std::uint32_t kIgnoreClient = 1u << 15;
inline constexpr std::uint32_t kIgnoreCase = 1u << 16;
inline constexpr std::uint32_t kXhtml = 1u << 17;
inline constexpr std::uint32_t kShowForbidden = 1u << 18;
inline constexpr std::uint32_t kAddAltClass = 1u << 19;
inline constexpr std::uint32_t kOptionUnset = 1u << 20;

// The default icon size of Apache's icons (IconWidth, IconHeight without a
// value) and the default column widths.
inline constexpr int kDefaultIconWidth = 20;
inline constexpr int kDefaultIconHeight = 22;
inline constexpr int kDefaultNameWidth = 23;
inline constexpr int kDefaultDescWidth = 23;

// NameWidth / DescriptionWidth: not written here, a number, or "*" (as wide
// as the longest entry).
enum class Width : std::uint8_t { Unset, Fixed, Adjust };

// One AddIcon*/AddAlt*/IndexIgnore entry. Patterns use httpd's simple
// wildcards ('*' and '?', ap_strcmp_match).
struct Item {
    enum class By : std::uint8_t { Path, Type, Encoding, Ignore };
    By by = By::Path;
    std::string apply_to;    // the file pattern, MIME type or encoding
    std::string apply_path;  // where it was written, plus '*'
    std::string data;        // the icon URL or the alt text
};

// One AddDescription pattern.
struct Description {
    std::string pattern;
    std::string text;
    bool full_path = false;  // the pattern names a path: matched against the full file name
    bool wildcards = false;  // matched with fnmatch(3); else as a substring
};

// What the directives set; merged as httpd's merge_autoindex_configs.
struct AutoindexSettings {
    std::optional<std::string> default_icon, style_sheet, head_insert, header, readme;
    std::optional<std::string> content_type, charset;  // Type=, Charset=
    std::optional<bool> old_date_format;               // UseOldDateFormat: 02-Jan-2020 03:04
    std::uint32_t opts = kOptionUnset;
    std::uint32_t incremented = 0;  // +Option words in effect, inherited while no absolute word replaces them
    std::uint32_t decremented = 0;  // -Option words likewise
    int name_width = kDefaultNameWidth;
    Width name_adjust = Width::Unset;
    int desc_width = kDefaultDescWidth;
    Width desc_adjust = Width::Unset;
    int icon_width = 0;   // 0: unset (no width attribute)
    int icon_height = 0;
    char default_key = 0;        // IndexOrderDefault: 'N', 'M', 'S', 'D'; 0 unset (name)
    char default_direction = 0;  // 'A', 'D'; 0 unset (ascending)
    std::vector<Item> icons, alts, ignores;
    std::vector<Description> descriptions;
    bool ignore_reset = false;  // IndexIgnoreReset On in this context (never inherited)

    static AutoindexSettings merge(const AutoindexSettings& base, const AutoindexSettings& add);
};

// Where a context stands, for httpd's order of merging (below).
enum class Level : std::uint8_t { Server, Directory, Files, Location, If };

// The module's per-directory configuration: the settings in effect, and
// what is needed to merge further as httpd does. httpd creates a module's
// section configuration only when one of its directives is written there
// (a section without one takes no part in the merge), and its walks merge
// the sections of one kind (the <Directory> sections and .htaccess files,
// then the <Files>, then the <Location>, then the <If> sections) among
// themselves first and then onto what came before; the IndexOptions and
// IndexIgnoreReset rules above are not associative, so the order shows.
// Sonora's walk merges one section at a time in the same order: a merged
// configuration keeps what came before the current kind and the current
// kind's own chain apart until the kind changes.
struct AutoindexConfig : AutoindexSettings {
    bool present = false;         // a directive of the module stands in this context
    Level level = Level::Server;  // this context's kind
    Level group = Level::Server;  // merged: the kind whose chain is open (Server: none)
    std::shared_ptr<const AutoindexSettings> before;  // merged: everything before the open chain
    std::shared_ptr<const AutoindexSettings> chain;   // merged: the open chain, merged among itself

    static AutoindexConfig merge(const AutoindexConfig& base, const AutoindexConfig& add);
};

// httpd's find_item: the data of the first entry in `list` that applies to
// the file `path` (its full name; "^^DIRECTORY^^" and "^^BLANKICON^^" ask
// for those special icons and apply everywhere). Path patterns are tried
// always; MIME types (without parameters) and encodings only unless
// `path_only`, types only when the file has no encoding. Empty type or
// encoding: none.
const std::string* find_item(const std::vector<Item>& list, std::string_view content_type,
                             std::string_view content_encoding, std::string_view path, bool path_only);

// The first AddDescription whose pattern matches `path` (its last
// component, or the whole path for patterns with a '/'), or null.
const std::string* find_description(const AutoindexSettings& c, std::string_view path);

// Whether IndexIgnore hides the file `path`: its last component matches an
// entry's last component, and it lies where the entry was written.
bool is_ignored(const AutoindexSettings& c, std::string_view path);

}  // namespace autoindex

}  // namespace sonora::modules::generators
