#pragma once
// httpd's mod_vhost_alias: mass virtual hosting. The file for a URL-path is
// found under a directory made from the server's name for the request
// (VirtualDocumentRoot, VirtualScriptAlias: ap_get_server_name, so the Host
// under UseCanonicalName Off) or from the local address the connection came
// in on (the ...IP forms). At translate_name, after mod_alias.
//
// Merge rule (child = the virtual host): each of the two mappings is the
// child's when it names one ("none" included), else the parent's.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <string_view>

namespace sonora::modules::mappers {

extern Module vhost_alias_module;

struct VhostMapping {
    enum class Source : std::uint8_t { None, Name, Address };
    Source source = Source::None;
    std::string format;  // an absolute path with %N.M, %p and %% in it
};

struct VhostAliasServerConfig {
    std::optional<VhostMapping> doc_root;     // VirtualDocumentRoot(IP)
    std::optional<VhostMapping> script_root;  // VirtualScriptAlias(IP)

    static VhostAliasServerConfig merge(const VhostAliasServerConfig& base, const VhostAliasServerConfig& add);
};

// httpd's vhost_alias_interpolate: `format` with %N.M parts of `name`
// (lower-cased), %p the port, %% a '%'; then `uri`, without a doubled slash.
std::string interpolate_vhost(std::string_view format, std::string_view name, int port, std::string_view uri);

}  // namespace sonora::modules::mappers
