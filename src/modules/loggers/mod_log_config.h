#pragma once
// httpd's mod_log_config (compiled in): access logs.
//
// Directives (server config and <VirtualHost> only):
//   LogFormat format [nickname]   one argument: the server's default format (a
//                                 format string, or the nickname of one);
//                                 two: names a format for CustomLog
//   CustomLog target format|nickname [env=[!]var | expr=expression]
//   TransferLog target            a log in the default format
//   GlobalLog target format|nickname [env=... | expr=...]
//                                 as CustomLog, and every <VirtualHost> logs to it
//                                 too (main server only)
//   BufferedLogs On|Off           process-wide: recorded on the main server
//
// Merge rules (main server -> <VirtualHost>):
//   - logs: a vhost keeps its own list; the main server's list is kept beside it
//     as `parent_logs`. At request time a vhost writes to its own logs, plus the
//     main server's GlobalLog logs, plus all the main server's logs when it has
//     none of its own (httpd's multi_log_transaction). effective_logs() does this.
//   - default_format: the vhost's if set, else the main server's;
//   - formats (nicknames): the main server's table overlaid by the vhost's
//     (same nickname: the vhost wins); nicknames match case-insensitively.
//   - buffered_logs: only the main server's value is meaningful.
//
// Nicknames are resolved when the logs are opened, not when CustomLog is read:
// a CustomLog may name a format defined later in the file, and a vhost's
// nickname table applies to the main server's logs it inherits.
// resolve() reproduces that.

#include "modules/loggers/log_format.h"

#include <sonora/module.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::expr {
class Expr;
}

namespace sonora::config {
class Generation;
}

namespace sonora::logs {
class LogWriter;
}

namespace sonora::modules::loggers {

extern Module log_config_module;

// A format as named by a directive: nickname or format string, plus that text
// compiled as a format string (what it means when it is not a nickname).
struct LogFormatRef {
    std::string text;
    std::shared_ptr<const LogFormat> compiled;
};

// When a log line is written: always, when an environment variable is set (or
// not, with env=!), or when an ap_expr condition holds.
struct LogCondition {
    enum class Kind : std::uint8_t { Always, Env, Expr };
    Kind kind = Kind::Always;
    std::string env_var;  // Env: the variable name
    bool negate = false;  // Env: env=!var
    std::string expr_text;                       // Expr: as written after "expr="
    std::shared_ptr<const expr::Expr> expr;      // Expr: parsed at config time
};

struct LogTarget {
    std::string target;  // as written: a path, or "|command" / "||command" / "|$command"
    std::string path;    // a file target made absolute against ServerRoot; empty for pipes
    bool is_pipe = false;
    std::optional<LogFormatRef> format;  // nullopt: TransferLog, the server's default format
    LogCondition condition;
    bool inherit = false;  // GlobalLog
    std::string directive;  // "CustomLog", "TransferLog", "GlobalLog"
    std::shared_ptr<const std::string> file;
    int line = 0;
};

struct NocaseLess {
    bool operator()(const std::string& a, const std::string& b) const;
};

// A log as a server writes to it once the logs are open: the destination,
// the format resolved against this server's nicknames, and the condition.
struct OpenedLog {
    logs::LogWriter* writer = nullptr;
    LogFormat format;
    const LogCondition* condition = nullptr;
};

struct LogConfigServer {
    std::vector<LogTarget> logs;          // this server's own, in order
    std::vector<LogTarget> parent_logs;   // the main server's (set on vhosts by merge)
    std::optional<LogFormatRef> default_format;
    std::map<std::string, std::string, NocaseLess> formats;  // nickname -> format string
    std::optional<bool> buffered_logs;
    // Filled by open_access_logs(), never by the configuration.
    std::vector<OpenedLog> opened;

    static LogConfigServer merge(const LogConfigServer& base, const LogConfigServer& add);

    // The logs a request on this server is written to, in httpd's order.
    std::vector<const LogTarget*> effective_logs() const;
    // The format a reference stands for here: the nickname's format if this
    // server knows the nickname, else the text compiled as a format string.
    LogFormat resolve(const LogFormatRef& ref) const;
    // The format TransferLog (and CustomLog without a resolvable format) uses.
    LogFormat default_log_format() const;
};

// Opens every server's logs (httpd's open_logs hook): files are created,
// piped programs started; targets named by several servers share one writer.
// Returns httpd's message for the first log that cannot be opened.
std::optional<std::string> open_access_logs(config::Generation& gen);

}  // namespace sonora::modules::loggers
