// httpd's mod_log_config: LogFormat, CustomLog, TransferLog, GlobalLog,
// BufferedLogs, parsed, validated and stored. Formats are compiled by
// log_format.cpp; the logs are opened and written by access_log.cpp.

#include "modules/loggers/mod_log_config.h"

#include "config/engine.h"
#include "config/generation.h"
#include "expr/parser.h"

#include "core/strings.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace sonora::modules::loggers {

void log_config_register_hooks(HookRegistry& hooks);

namespace {

using Args = std::span<const std::string>;

CmdResult compile_ref(const std::string& text, LogFormatRef& out) {
    auto compiled = std::make_shared<LogFormat>();
    if (auto err = compile_log_format(text, *compiled)) {
        return err;
    }
    out.text = text;
    out.compiled = std::move(compiled);
    return std::nullopt;
}

// The optional third argument of CustomLog / GlobalLog.
CmdResult parse_condition(const std::string& clause, LogCondition& out) {
    if (starts_with_nocase(clause, "env=")) {
        std::string_view var = std::string_view(clause).substr(4);
        out.negate = !var.empty() && var.front() == '!';
        if (out.negate) {
            var.remove_prefix(1);
        }
        if (var.empty()) {
            return std::string("missing environment variable name");
        }
        out.kind = LogCondition::Kind::Env;
        out.env_var = std::string(var);
        return std::nullopt;
    }
    if (starts_with_nocase(clause, "expr=")) {
        std::string text = clause.substr(5);
        if (text.empty()) {
            return std::string("missing condition");
        }
        auto parsed = expr::parse(text, expr::ParseMode::Condition);
        if (!parsed.ok()) {
            return parsed.error().message;
        }
        out.kind = LogCondition::Kind::Expr;
        out.expr_text = std::move(text);
        out.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
        return std::nullopt;
    }
    return std::string("error in condition clause");
}

// CustomLog, GlobalLog and TransferLog (which has no format and no condition).
CmdResult add_log(Cmd& cmd, Args a, bool inherit) {
    LogTarget log;
    // httpd checks the condition before the format.
    if (a.size() == 3) {
        if (auto err = parse_condition(a[2], log.condition)) {
            return err;
        }
    }
    if (a.size() >= 2) {
        log.format.emplace();
        if (auto err = compile_ref(a[1], *log.format)) {
            return err;
        }
    }
    log.target = a[0];
    log.is_pipe = !a[0].empty() && a[0].front() == '|';
    if (!log.is_pipe) {
        log.path = cmd.server_root_relative(a[0]);
    }
    log.inherit = inherit;
    log.directive = std::string(cmd.spec().name);
    log.file = cmd.node().file;
    log.line = cmd.node().line;
    cmd.conf<LogConfigServer>().logs.push_back(std::move(log));
    return std::nullopt;
}

CmdResult custom_log(Cmd& cmd, Args a) { return add_log(cmd, a, false); }

CmdResult transfer_log(Cmd& cmd, Args a) { return add_log(cmd, a, false); }

CmdResult global_log(Cmd& cmd, Args a) {
    // Checked here rather than by the engine so that, as in httpd, a wrong
    // argument count is reported first.
    if (cmd.in_virtual_host()) {
        return std::string("GlobalLog cannot occur within <VirtualHost> section");
    }
    return add_log(cmd, a, true);
}

CmdResult log_format(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<LogConfigServer>();
    LogFormatRef ref;
    if (auto err = compile_ref(a[0], ref)) {
        return err;
    }
    if (a.size() == 2) {
        conf.formats[a[1]] = a[0];
    } else {
        conf.default_format = std::move(ref);
    }
    return std::nullopt;
}

// httpd keeps one process-wide switch; the main server's config holds it.
CmdResult buffered_logs(Cmd& cmd, Args a) {
    auto& main = cmd.engine().generation().main;
    main.module_config.get_mutable<LogConfigServer>(cmd.module().index)->buffered_logs = a[0] == "On";
    return std::nullopt;
}

// httpd refuses a configuration whose log files' directories are missing
// (also under -t), naming the directive's place.
CmdResult check_log_directories(config::Generation& gen) {
    auto check = [](const Server& server) -> CmdResult {
        const auto* conf = server.module_config.get<LogConfigServer>(log_config_module.index);
        if (conf == nullptr) {
            return std::nullopt;
        }
        for (const LogTarget& t : conf->logs) {
            if (t.is_pipe) {
                continue;
            }
            std::string dir = t.path.substr(0, t.path.rfind('/') + 1);
            struct stat st {};
            if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
                int e = ::stat(dir.c_str(), &st) != 0 ? errno : ENOTDIR;
                return errno_text(e) + ": SN02297: Cannot access directory '" +
                       dir + "' for log file '" + t.path + "' defined at " + (t.file ? *t.file : std::string()) +
                       ":" + std::to_string(t.line);
            }
        }
        return std::nullopt;
    };
    if (auto err = check(gen.main)) {
        return err;
    }
    for (const auto& vhost : gen.vhosts) {
        if (auto err = check(*vhost)) {
            return err;
        }
    }
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"CustomLog", ArgForm::Take23, kRsrcConf, 0, ConfLevel::Server, custom_log,
     "where to log (file or |program), the format string or nickname, and an optional "
     "env=[!]variable or expr=condition"},
    {"GlobalLog", ArgForm::Take23, kRsrcConf, 0, ConfLevel::Server, global_log,
     "like CustomLog, but every virtual host writes to this log as well"},
    {"TransferLog", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, transfer_log,
     "where to log (file or |program), in the default format"},
    {"LogFormat", ArgForm::Take12, kRsrcConf, 0, ConfLevel::Server, log_format,
     "a format string, then optionally the nickname to define for it"},
    {"BufferedLogs", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server, buffered_logs,
     "whether access log lines are buffered in memory before being written"},
};

}  // namespace

