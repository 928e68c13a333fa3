// httpd's mod_log_debug: the LogMessage directive and the hooks that write it.

#include "modules/loggers/mod_log_debug.h"

#include "core/strings.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "expr/request_context.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>
#include <sonora/request.h>
#include <sonora/server.h>

#include <array>

namespace sonora::modules::loggers {

namespace {

using Args = std::span<const std::string>;

constexpr std::array<std::string_view, 14> kHookNames = {
    "pre_translate_name", "translate_name", "type_checker", "quick_handler", "map_to_storage",
    "check_access",       "check_access_ex", "insert_filter", "check_authn", "check_authz",
    "fixups",             "handler",         "log_transaction", "all",
};

CmdResult log_message(Cmd& cmd, Args a) {
    LogMessageEntry e;
    const expr::ParseOptions string_mode{expr::ParseMode::String, cmd.in_access_file()};
    auto message = expr::parse(a[0], string_mode);
    if (!message.ok()) {
        return "Could not parse message expression '" + a[0] + "': " + message.error().message;
    }
    e.message = std::make_shared<const expr::Expr>(std::move(message).value());
    for (std::size_t i = 1; i < a.size(); ++i) {
        const std::string_view arg = a[i];
        if (arg.starts_with("hook=")) {
            const std::string_view name = arg.substr(5);
            const auto* it = std::find(kHookNames.begin(), kHookNames.end(), name);
            if (it == kHookNames.end()) {
                return "Invalid hook name: " + std::string(name);
            }
            e.hook = static_cast<DebugHook>(it - kHookNames.begin());
        } else if (arg.starts_with("expr=")) {
            auto condition = expr::parse(arg.substr(5), expr::ParseOptions{expr::ParseMode::Condition,
                                                                          cmd.in_access_file()});
            if (!condition.ok()) {
                return "Could not parse expression '" + std::string(arg.substr(5)) +
                       "': " + condition.error().message;
            }
            e.condition = std::make_shared<const expr::Expr>(std::move(condition).value());
        } else {
            return "Invalid argument " + std::string(arg);
        }
    }
    e.file = cmd.node().file;
    e.line = cmd.node().line;
    cmd.conf<LogDebugDirConfig>().entries.push_back(std::move(e));
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"LogMessage", ArgForm::Take123, kRsrcConf | kAccessConf, 0, ConfLevel::Dir, log_message,
     "Log a debug message to the error log if this config block is used for a request"},
};

// Writes the entries of the request's configuration that name `hook`.
void log_for(request::Request& r, DebugHook hook) {
    const ConfigVector* config = r.dir_config;
    if (config == nullptr && r.server != nullptr) {
        config = &r.server->lookup_defaults;
    }
    const auto* c = config != nullptr ? config->get<LogDebugDirConfig>(log_debug_module.index) : nullptr;
    if (c == nullptr || c->entries.empty()) {
        return;
    }
    for (const LogMessageEntry& e : c->entries) {
        if (e.hook != hook && e.hook != DebugHook::All) {
            continue;
        }
        expr::RequestContext ctx(r, expr::RequestContext::DontVary{});
        if (e.condition && !expr::evaluate(*e.condition, ctx)) {
            continue;
        }
        std::string text = expr::evaluate_string(*e.message, ctx);
        // httpd says where the message comes from once debugging is on.
        if (core::request_log_enabled(r, LogLevel::Debug, "log_debug")) {
            text.append(" (").append(kHookNames[static_cast<std::size_t>(hook)]).append(" hook, ");
            text.append(e.file != nullptr ? *e.file : std::string()).append(":").append(std::to_string(e.line));
            text.append(")");
        }
        core::log_request_error(r, LogLevel::Info, "log_debug", "", text);
    }
}

template <DebugHook... Hooks>
int observe(request::Request& r, Services&) {
    (log_for(r, Hooks), ...);
    return kDeclined;
}

void log_debug_register_hooks(HookRegistry& hooks) {
    // First in each phase, so that a hook that answers the request does not
    // hide the message; each declines, leaving the decision to the others.
    hooks.add(Phase::PostReadRequest, observe<DebugHook::QuickHandler, DebugHook::PreTranslateName>,
              HookOrder::ReallyFirst);
    // httpd's map_to_storage hooks run before its directory walk, under the
    // <Location> configuration translate_name saw.
    hooks.add(Phase::TranslateName, observe<DebugHook::TranslateName, DebugHook::MapToStorage>,
              HookOrder::ReallyFirst);
    hooks.add(Phase::AccessChecker, observe<DebugHook::CheckAccess, DebugHook::CheckAccessEx>,
              HookOrder::ReallyFirst);
    hooks.add(Phase::CheckUserId, observe<DebugHook::CheckAuthn>, HookOrder::ReallyFirst);
    hooks.add(Phase::AuthChecker, observe<DebugHook::CheckAuthz>, HookOrder::ReallyFirst);
    hooks.add(Phase::TypeChecker, observe<DebugHook::TypeChecker>, HookOrder::ReallyFirst);
    hooks.add(Phase::Fixups, observe<DebugHook::Fixups>, HookOrder::ReallyFirst);
    hooks.add(Phase::Handler, observe<DebugHook::InsertFilter, DebugHook::Handler>, HookOrder::ReallyFirst);
    hooks.add(Phase::LogTransaction, observe<DebugHook::LogTransaction>, HookOrder::ReallyFirst);
}

}  // namespace

LogDebugDirConfig LogDebugDirConfig::merge(const LogDebugDirConfig& base, const LogDebugDirConfig& add) {
    LogDebugDirConfig out = base;
    out.entries.insert(out.entries.end(), add.entries.begin(), add.entries.end());
    return out;
}

Module log_debug_module{
    .name = "log_debug_module",
    .source = "mod_log_debug.c",
    .directives = kDirectives,
    .dir_config = config_ops<LogDebugDirConfig>(),
    .register_hooks = log_debug_register_hooks,
};

}  // namespace sonora::modules::loggers
