#pragma once
// httpd's mod_include (Server Side Includes): the directives and their
// configuration, and the settings an INCLUDES output filter hands the SSI
// engine (src/modules/filters/include/, described in docs/ARCHITECTURE.md).
//
// The INCLUDES output filter (mod_include_filter.cpp) drives the engine;
// include_fixup adds it for XBitHack and the server-parsed handler.
//
// Directives, as httpd's: SSIErrorMsg, SSITimeFormat, SSIUndefinedEcho
// (anywhere, AllowOverride any class), SSIStartTag, SSIEndTag (server and
// virtual host: a virtual host does not inherit the main server's tags, as
// httpd's module has no server merge), SSILegacyExprParser, SSILastModified,
// SSIETag (AllowOverride Limit), XBitHack off|on|full (AllowOverride Options).
// Per-directory merge: each field is the nearest section's that sets it.

#include "modules/filters/include/ssi_processor.h"

#include <sonora/module.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sonora::modules::filters {

extern Module include_module;

// The INCLUDES filter and the fixup that adds it (mod_include_filter.cpp).
void include_register_hooks(HookRegistry& hooks);

enum class XBitHack : std::uint8_t { Off, On, Full };

struct IncludeDirConfig {
    std::optional<std::string> error_msg;       // SSIErrorMsg
    std::optional<std::string> time_fmt;        // SSITimeFormat
    std::optional<std::string> undefined_echo;  // SSIUndefinedEcho
    std::optional<XBitHack> xbithack;           // default Off
    std::optional<bool> last_modified;          // SSILastModified, default Off
    std::optional<bool> etag;                   // SSIETag, default Off
    std::optional<bool> legacy_expr;            // SSILegacyExprParser, default Off

    static IncludeDirConfig merge(const IncludeDirConfig& base, const IncludeDirConfig& add);
};

struct IncludeServerConfig {
    std::optional<std::string> start_tag;  // SSIStartTag, default "<!--#"
    std::optional<std::string> end_tag;    // SSIEndTag, default "-->"
};

// The engine's settings for one document under this configuration.
// `includes_noexec`: Options IncludesNOEXEC is in force rather than Includes;
// `exec_available`: mod_cgi is loaded (httpd's exec element comes from it).
ssi::Settings ssi_settings(const IncludeDirConfig* dir, const IncludeServerConfig* server, bool includes_noexec,
                           bool exec_available);

}  // namespace sonora::modules::filters
