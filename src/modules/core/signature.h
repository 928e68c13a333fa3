#pragma once
// How a generated page names the server: httpd's ap_get_server_name,
// ap_get_server_port (for self-references) and ap_psignature (the
// ServerSignature line under error pages, listings and the status page).

#include <sonora/request.h>

#include <string>
#include <string_view>

namespace sonora::modules::core {

// By UseCanonicalName for the request's configuration (self_url.h): On,
// ServerName; DNS, the local address's name (known by the time a handler
// runs; else ServerName); Off, the host the client asked for.
std::string_view server_name(const request::Request& r);

// ap_get_server_port for the request's configuration (self_url.h); the
// port the client named in Host, else 80, before there is one.
int server_port(const request::Request& r);

// ServerSignature's line: "" when Off; else `prefix`, then
// "<address>BANNER Server at NAME Port N</address>\n", the name a mailto:
// link to ServerAdmin under EMail. Name and address are HTML-escaped.
std::string server_signature(const request::Request& r, std::string_view banner, std::string_view prefix);

}  // namespace sonora::modules::core
