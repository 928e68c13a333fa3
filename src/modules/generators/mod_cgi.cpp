#include "modules/generators/mod_cgi.h"

#include "config/engine.h"
#include "core/clock.h"
#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/generators/mod_cgi_env.h"
#include "modules/generators/mod_cgi_exchange.h"
#include "modules/generators/mod_cgi_log.h"
#include "os/spawn.h"

#include <sonora/directive.h>
#include <sonora/exchange.h>
#include <sonora/hooks.h>
#include <sonora/request.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>

namespace sonora::modules::generators {

namespace {

using Args = std::span<const std::string>;

CmdResult set_timeout(Cmd& cmd, Args a) {
    const auto ms = parse_duration_ms(a[0]);
    if (!ms) {
        return std::string(cmd.spec().name) + " has wrong format";
    }
    cmd.conf<CgiDirConfig>().timeout_ms = *ms;
    return std::nullopt;
}

// ScriptLog and its two limits (server-wide, as httpd's), for mod_cgi or
// mod_cgid, whichever is loaded.
template <Module* M>
CmdResult set_script_log(Cmd& cmd, Args a) {
    cmd.server_conf<CgiServerConfig>(*M).log = cmd.server_root_relative(a[0]);
    return std::nullopt;
}

template <Module* M, std::optional<std::uint64_t> CgiServerConfig::*Field>
CmdResult set_log_size(Cmd& cmd, Args a) {
    cmd.server_conf<CgiServerConfig>(*M).*Field = static_cast<std::uint64_t>(std::max(0L, leading_number(a[0])));
    return std::nullopt;
}

// mod_cgid's daemon socket: Sonora starts scripts without a daemon (see
// mod_cgi.h), so there is no socket to place.
CmdResult accept_script_sock(Cmd&, Args) { return std::nullopt; }

const DirectiveSpec kDirectives[] = {
    {"ScriptLog", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_script_log<&cgi_module>,
     "the name of a log for script debugging info"},
    {"ScriptLogLength", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_log_size<&cgi_module, &CgiServerConfig::log_length>, "the maximum length (in bytes) of the script debug log"},
    {"ScriptLogBuffer", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_log_size<&cgi_module, &CgiServerConfig::log_buffer>, "the maximum size (in bytes) to record of a POST request"},
    {"CGIScriptTimeout", ArgForm::Take1, kRsrcConf | kAccessConf, 0, ConfLevel::Dir, set_timeout,
     "The amount of time to wait between successful reads from the CGI script, in seconds."},
};

const DirectiveSpec kCgidDirectives[] = {
    {"ScriptLog", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_script_log<&cgid_module>,
     "the name of a log for script debugging info"},
    {"ScriptLogLength", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_log_size<&cgid_module, &CgiServerConfig::log_length>, "the maximum length (in bytes) of the script debug log"},
    {"ScriptLogBuffer", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_log_size<&cgid_module, &CgiServerConfig::log_buffer>, "the maximum size (in bytes) to record of a POST request"},
    {"ScriptSock", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, accept_script_sock,
     "the name of the socket to use for communication with the cgi daemon."},
    {"CGIDScriptTimeout", ArgForm::Take1, kRsrcConf | kAccessConf, 0, ConfLevel::Dir, set_timeout,
     "The amount of time to wait between successful reads from the CGI script, in seconds."},
};

// The ScriptLog settings of the request's server, under whichever module is loaded.
ScriptLogSettings script_log(const request::Request& r) {
    const auto* conf = r.server->module_config.get<CgiServerConfig>(cgi_module.index);
    if (conf == nullptr) {
        conf = r.server->module_config.get<CgiServerConfig>(cgid_module.index);
    }
    return conf != nullptr ? conf->settings() : ScriptLogSettings{};
}

// httpd's log_scripterror: a refusal, logged as if the script had said it,
// and in the ScriptLog.
int refuse(const request::Request& r, int status, std::string_view id, std::string_view why) {
    core::log_request_error(r, LogLevel::Error, "cgi", id,
                            "stderr from " + std::string(r.filename) + ": " + std::string(why));
    script_log_error(script_log(r), r, status, why);
    return status;
}

// argv: the script's name, then an ISINDEX query's words (a query without
// '=', split at '+', decoded and shell-escaped), as httpd passes them.
std::vector<std::string> script_argv(const request::Request& r) {
    std::vector<std::string> argv{std::string(base_name(r.filename))};
    if (!r.query.empty() && r.query.find('=') == std::string_view::npos) {
        std::string_view q = r.query;
        while (true) {
            const std::size_t plus = q.find('+');
            argv.push_back(escape_shell(unescape_url(q.substr(0, plus), false)));
            if (plus == std::string_view::npos) {
                break;
            }
            q.remove_prefix(plus + 1);
        }
    }
    return argv;
}

// RLimitCPU, RLimitMEM (the address space, as APR limits it on Linux) and
// RLimitNPROC, over the server's own limits.
void add_limits(const core::CoreDirConfig& dir, os::SpawnRequest& spawn) {
    const std::pair<const std::optional<core::CoreDirConfig::ResourceLimit>*, int> limits[] = {
        {&dir.rlimit_cpu, RLIMIT_CPU}, {&dir.rlimit_mem, RLIMIT_AS}, {&dir.rlimit_nproc, RLIMIT_NPROC}};
    for (const auto& [setting, resource] : limits) {
        if (!*setting) {
            continue;
        }
        rlimit current{};
        ::getrlimit(static_cast<__rlimit_resource>(resource), &current);
        os::SpawnRequest::Limit l{resource, current.rlim_cur, current.rlim_max};
        l.soft = (*setting)->soft_max ? current.rlim_max : (*setting)->soft != 0 ? (*setting)->soft : l.soft;
        if ((*setting)->hard != 0 && ((*setting)->hard <= current.rlim_max || ::geteuid() == 0)) {
            l.hard = (*setting)->hard;
        }
        l.soft = std::min(l.soft, l.hard);
        spawn.limits.push_back(l);
    }
}

int cgi_handler(request::Request& r, Services& services) {
    if (r.handler != "cgi-script" && r.handler != "application/x-httpd-cgi") {
        return kDeclined;
    }
    const auto& core_dir = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    const bool aliased = request::find_header(r.notes, "alias-forced-type") == std::optional<std::string_view>("cgi-script");
    if ((core_dir.effective_options() & core::kOptExecCgi) == 0 && !aliased) {
        return refuse(r, 403, "SN02809", "Options ExecCGI is off in this directory");
    }
    if (!r.has_finfo) {
        return refuse(r, 404, "SN02811", "script not found or unable to stat");
    }
    if (S_ISDIR(r.finfo.st_mode)) {
        return refuse(r, 403, "SN02812", "attempt to invoke directory as script");
    }
    if (!r.path_info.empty() && core_dir.accept_path_info == core::Tristate::Off) {
        return refuse(r, 404, "SN02810", "AcceptPathInfo off disallows user's path");
    }
    os::SpawnRequest spawn;
    spawn.path.assign(r.filename);
    spawn.argv = script_argv(r);
    spawn.env = cgi_environment(r, services);
    spawn.cwd.assign(std::string_view(r.filename).substr(0, r.filename.rfind('/') + 1));
    add_limits(core_dir, spawn);
    os::Spawned process = os::spawn(spawn);
    if (process.pid < 0) {
        // What httpd's forked child writes to stderr when exec fails, then
        // the parent's complaint about the missing head.
        const std::string why = errno_text(process.error) + ": exec of '" + std::string(r.filename) + "' failed";
        core::log_request_error(r, LogLevel::Error, "cgi", "SN01215", "stderr from " + std::string(r.filename) + ": " + why);
        script_log_failure(script_log(r), r, 500, ScriptFailure{{}, {}, {}, why});
        core::log_request_error(r, LogLevel::Error, "cgi", "",
                                "End of script output before headers: " + std::string(base_name(r.filename)));
        return 500;
    }
    const auto* dir = r.dir_config->get<CgiDirConfig>(cgi_module.index);
    if (dir == nullptr) {
        dir = r.dir_config->get<CgiDirConfig>(cgid_module.index);
    }
    const long long timeout = dir != nullptr && dir->timeout_ms
                                  ? *dir->timeout_ms
                                  : core::server_config(*r.server).timeout_ms.value_or(60'000);
    const bool nph = base_name(r.filename).starts_with("nph-");
    r.exchange = new CgiExchange(process, std::string(r.filename), timeout, nph, monotonic_ms(), script_log(r));
    return kSuspended;
}

void cgi_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, cgi_handler, HookOrder::Middle); }

}  // namespace

Module cgi_module{
    .name = "cgi_module",
    .source = "mod_cgi.c",
    .directives = kDirectives,
    .dir_config = config_ops<CgiDirConfig>(),
    .server_config = config_ops<CgiServerConfig>(),
    .register_hooks = cgi_register_hooks,
};

// Debian enables mod_cgid under the threaded MPMs; it is the same handler
// here, with mod_cgid's directive names.
Module cgid_module{
    .name = "cgid_module",
    .source = "mod_cgid.c",
    .directives = kCgidDirectives,
    .dir_config = config_ops<CgiDirConfig>(),
    .server_config = config_ops<CgiServerConfig>(),
    .register_hooks = cgi_register_hooks,
};

}  // namespace sonora::modules::generators