bool NocaseLess::operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
}

LogConfigServer LogConfigServer::merge(const LogConfigServer& base, const LogConfigServer& add) {
    LogConfigServer out;
    out.logs = add.logs;
    out.parent_logs = base.logs;
    out.default_format = add.default_format ? add.default_format : base.default_format;
    out.formats = add.formats;
    for (const auto& [name, fmt] : base.formats) {
        out.formats.try_emplace(name, fmt);
    }
    out.buffered_logs = add.buffered_logs ? add.buffered_logs : base.buffered_logs;
    // `opened` is filled after merging, per server.
    return out;
}

std::vector<const LogTarget*> LogConfigServer::effective_logs() const {
    std::vector<const LogTarget*> out;
    for (const LogTarget& l : logs) {
        out.push_back(&l);
    }
    for (const LogTarget& l : parent_logs) {
        if (l.inherit || logs.empty()) {
            out.push_back(&l);
        }
    }
    return out;
}

LogFormat LogConfigServer::resolve(const LogFormatRef& ref) const {
    if (auto it = formats.find(ref.text); it != formats.end()) {
        LogFormat f;
        // Validated when LogFormat defined the nickname.
        (void)compile_log_format(it->second, f);
        return f;
    }
    return *ref.compiled;
}

LogFormat LogConfigServer::default_log_format() const {
    if (default_format) {
        return resolve(*default_format);
    }
    LogFormat f;
    (void)compile_log_format(kDefaultLogFormat, f);
    return f;
}

namespace {

bool prints_local_address(const Server& server) {
    const auto* logs = server.module_config.get<LogConfigServer>(log_config_module.index);
    if (logs == nullptr) {
        return false;
    }
    for (const auto& opened : logs->opened) {
        for (const auto& item : opened.format.items) {
            if (item.field == LogField::LocalAddr) {
                return true;
            }
        }
    }
    return false;
}

CmdResult open_logs(config::Generation& gen) {
    if (auto err = open_access_logs(gen)) {
        return *err + "\nSN00015: Unable to open logs";
    }
    // The formats are known once the logs are open.
    bool prints = prints_local_address(gen.main);
    for (const auto& vhost : gen.vhosts) {
        prints = prints || prints_local_address(*vhost);
    }
    gen.shows_local_address = gen.shows_local_address || prints;
    return std::nullopt;
}

}  // namespace

Module log_config_module{
    .name = "log_config_module",
    .source = "mod_log_config.c",
    .directives = kDirectives,
    .server_config = config_ops<LogConfigServer>(),
    .is_static = true,
    .post_config = check_log_directories,
    .open_logs = open_logs,
    .register_hooks = log_config_register_hooks,
};

}  // namespace sonora::modules::loggers
