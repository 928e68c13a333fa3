#pragma once
// Startup logging: messages emitted while the configuration is read, before any
// ErrorLog is open, written to stderr in Apache's error-log line format:
//   [Mon Nov 23 21:34:30.781860 2026] [core:warn] [pid 2892:tid 2892] SN00111: text
// Every call site passes a stable message id (docs/log-message-ids.md), the
// counterpart of httpd's APLOGNO.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonora {

enum class LogLevel { Emerg, Alert, Crit, Error, Warn, Notice, Info, Debug, Trace1, Trace2, Trace3, Trace4, Trace5, Trace6, Trace7, Trace8 };

// httpd's APLOG_TRACEn: `n` 1..8 (mod_rewrite's trace levels).
inline LogLevel trace_level(int n) { return static_cast<LogLevel>(static_cast<int>(LogLevel::Debug) + n); }

std::string_view log_level_name(LogLevel level);

// Formats one line in Apache's layout (no trailing newline).
// `client` ("127.0.0.1:41544") adds httpd's "[client ...]" field for
// messages about a request.
std::string format_log_line(LogLevel level, std::string_view module, std::string_view id,
                            std::string_view message, std::string_view client = {});

// Writes a formatted line to the error log (or the test sink), unfiltered.
void write_log_line(LogLevel level, std::string line);

void log_startup(LogLevel level, std::string_view module, std::string_view id, std::string_view message);

// LogLevel: a default level and per-module ones ("LogLevel info ssl:warn").
// trace1..trace8 are the levels below debug (mod_rewrite writes at them). As httpd,
// notice messages (startup, shutdown) are written whatever the level.
struct LogLevelSetting {
    LogLevel level = LogLevel::Warn;
    std::vector<std::pair<std::string, LogLevel>> modules;  // module name without "_module"

    bool enabled(LogLevel message_level, std::string_view module) const;
    // Parses the words of a LogLevel directive (already validated by the
    // configuration); unknown words are ignored.
    static LogLevelSetting parse(std::string_view words);
};

// The process's LogLevel for messages not tied to a request.
void set_log_level(LogLevelSetting setting);

// Tests capture startup messages instead of stderr. Pass an empty function to restore.
void set_startup_log_sink(std::function<void(LogLevel, std::string_view line)> sink);

}  // namespace sonora
