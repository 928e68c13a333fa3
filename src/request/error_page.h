#pragma once
// The bodies httpd sends for error and redirect statuses when no ErrorDocument
// applies: same HTML shape and wording, so that clients and tests that look
// at them see what Apache sends.

#include "request/request.h"

#include <string>
#include <string_view>

namespace sonora::request {

// Fills `out` with the canned HTML for `status`. `location` is used by 3xx,
// `method` by 405/411/501, `detail` adds httpd's error note (400's
// "Size of a request header field exceeds server limit."; 300's list of
// choices, HTML written by the module that answered 300).
// `signature` is ServerSignature's footer (with its <hr>), or empty.
void canned_error_body(int status, std::string_view method, std::string_view location, std::string_view detail,
                       std::string_view server_admin, std::pmr::string& out, std::string_view signature = {});

}  // namespace sonora::request
