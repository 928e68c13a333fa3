#pragma once
// httpd's ScriptLog entries (mod_cgi's log_scripterror and log_script).

#include "modules/generators/mod_cgi.h"

#include <sonora/request.h>

#include <string_view>

namespace sonora::modules::generators {

// A script refused or not started: "%error" and why.
void script_log_error(const ScriptLogSettings& log, const request::Request& r, int status, std::string_view error);

// A script whose head was not usable: the request's head and the start of
// its body, the response's fields so far, the bad head line, then what the
// script wrote on stdout after it and on stderr.
struct ScriptFailure {
    std::string_view body;        // the first ScriptLogBuffer bytes of the request body
    std::string_view bad_head;    // the line that was not a header field
    std::string_view stdout_rest;
    std::string_view stderr_text;
};
void script_log_failure(const ScriptLogSettings& log, const request::Request& r, int status, const ScriptFailure& f);

}  // namespace sonora::modules::generators
