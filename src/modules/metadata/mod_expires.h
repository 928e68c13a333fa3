#pragma once
// httpd's mod_expires: Expires and Cache-Control max-age on what handlers
// send (Phase::HeadersOut, before mod_headers, as httpd's filter sits ahead
// of FIXUP_HEADERS_OUT), never on 4xx/5xx responses, and not where the
// response already has an Expires field.
//
// Merge rule (child = the more specific level): ExpiresActive and
// ExpiresDefault are the child's when set, else the parent's; ExpiresByType
// entries are looked up in the child's first, then the parent's; whether a
// "type/*" entry is consulted is the child's alone (httpd's merge), where
// the child has directives of this module at all.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonora::modules::metadata {

extern Module expires_module;

// An expiry: from the access ('A') or the file's modification ('M'), plus
// seconds, as httpd stores it ("A3600").
struct ExpiryCode {
    char base = 'A';
    long long seconds = 0;
};

struct ExpiresDirConfig {
    std::optional<bool> active;
    std::optional<ExpiryCode> fallback;                         // ExpiresDefault
    std::vector<std::pair<std::string, ExpiryCode>> by_type;    // most specific section first
    bool wildcards = false;                                     // some entry is "major/*"
    // A section without mod_expires directives takes no part in the merge
    // (httpd creates the module's config only for sections that use it).
    bool used = false;

    // The ExpiresByType entry for `type` (case-insensitive), or null.
    const ExpiryCode* for_type(std::string_view type) const;
    static ExpiresDirConfig merge(const ExpiresDirConfig& base, const ExpiresDirConfig& add);
};

// httpd's check_code: "A<seconds>", "M<seconds>", or
// "<base> [plus] {<num> <type>}*"; an error message otherwise.
std::optional<std::string> parse_expiry(std::string_view text, ExpiryCode& out);

}  // namespace sonora::modules::metadata
