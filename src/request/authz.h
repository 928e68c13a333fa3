#pragma once
// Evaluating mod_authz_core's requirement tree for a request (httpd's
// authorization phase without authentication: providers all, method, ip and
// local; providers that need a user or a lookup are not evaluated yet and
// neither grant nor deny).

#include "modules/aaa/mod_authz_core.h"
#include "request/request.h"

namespace sonora::request {

enum class AuthzResult { Granted, Denied, Neutral };

AuthzResult authorize(const modules::aaa::AuthzNode& node, const Request& r);

}  // namespace sonora::request
