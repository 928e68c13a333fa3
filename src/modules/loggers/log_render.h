#pragma once
// Rendering one access-log line: a compiled LogFormat applied to a LogRecord,
// byte for byte as httpd 2.4's mod_log_config writes it (the same "-" for
// absent values, the same escaping of quotes, backslashes, control and
// non-ASCII bytes, so that one request is always exactly one line).
//
// Thread-safety: reentrant; the %t cache is per thread.

#include "modules/loggers/log_format.h"
#include "modules/loggers/log_record.h"

#include <string>
#include <string_view>

namespace sonora::modules::loggers {

// Appends the line for `rec` in format `fmt` to `out`, followed by '\n'.
// No heap allocation once `out` has grown to the line's size.
void render_log_line(const LogFormat& fmt, const LogRecord& rec, std::string& out);

// httpd's ap_escape_logitem: appends `s` with '"' and '\' backslash-escaped,
// \b \n \r \t \v as such and any other control or non-ASCII byte as \xhh.
void append_escaped(std::string& out, std::string_view s);

}  // namespace sonora::modules::loggers
