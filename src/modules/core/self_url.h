#pragma once
// How the server names itself for a request: httpd's ap_get_server_name,
// ap_get_server_port and ap_construct_url, by UseCanonicalName (Off: the Host
// the client sent, its port first; On: ServerName and its port; DNS: the name
// of the local address the connection came in on, the port as Off) and
// UseCanonicalPhysicalPort.
//
// UseCanonicalName DNS needs a reverse lookup, which must not block the event
// loop: core's hooks (registered here) note the setting on the Request each
// time the phases start (translate_name: the server's; header_parser: the
// directory's) and, under DNS, have the connection look the local address up
// first (kAwaitHostName), so that everything after them (redirects, error
// pages, the handler, the access log, expressions' SERVER_NAME) reads the
// name from Request::server_host() (or signature.h's server_name(), which
// reads the setting from the request's configuration).

#include <sonora/config.h>
#include <sonora/hooks.h>
#include <sonora/request.h>

#include <string>
#include <string_view>

namespace sonora::modules::core {

// UseCanonicalName in `dir_config` (Off when unset).
request::CanonicalName canonical_name(const ConfigVector& dir_config);

// ap_get_server_port: the port for self-referencing URLs under `dir_config`.
int server_port(const request::Request& r, const ConfigVector& dir_config);

// The absolute URL of a local `path` as the server names itself for this
// request under `dir_config`: the scheme, then the host and port; a port that
// is the scheme's default is left out. For redirects a module sends (mod_dir's
// trailing slash, mod_alias).
std::string self_url(const request::Request& r, const ConfigVector& dir_config, std::string_view path);

// Core's translate_name and header_parser hooks for UseCanonicalName.
void canonical_name_register_hooks(HookRegistry& hooks);

}  // namespace sonora::modules::core
