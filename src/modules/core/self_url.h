#pragma once
// httpd's ap_construct_url: the absolute URL of a local `path` as the server
// names itself for this request. The scheme, then the host and port by
// UseCanonicalName (Off: the Host the client sent, its port first; On:
// ServerName and its port) and UseCanonicalPhysicalPort, both read from
// `dir_config`; a port that is the scheme's default is left out. For
// redirects a module sends (mod_dir's trailing slash, mod_alias).

#include <sonora/config.h>
#include <sonora/request.h>

#include <string>
#include <string_view>

namespace sonora::modules::core {

std::string self_url(const request::Request& r, const ConfigVector& dir_config, std::string_view path);

}  // namespace sonora::modules::core
