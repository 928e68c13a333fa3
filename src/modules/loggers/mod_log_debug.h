#pragma once
// httpd's mod_log_debug: LogMessage writes an expression's value to the
// error log (module log_debug, level info) when a request passes a given
// hook, under a condition. Hooks map onto Sonora's phases:
//   quick_handler, pre_translate_name  -> post_read_request (server config)
//   translate_name, map_to_storage     -> translate_name (<Location> config:
//                                         httpd's directory walk is core's
//                                         map_to_storage, after the others)
//   check_access, check_access_ex      -> access_checker
//   check_authn, check_authz           -> check_user_id, auth_checker (run
//                                         only when a user is needed, as httpd)
//   type_checker, fixups, log_transaction -> the same
//   insert_filter, handler             -> handler (before any handler answers)
// Merge rule: the parent's entries, then the child's (lists append).

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sonora::expr {
class Expr;
}

namespace sonora::modules::loggers {

extern Module log_debug_module;

// httpd's hook names, in the order LogMessage's hook= accepts them.
enum class DebugHook : std::uint8_t {
    PreTranslateName,
    TranslateName,
    TypeChecker,
    QuickHandler,
    MapToStorage,
    CheckAccess,
    CheckAccessEx,
    InsertFilter,
    CheckAuthn,
    CheckAuthz,
    Fixups,
    Handler,
    LogTransaction,
    All,
};

struct LogMessageEntry {
    std::shared_ptr<const expr::Expr> message;    // a string expression
    std::shared_ptr<const expr::Expr> condition;  // expr=...; null: always
    DebugHook hook = DebugHook::LogTransaction;
    std::shared_ptr<const std::string> file;      // where the directive stands, for LogLevel debug
    int line = 0;
};

struct LogDebugDirConfig {
    std::vector<LogMessageEntry> entries;
    static LogDebugDirConfig merge(const LogDebugDirConfig& base, const LogDebugDirConfig& add);
};

}  // namespace sonora::modules::loggers
