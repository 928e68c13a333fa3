#pragma once
// The main server's ErrorLog: a file, a piped program or syslog.
//
// A file or a pipe becomes the process's stderr, as in httpd, so that
// anything written there (our own messages, a crashing library's) reaches
// it; the piped program is kept alive by the process's log writers.
// "syslog[:facility]" sends each message to syslog(3) at the priority of its
// level (facility local7 when none is named).

#include <optional>
#include <string>

namespace sonora::logs {

// `target` as configured (absolute path, "|...", "syslog[:facility]").
// Returns httpd's message when it cannot be opened.
std::optional<std::string> open_error_log(const std::string& target, const std::string& program);

}  // namespace sonora::logs
