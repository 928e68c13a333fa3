#pragma once
// The head a CGI script or a send-as-is file writes before its body (httpd's
// ap_scan_script_header_err): "Name: value" lines up to a blank line, LF or
// CRLF ended. Status, Content-Type, Location, Last-Modified and Set-Cookie
// mean something to the server; every other field goes out as written.
//
// Scanning is separate from applying so that a script's output can be
// scanned as it arrives, and an .asis file's from its bytes.

#include <sonora/request.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora::modules::core {

struct ScriptHeadScan {
    enum class State : std::uint8_t {
        Incomplete,  // no blank line yet and more input may come
        Complete,    // `length` bytes are the head (its blank line included)
        Malformed,   // `bad_line` has no colon, or is longer than kMaxScriptHeadLine
    };
    State state = State::Incomplete;
    std::size_t length = 0;
    std::string_view bad_line;
};

// httpd reads a script's header lines into 8 KiB buffers.
inline constexpr std::size_t kMaxScriptHeadLine = 8192;

// Finds the head at the start of `input`. At the end of the input (`at_end`)
// the head ends where the input does, as httpd takes end of output for the
// blank line.
ScriptHeadScan scan_script_head(std::string_view input, bool at_end);

struct ScriptHeadFields {
    // The Status field was not "NNN" or "NNN reason" with NNN in 100..599:
    // the request's status is then 500, as httpd sets it.
    std::optional<std::string_view> bad_status;
    std::optional<std::string_view> content_length;  // as written; the caller decides
    bool status_field = false;  // the head had a Status field
};

// Applies a head that scan_script_head found Complete to `r`: Status to
// status and status_line; Content-Type (its media type lowercased) to
// content_type; Location, Content-Range, ETag and Last-Modified (a valid
// date, no later than the request) to headers_out (an error page drops them); Set-Cookie to err_headers_out
// one field each; any other field to err_headers_out, a repeated name merged
// into one value with ", " as httpd merges tables. Values are kept in the
// request's arena.
ScriptHeadFields apply_script_head(request::Request& r, std::string_view head);

// httpd's last step of reading a script's head: a GET (or HEAD) whose
// script set no Status is held against the request's conditions
// (ap_meets_conditions) with the script's ETag and Last-Modified (the
// request's time when it gave none). Returns 304 or 412, else 0.
int script_head_conditions(const request::Request& r, const ScriptHeadFields& fields);

}  // namespace sonora::modules::core
