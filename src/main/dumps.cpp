#include "main/dumps.h"

#include "modules/core/core_config.h"
#include "modules/core/mod_unixd.h"

#include <grp.h>
#include <pwd.h>
#include <pcre2.h>

#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>

namespace sonora::cli {

namespace {

using modules::core::core_module;
using modules::core::CoreServerConfig;

constexpr const char* kBuilt = __DATE__ " " __TIME__;

std::string pcre_version() {
    char buf[64] = {};
    pcre2_config(PCRE2_CONFIG_VERSION, buf);
    return std::string("PCRE2 ") + buf;
}

// httpd's listing of where a directive is allowed, from its override bits.
std::string where_allowed(const DirectiveSpec& d) {
    const unsigned o = d.req_override;
    std::string s = "\tAllowed in *.conf ";
    if ((o & (kOrOptions | kOrFileInfo | kOrIndexes)) ||
        ((o & kRsrcConf) && (o & (kAccessConf | kOrAuthCfg | kOrLimit)))) {
        s += "anywhere";
    } else if (o & kRsrcConf) {
        s += "only outside <Directory>, <Files>, <Location>, or <If>";
    } else {
        s += "only inside <Directory>, <Files>, <Location>, or <If>";
    }
    if (o & kOrAll) {
        s += " and in .htaccess\n\twhen AllowOverride";
        if ((o & kOrAll) == kOrAll) {
            s += " isn't None";
        } else {
            static constexpr std::pair<unsigned, const char*> kClasses[] = {{kOrLimit, "Limit"},
                                                                            {kOrOptions, "Options"},
                                                                            {kOrFileInfo, "FileInfo"},
                                                                            {kOrAuthCfg, "AuthConfig"},
                                                                            {kOrIndexes, "Indexes"}};
            s += " includes ";
            bool first = true;
            for (auto [bit, name] : kClasses) {
                if (o & bit) {
                    s += first ? "" : " or ";
                    s += name;
                    first = false;
                }
            }
        }
    }
    return s;
}

std::string vhost_name(const config::Generation& gen, const Server& s) {
    const auto& c = modules::core::server_config(s);
    if (c.server_name) {
        return *c.server_name;
    }
    const auto& main = gen.main_conf<CoreServerConfig>(core_module);
    return main.server_name.value_or("localhost");
}

std::string where(const Server& s) {
    return "(" + (s.defn_file ? *s.defn_file : std::string("?")) + ":" + std::to_string(s.defn_line) + ")";
}

std::string with_port(const std::string& addr) {
    if (addr == "_default_") {
        return "_default_:*";
    }
    bool has_port = addr.front() == '[' ? addr.find("]:") != std::string::npos : addr.find(':') != std::string::npos;
    return has_port ? addr : addr + ":*";
}

}  // namespace

void print_version(std::ostream& out) {
    out << "Server version: Apache/" SONORA_APACHE_COMPAT_VERSION " (Sonora/" SONORA_VERSION ")\n";
    out << "Server built:   " << kBuilt << "\n";
}

void print_settings(std::ostream& out, const config::Generation* gen) {
    print_version(out);
    std::string mpm = "event";
    if (gen != nullptr && gen->mpm != nullptr) {
        std::string_view n = gen->mpm->name;
        mpm = std::string(n.substr(4, n.size() - 4 - 7));  // mpm_X_module -> X
    }
    out << "Server's Module Magic Number: 20120211:142\n";
    out << "Server loaded:  " << pcre_version() << "\n";
    out << "Compiled using: " << pcre_version() << "\n";
    out << "Architecture:   " << sizeof(void*) * 8 << "-bit\n";
    out << "Server MPM:     " << mpm << "\n";
    if (mpm == "prefork") {
        out << "  threaded:     no\n";
    } else {
        out << "  threaded:     yes (fixed thread count)\n";
    }
    out << "    forked:     yes (variable process count)\n";
    out << "Server compiled with....\n";
    out << " -D APR_HAS_SENDFILE\n";
    out << " -D APR_HAS_MMAP\n";
    out << " -D APR_HAVE_IPV6 (IPv4-mapped addresses enabled)\n";
    out << " -D APR_USE_PTHREAD_SERIALIZE\n";
    out << " -D SINGLE_LISTEN_UNSERIALIZED_ACCEPT\n";
    out << " -D AP_HAVE_RELIABLE_PIPED_LOGS\n";
    out << " -D HTTPD_ROOT=\"" SONORA_HTTPD_ROOT "\"\n";
    out << " -D DEFAULT_PIDLOG=\"logs/sonora.pid\"\n";
    out << " -D DEFAULT_SCOREBOARD=\"logs/apache_runtime_status\"\n";
    out << " -D DEFAULT_ERRORLOG=\"logs/error_log\"\n";
    out << " -D AP_TYPES_CONFIG_FILE=\"conf/mime.types\"\n";
    out << " -D SERVER_CONFIG_FILE=\"" SONORA_SERVER_CONFIG_FILE "\"\n";
    if (gen != nullptr) {
        bool header = false;
        for (const auto& l : gen->modules.loaded()) {
            if (l.path.empty()) {
                continue;
            }
            if (!header) {
                out << "Modules enabled by LoadModule:\n";
                header = true;
            }
            out << "  " << l.module->name << " " << l.path << "\n";
        }
    }
}

void print_compiled_modules(std::ostream& out, std::span<Module* const> modules) {
    out << "Compiled in modules:\n";
    for (const Module* m : modules) {
        if (m->is_static) {
            out << "  " << m->source << "\n";
        }
    }
}

void print_directives(std::ostream& out, std::span<Module* const> modules) {
    for (const Module* m : modules) {
        for (const DirectiveSpec& d : m->directives) {
            out << d.name << " (" << m->source << ")\n";
            out << "\t" << d.help << "\n";
            out << where_allowed(d) << "\n";
        }
    }
}

void dump_vhosts(std::ostream& out, const config::Generation& gen) {
    out << "VirtualHost configuration:\n";
    // Group virtual hosts by address, keeping first-seen order.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Server*>> by_addr;
    for (const auto& vh : gen.vhosts) {
        for (const std::string& a : vh->addresses) {
            std::string key = with_port(a);
            if (by_addr.find(key) == by_addr.end()) {
                order.push_back(key);
            }
            by_addr[key].push_back(vh.get());
        }
    }
    for (const std::string& addr : order) {
        const auto& list = by_addr[addr];
        if (list.size() == 1) {
            out << std::left << std::setw(22) << addr << " " << vhost_name(gen, *list[0]) << " " << where(*list[0])
                << "\n";
            continue;
        }
        std::string port = addr.substr(addr.rfind(':') + 1);
        out << std::left << std::setw(22) << addr << " is a NameVirtualHost\n";
        out << "         default server " << vhost_name(gen, *list[0]) << " " << where(*list[0]) << "\n";
        for (const Server* s : list) {
            out << "         port " << port << " namevhost " << vhost_name(gen, *s) << " " << where(*s) << "\n";
            const auto& c = modules::core::server_config(*s);
            for (const std::string& alias : c.aliases) {
                out << "                 alias " << alias << "\n";
            }
            for (const std::string& alias : c.wild_aliases) {
                out << "                 wild alias " << alias << "\n";
            }
        }
    }
}

void dump_run_config(std::ostream& out, const config::Generation& gen) {
    const auto& c = gen.main_conf<CoreServerConfig>(core_module);
    out << "ServerRoot: \"" << gen.server_root << "\"\n";
    out << "Main DocumentRoot: \"" << c.document_root.value_or(gen.server_root + "/htdocs") << "\"\n";
    out << "Main ErrorLog: \"" << c.error_log.value_or(gen.server_root + "/logs/error_log") << "\"\n";
    auto def = c.mutexes.find("default");
    std::string runtime = c.default_runtime_dir.value_or(gen.server_root + "/logs");
    out << "Mutex default: dir=\"" << runtime << "/\" mechanism="
        << (def == c.mutexes.end() ? std::string("default") : def->second.mechanism) << " \n";
    for (const auto& [name, m] : c.mutexes) {
        if (name != "default") {
            out << "Mutex " << name << ": dir=\"" << (m.path.empty() ? runtime + "/" : m.path)
                << "\" mechanism=" << m.mechanism << " \n";
        }
    }
    out << "PidFile: \"" << c.pid_file.value_or(gen.server_root + "/logs/sonora.pid") << "\"\n";
    for (const auto& d : gen.defines.entries()) {
        out << "Define: " << d.name;
        if (d.value) {
            out << "=" << *d.value;
        }
        out << "\n";
    }
    const auto* ux = gen.main.module_config.get<modules::core::UnixdConfig>(modules::core::unixd_module.index);
    auto user = ux != nullptr ? ux->user : std::nullopt;
    auto group = ux != nullptr ? ux->group : std::nullopt;
    long long uid = -1;
    long long gid = -1;
    if (user) {
        if (const passwd* pw = ::getpwnam(user->c_str())) {
            uid = pw->pw_uid;
        }
    }
    if (group) {
        if (const ::group* gr = ::getgrnam(group->c_str())) {
            gid = gr->gr_gid;
        }
    }
    out << "User: name=\"" << user.value_or("#-1") << "\" id=" << static_cast<unsigned>(uid) << "\n";
    out << "Group: name=\"" << group.value_or("#-1") << "\" id=" << static_cast<unsigned>(gid) << "\n";
}

void dump_modules(std::ostream& out, const config::Generation& gen) {
    out << "Loaded Modules:\n";
    for (const auto& l : gen.modules.loaded()) {
        out << " " << l.module->name << (l.path.empty() ? " (static)" : " (shared)") << "\n";
    }
}

void dump_includes(std::ostream& out, const config::Generation& gen) {
    out << "Included configuration files:\n";
    for (const auto& f : gen.config_files) {
        out << std::string(2 + 2 * static_cast<std::size_t>(f.depth), ' ');
        if (f.depth == 0) {
            out << "(*) ";
        } else {
            out << "(" << f.line << ") ";
        }
        out << f.path << "\n";
    }
}

}  // namespace sonora::cli
