// sonora: the server binary. Command line as httpd's; see command_line.h.

#include "config/loader.h"
#include "core/log.h"
#include "main/command_line.h"
#include "main/dumps.h"
#include "modules/core/core_config.h"
#include "modules/module_list.h"
#include "mpm/server.h"
#include "mpm/settings.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

namespace {

using namespace sonora;

std::string program_name(const char* argv0) {
    std::string p = argv0 != nullptr ? argv0 : "sonora";
    auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

config::LoadOptions load_options(const cli::Options& o) {
    config::LoadOptions lo;
    lo.server_root = o.server_root.value_or(SONORA_HTTPD_ROOT);
    lo.config_file = o.config_file.value_or(SONORA_SERVER_CONFIG_FILE);
    lo.defines = o.defines;
    lo.pre_directives = o.pre_directives;
    lo.post_directives = o.post_directives;
    lo.check_document_root = !o.skip_document_root_check;
    lo.modules = modules::builtin_modules();
    return lo;
}

std::unique_ptr<config::Generation> load(const cli::Options& o, const std::string& program) {
    try {
        return config::load_configuration(load_options(o));
    } catch (const config::ConfigError& e) {
        std::cerr << e.render(program) << "\n";
        return nullptr;
    }
}

// -k stop|restart|graceful|graceful-stop: signal the running parent named by PidFile.
int send_signal(const config::Generation& gen, const std::string& what, const std::string& program) {
    const auto& core = gen.main_conf<modules::core::CoreServerConfig>(modules::core::core_module);
    std::string pid_file = core.pid_file.value_or(gen.server_root + "/logs/sonora.pid");
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) {
        std::cerr << program << " (no pid file) not running\n";
        return what == "stop" || what == "graceful-stop" ? 0 : 1;
    }
    int sig = what == "stop" ? SIGTERM : what == "restart" ? SIGHUP : what == "graceful" ? SIGUSR1 : SIGWINCH;
    if (::kill(static_cast<pid_t>(pid), sig) != 0) {
        std::cerr << program << ": cannot signal process " << pid << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string program = program_name(argv[0]);
    auto parsed = cli::parse_command_line(argc, argv);
    if (!parsed.options) {
        std::cerr << program << ": " << parsed.error << "\n" << cli::usage_text(program);
        return 1;
    }
    const cli::Options& o = *parsed.options;
    switch (o.action) {
        case cli::Action::Version: cli::print_version(std::cout); return 0;
        case cli::Action::Help: std::cout << cli::usage_text(program); return 0;
        case cli::Action::ListCompiled: cli::print_compiled_modules(std::cout, modules::builtin_modules()); return 0;
        case cli::Action::ListDirectives: cli::print_directives(std::cout, modules::builtin_modules()); return 0;
        default: break;
    }

    auto gen = load(o, program);
    if (!gen) {
        return 1;
    }
    switch (o.action) {
        case cli::Action::Settings: cli::print_settings(std::cout, gen.get()); return 0;
        case cli::Action::Signal: return send_signal(*gen, o.signal, program);
        case cli::Action::Test: {
            bool dumped = false;
            if (o.defined("DUMP_INCLUDES")) {
                cli::dump_includes(std::cout, *gen);
                dumped = true;
            }
            if (o.defined("DUMP_VHOSTS")) {
                cli::dump_vhosts(std::cout, *gen);
                dumped = true;
            }
            if (o.defined("DUMP_RUN_CFG")) {
                cli::dump_run_config(std::cout, *gen);
                dumped = true;
            }
            if (o.defined("DUMP_MODULES")) {
                cli::dump_modules(std::cout, *gen);
                dumped = true;
            }
            if (!dumped) {
                std::vector<std::string> warnings;
                (void)mpm::Settings::from(*gen, warnings);
                for (const auto& w : warnings) {
                    std::cerr << w << "\n";
                }
                std::cerr << "Syntax OK\n";
            }
            return 0;
        }
        default: break;
    }
    mpm::RunOptions run;
    run.program = program;
    run.foreground = o.defined("FOREGROUND") || o.defined("NO_DETACH") || o.defined("DEBUG");
    run.one_process = o.defined("ONE_PROCESS") || o.defined("DEBUG");
    // A restart reads the same files with the same command line, as httpd.
    run.reload = [o, program](std::string& error) -> std::unique_ptr<config::Generation> {
        try {
            return config::load_configuration(load_options(o));
        } catch (const config::ConfigError& e) {
            error = e.render(program);
            return nullptr;
        }
    };
    return mpm::run_server(std::move(gen), run);
}
