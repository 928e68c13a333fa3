#pragma once
// httpd's mod_mime: what a file's extensions say about it (type, charset,
// encoding, language, handler, filters), and the mime.types table.
//
// Merge rules (child = the more specific level), as httpd's:
//   - extensions: the parent's table overlaid by the child's, attribute by
//     attribute (a child's AddType .x keeps the parent's AddLanguage .x);
//   - Remove* directives are applied when the context holding them is merged
//     onto its parent: they clear that attribute in the merged table, both
//     the parent's and the context's own Add* of the same extension, whatever
//     the order of the lines. The merged result carries no removals further;
//   - DefaultLanguage, ModMimeUsePathInfo, MultiviewsMatch: the child's if set,
//     else the parent's (MultiviewsMatch words accumulate within one context);
//   - TypesConfig (per server): the child's if set; only the main server's is
//     read, at startup, as httpd reads it in its post-config step.

#include <sonora/module.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonora::config {
class Generation;
}

namespace sonora::modules::metadata {

extern Module mime_module;
void mime_register_hooks(HookRegistry& hooks);

// Attributes attached to one extension by the Add* directives. Values are
// stored lowercased, as httpd stores them.
struct ExtensionInfo {
    std::optional<std::string> type;            // AddType
    std::optional<std::string> charset;         // AddCharset
    std::optional<std::string> encoding;        // AddEncoding
    std::optional<std::string> language;        // AddLanguage
    std::optional<std::string> handler;         // AddHandler
    std::optional<std::string> input_filters;   // AddInputFilter (';'-separated names)
    std::optional<std::string> output_filters;  // AddOutputFilter (';'-separated names)

    static ExtensionInfo overlay(const ExtensionInfo& base, const ExtensionInfo& add);
};

using ExtensionField = std::optional<std::string> ExtensionInfo::*;

// MultiviewsMatch words, as bits.
enum MultiviewsMatchBits : unsigned {
    kMatchNegotiatedOnly = 1u << 0,
    kMatchHandlers = 1u << 1,
    kMatchFilters = 1u << 2,
    kMatchAny = 1u << 3,
};

struct MimeDirConfig {
    // Key: the extension lowercased, without its leading dot.
    std::map<std::string, ExtensionInfo, std::less<>> extensions;
    struct Removal {
        std::string extension;
        ExtensionField field;
    };
    std::vector<Removal> removals;  // pending until this config is merged onto a parent
    std::optional<std::string> default_language;
    std::optional<bool> use_path_info;
    std::optional<unsigned> multiviews_match;  // MultiviewsMatchBits; unset = NegotiatedOnly

    // The attributes of one extension (lowercase, no dot), or null.
    const ExtensionInfo* find(std::string_view extension) const;

    static MimeDirConfig merge(const MimeDirConfig& base, const MimeDirConfig& add);
};

// What mod_mime's type checker makes of a file name, as mod_negotiation's
// MultiViews needs it (httpd runs a subrequest per candidate file and reads
// what mod_mime left in it): the type ("; charset=" appended as the type
// checker does), the encodings (", "-joined), the languages (','-joined;
// DefaultLanguage when none), the handler, and httpd's
// ap-mime-exceptions-list: the base name, then each extension that says
// nothing under the directory's MultiviewsMatch. `claimed` is false when no
// extension said anything (httpd then leaves no list: the file is no variant).
struct MimeServerConfig;
struct MimeFacts {
    std::string content_type;
    std::string encoding;
    std::string languages;
    std::string handler;
    std::vector<std::string> exceptions;
    bool claimed = false;
};
MimeFacts mime_facts(std::string_view name, const MimeDirConfig* dir, const MimeServerConfig* srv);

// The mime.types table: extension (lowercase) -> media type as written.
struct MimeTypes {
    std::unordered_map<std::string, std::string> by_extension;

    const std::string* find(std::string_view extension) const;
};

struct MimeServerConfig {
    std::optional<std::string> types_config;  // TypesConfig as written
    // Filled after reading: the main server's table (shared with the vhosts),
    // or why it could not be read. httpd refuses to start in that case but
    // passes -t; the start path reports `types_error`.
    std::shared_ptr<const MimeTypes> types;
    std::optional<std::string> types_error;

    static MimeServerConfig merge(const MimeServerConfig& base, const MimeServerConfig& add);
};

// Where httpd looks when TypesConfig is not given, relative to ServerRoot.
inline constexpr std::string_view kDefaultTypesConfig = "conf/mime.types";

// Parses mime.types text: one media type then its extensions per line; lines
// whose first non-blank character is '#' are comments; a trailing backslash
// joins the next line. Extensions are lowercased; a later line wins an
// extension listed twice.
MimeTypes parse_mime_types(std::string_view text);

// Reads a mime.types file. On failure returns nullopt and sets `error` to
// httpd's wording ("could not open mime types config file PATH.").
std::optional<MimeTypes> load_mime_types(const std::string& path, std::string& error);

// The absolute path of the types file the main server uses.
std::string types_config_path(const config::Generation& gen);

}  // namespace sonora::modules::metadata
