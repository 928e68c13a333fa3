#include "main/command_line.h"

#include <algorithm>
#include <cstring>

namespace sonora::cli {

bool Options::defined(const std::string& name) const {
    return std::find(defines.begin(), defines.end(), name) != defines.end();
}

ParseResult parse_command_line(int argc, const char* const* argv) {
    ParseResult result;
    Options o;
    // Options that take a value; the value may be attached ("-DFOREGROUND") or follow.
    const std::string with_value = "CcDdEefk";
    const std::string flags = "vVlLtTSMhX?";
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            result.error = std::string("illegal option -- ") + arg;
            return result;
        }
        for (const char* p = arg + 1; *p != '\0'; ++p) {
            char c = *p;
            if (with_value.find(c) != std::string::npos) {
                std::string value;
                if (p[1] != '\0') {
                    value = p + 1;
                } else if (i + 1 < argc) {
                    value = argv[++i];
                } else {
                    result.error = std::string("option requires an argument -- ") + c;
                    return result;
                }
                switch (c) {
                    case 'C': o.pre_directives.push_back(value); break;
                    case 'c': o.post_directives.push_back(value); break;
                    case 'D': o.defines.push_back(value); break;
                    case 'd': o.server_root = value; break;
                    case 'E': o.startup_log = value; break;
                    case 'e': o.log_level = value; break;
                    case 'f': o.config_file = value; break;
                    case 'k': {
                        static const char* const kSignals[] = {"start", "stop", "restart", "graceful",
                                                               "graceful-stop"};
                        bool ok = std::any_of(std::begin(kSignals), std::end(kSignals),
                                              [&](const char* s) { return value == s; });
                        if (!ok) {
                            result.error = "illegal option -- k";
                            return result;
                        }
                        o.signal = value;
                        if (value != "start") {
                            o.action = Action::Signal;
                        }
                        break;
                    }
                    default: break;
                }
                break;  // the value used the rest of this argument
            }
            if (flags.find(c) == std::string::npos) {
                result.error = std::string("illegal option -- ") + c;
                return result;
            }
            switch (c) {
                case 'v': o.action = Action::Version; break;
                case 'V': o.action = Action::Settings; break;
                case 'l': o.action = Action::ListCompiled; break;
                case 'L': o.action = Action::ListDirectives; break;
                case 'h':
                case '?': o.action = Action::Help; break;
                case 't': o.test = true; break;
                case 'T': o.skip_document_root_check = true; break;
                case 'S':
                    o.test = true;
                    o.defines.push_back("DUMP_VHOSTS");
                    o.defines.push_back("DUMP_RUN_CFG");
                    break;
                case 'M':
                    o.test = true;
                    o.defines.push_back("DUMP_MODULES");
                    break;
                case 'X':
                    o.defines.push_back("DEBUG");
                    break;
                default: break;
            }
        }
    }
    if (o.test && (o.action == Action::Run || o.action == Action::Signal)) {
        o.action = Action::Test;
    }
    result.options = std::move(o);
    return result;
}

std::string usage_text(const std::string& program) {
    std::string pad(program.size(), ' ');
    std::string u;
    u += "Usage: " + program + " [-D name] [-d directory] [-f file]\n";
    u += "       " + pad + " [-C \"directive\"] [-c \"directive\"]\n";
    u += "       " + pad + " [-k start|restart|graceful|graceful-stop|stop]\n";
    u += "       " + pad + " [-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X]\n";
    u += "Options:\n";
    u += "  -D name            : set a define, tested by <IfDefine name>\n";
    u += "  -d directory       : ServerRoot to start from\n";
    u += "  -f file            : main configuration file (relative to ServerRoot)\n";
    u += "  -C \"directive\"     : apply a directive before the configuration files\n";
    u += "  -c \"directive\"     : apply a directive after the configuration files\n";
    u += "  -e level           : log level for startup messages\n";
    u += "  -E file            : write startup messages to a file\n";
    u += "  -v                 : print the version\n";
    u += "  -V                 : print the build settings\n";
    u += "  -h                 : print this help\n";
    u += "  -l                 : list the modules compiled in and always enabled\n";
    u += "  -L                 : list every directive with where it is allowed\n";
    u += "  -t -D DUMP_VHOSTS  : print the virtual host settings\n";
    u += "  -t -D DUMP_RUN_CFG : print the run-time settings\n";
    u += "  -S                 : same as -t -D DUMP_VHOSTS -D DUMP_RUN_CFG\n";
    u += "  -t -D DUMP_MODULES : list the enabled modules\n";
    u += "  -M                 : same as -t -D DUMP_MODULES\n";
    u += "  -t -D DUMP_INCLUDES: list the configuration files read\n";
    u += "  -t                 : check the configuration and exit\n";
    u += "  -T                 : skip the DocumentRoot existence check\n";
    u += "  -X                 : debug mode: one process, in the foreground\n";
    return u;
}

}  // namespace sonora::cli
