#pragma once
// The CGI/1.1 environment as httpd builds it for a script (util_script.c's
// ap_add_common_vars and ap_add_cgi_vars over the request's subprocess_env),
// shared by mod_cgi and by what else runs scripts (SSI's exec cgi).

#include <sonora/hooks.h>

#include <string>
#include <vector>

namespace sonora::modules::generators {

// "NAME=value" strings, in httpd's order of precedence: the request's
// environment (SetEnv, SetEnvIf, REDIRECT_*), overridden by the variables the
// server computes. Names are made shell-safe as ap_create_environment does.
// `services` looks up PATH_TRANSLATED; `banner` is SERVER_SOFTWARE.
std::vector<std::string> cgi_environment(const request::Request& r, Services& services);

}  // namespace sonora::modules::generators
