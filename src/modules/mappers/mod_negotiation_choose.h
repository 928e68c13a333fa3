#pragma once
// The variant selection of httpd's mod_negotiation: every variant gets a
// quality per dimension (media type, language, charset, encoding), then
// Apache's server-driven algorithm (or RVSA/1.0 when the client's Negotiate
// header asks for it) picks the best one, breaking ties by language
// priority, level, charset, encoding and finally the smaller length.
// Also what the response says about it: Vary, TCN, Alternates and the
// HTML list of variants of a 300 or 406 page.

#include "modules/mappers/mod_negotiation_accept.h"

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::mappers::negotiation {

struct Variant {
    std::string_view file_name;    // relative to the negotiated resource's directory
    std::string_view mime_type;    // lowercased, without parameters
    std::string_view charset;      // lowercased; empty: none
    std::string_view encoding;     // as configured; empty: none
    std::string_view languages;    // lowercased, comma-separated; empty: none
    std::string_view description;  // a type map's Description
    float source_quality = 0.0f;   // qs
    float level = 0.0f;
    std::int64_t bytes = -1;       // content length; -1: unknown
    bool has_body = false;         // a type map's inline Body
    std::uint64_t body_offset = 0;
    bool has_handler = false;      // MultiViews: the file has a handler (no length in Alternates)
    bool is_pseudo_html = false;

    // Set by the selection.
    float lang_quality = 1.0f;
    float encoding_quality = 1.0f;
    float charset_quality = 1.0f;
    float mime_type_quality = 1.0f;
    float level_matched = 0.0f;
    int lang_index = -1;
    int mime_stars = 0;
    bool definite = true;

    // Type, level, qs and charset from a Content-Type value (a type map's
    // line, or what mod_mime gave the file).
    void set_content_type(const AcceptItem& type);
};

// ForceLanguagePriority bits as the selection reads them (mod_negotiation.h).
struct LanguageSettings {
    std::span<const std::string> priority;  // LanguagePriority
    bool prefer = true;                     // ForceLanguagePriority Prefer
    bool fallback = false;                  // ForceLanguagePriority Fallback
};

struct Negotiation {
    explicit Negotiation(std::pmr::memory_resource* resource) : arena(resource) {}
    std::pmr::memory_resource* arena;
    std::optional<AcceptList> accepts;
    std::optional<AcceptList> accept_encodings;
    std::optional<AcceptList> accept_charsets;
    std::optional<AcceptList> accept_langs;
    bool accept_q = false;  // some Accept item has q < 1
    float default_lang_quality = 1.0f;
    LanguageSettings languages;

    bool is_transparent = false;
    bool dont_fiddle_headers = false;
    bool ua_supports_trans = false;
    bool send_alternates = false;
    bool may_choose = true;
    bool use_rvsa = false;

    // Request environment knobs (mod_setenvif sets them as for mod_deflate).
    std::string_view prefer_language;  // prefer-language
    int discard_encodings = 0;         // 1: no-gzip; 2: gzip-only-text/html

    // Reads the four Accept headers (absent stays absent).
    void read_headers(std::optional<std::string_view> accept, std::optional<std::string_view> encoding,
                      std::optional<std::string_view> charset, std::optional<std::string_view> language);
    // httpd's reading of Negotiate: what the client lets the server do.
    void read_negotiate(std::optional<std::string_view> negotiate, std::optional<std::string_view> user_agent);
    // Accept gets */* when absent, and every list gets the CGI pseudo-type:
    // preferred (2.0) when `prefer_scripts`, else a last resort.
    void add_default_accepts(bool prefer_scripts);
};

enum class Outcome { Choice, List };

// Runs the selection over `variants` (their qualities are filled in for
// every one, as the Vary, Alternates and list need). `best` is the chosen
// variant or null.
Outcome best_match(Negotiation& neg, std::span<Variant> variants, Variant*& best);

// The headers for a negotiated response (httpd's set_neg_headers): the
// Vary value ("negotiate,accept,..." comma-joined as httpd's header filter
// writes it; empty when nothing varies), the TCN value (empty when not
// transparent) and the Alternates value (empty unless `send_alternates`).
struct NegotiatedHeaders {
    std::string vary;
    std::string tcn;
    std::string alternates;
};
NegotiatedHeaders negotiated_headers(const Negotiation& neg, std::span<const Variant> variants, Outcome outcome);

// The "Available variants" HTML list of httpd's 300 and 406 pages.
std::string variant_list_html(std::span<const Variant> variants);

// A file name as httpd escapes a path segment (ap_escape_path_segment).
std::string escape_path_segment(std::string_view name);

}  // namespace sonora::modules::mappers::negotiation
