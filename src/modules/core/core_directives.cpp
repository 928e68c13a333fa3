// The directives of httpd's core module: every one of Apache 2.4's core.c
// directives is known here. Those Sonora does not act on yet are accepted with a
// warning naming them (docs/FEATURES.md keeps the list).

#include "modules/core/core_directives.h"
#include "modules/core/mpm.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"
#include "http/method.h"
#include "modules/core/core_config.h"
#include "modules/core/core_sections.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>

namespace sonora::modules::core {

namespace {

using Args = std::span<const std::string>;

CoreServerConfig& srv(Cmd& cmd) { return cmd.server_conf<CoreServerConfig>(core_module); }
CoreDirConfig& dir(Cmd& cmd) { return cmd.dir_conf<CoreDirConfig>(core_module); }

bool parse_number(std::string_view text, long long& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// Accepted and checked for form, but without effect yet: say so once per use.
CmdResult not_yet_effective(Cmd& cmd, Args) {
    cmd.warn(std::string(cmd.spec().name) + " is accepted but has no effect in this version of Sonora");
    return std::nullopt;
}

// httpd knows one variable and its two rules.
CmdResult set_cgi_var(Cmd& cmd, Args a) {
    if (a[0] != "REQUEST_URI") {
        return "Unrecognized CGI variable: \"" + a[0] + "\"";
    }
    if (a[1] != "current-uri" && a[1] != "original-uri") {
        return std::string("Valid rules for REQUEST_URI are 'current-uri' and 'original-uri'");
    }
    cmd.conf<CoreDirConfig>().cgi_request_uri_current = a[1] == "current-uri";
    return std::nullopt;
}

// httpd's ap_unixd_set_rlimit: a number or "max" for the soft limit, an
// optional number for the hard one (anything else counts as 0: unchanged).
template <std::optional<CoreDirConfig::ResourceLimit> CoreDirConfig::*Field>
CmdResult set_rlimit(Cmd& cmd, Args a) {
    CoreDirConfig::ResourceLimit limit;
    if (equals_nocase(a[0], "max")) {
        limit.soft_max = true;
    } else {
        limit.soft = static_cast<unsigned long long>(std::max(0L, leading_number(a[0])));
    }
    if (a.size() > 1) {
        limit.hard = static_cast<unsigned long long>(std::max(0L, leading_number(a[1])));
    }
    dir(cmd).*Field = limit;
    return std::nullopt;
}

CmdResult set_timeout(Cmd& cmd, Args a) {
    auto ms = parse_duration_ms(a[0]);
    if (!ms) {
        return std::string(cmd.spec().name) + " has wrong format";
    }
    srv(cmd).timeout_ms = *ms;
    return std::nullopt;
}

CmdResult set_document_root(Cmd& cmd, Args a) {
    std::string path = cmd.server_root_relative(a[0]);
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    if (cmd.engine().generation().check_document_root) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (!cmd.in_virtual_host()) {
                return "DocumentRoot '" + path + "' is not a directory, or is not readable";
            }
            cmd.warn("DocumentRoot [" + path + "] does not exist");
        }
    }
    srv(cmd).document_root = path;
    return std::nullopt;
}

CmdResult set_server_name(Cmd& cmd, Args a) {
    std::string_view name = a[0];
    CoreServerConfig& c = srv(cmd);
    if (auto scheme = name.find("://"); scheme != std::string_view::npos) {
        c.server_scheme = std::string(name.substr(0, scheme));
        name.remove_prefix(scheme + 3);
    }
    std::size_t colon = name.rfind(':');
    bool bracketed_v6 = !name.empty() && name.front() == '[';
    if (colon != std::string_view::npos && (!bracketed_v6 || name.find(']') < colon)) {
        long long port = 0;
        std::string_view p = name.substr(colon + 1);
        if (!parse_number(p, port) || port < 1 || port > 65535) {
            return "The port number \"" + std::string(p) +
                   "\" is outside the appropriate range (i.e., 1..65535).";
        }
        c.server_port = static_cast<int>(port);
        name = name.substr(0, colon);
    }
    c.server_name = std::string(name);
    return std::nullopt;
}

CmdResult add_server_alias(Cmd& cmd, Args a) {
    if (!cmd.in_virtual_host()) {
        return std::string("ServerAlias only used in <VirtualHost>");
    }
    auto& c = srv(cmd);
    (a[0].find_first_of("*?") != std::string::npos ? c.wild_aliases : c.aliases).push_back(a[0]);
    return std::nullopt;
}

CmdResult set_access_file_names(Cmd& cmd, Args a) {
    if (a.empty()) {
        return std::string("AccessFileName requires at least one argument");
    }
    auto& c = srv(cmd);
    c.access_file_names.assign(a.begin(), a.end());
    c.access_file_name = a[0];
    return std::nullopt;
}

CmdResult set_error_log(Cmd& cmd, Args a) {
    const std::string& v = a[0];
    bool special = v.starts_with("|") || v.starts_with("syslog");
    srv(cmd).error_log = special ? v : cmd.server_root_relative(v);
    return std::nullopt;
}

// "LogLevel [module:]level ..." as httpd: levels emerg..debug and trace1..trace8.
CmdResult set_log_level(Cmd& cmd, Args a) {
    static constexpr std::string_view kLevels[] = {"emerg", "alert", "crit", "error", "warn", "notice",
                                                  "info", "debug", "trace1", "trace2", "trace3", "trace4",
                                                  "trace5", "trace6", "trace7", "trace8"};
    std::string joined;
    for (const std::string& word : a) {
        std::string_view level = word;
        if (auto colon = level.find(':'); colon != std::string_view::npos) {
            std::string module(level.substr(0, colon));
            level.remove_prefix(colon + 1);
            const auto& modules = cmd.engine().generation().modules;
            if (modules.find(module) == nullptr && modules.find(module + "_module") == nullptr) {
                return "Cannot find module '" + module + "'";
            }
        }
        bool known = false;
        for (std::string_view l : kLevels) {
            known = known || equals_nocase(l, level);
        }
        if (!known) {
            return std::string(
                "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8");
        }
        joined += (joined.empty() ? "" : " ") + word;
    }
    // Each LogLevel sets only what it names ("LogLevel rewrite:trace3" keeps
    // the default level an earlier one set): the words accumulate, the later
    // ones winning when parsed in order.
    auto& words = cmd.enclosing_section().empty() ? srv(cmd).log_level : dir(cmd).log_level;
    words = words ? *words + " " + joined : joined;
    return std::nullopt;
}

// LimitInternalRecursion redirects [nesting], with httpd's checks.
CmdResult set_recursion_limit(Cmd& cmd, Args a) {
    long long values[2] = {0, 0};
    for (std::size_t i = 0; i < a.size(); ++i) {
        values[i] = std::atoll(a[i].c_str());
        if (values[i] <= 0) {
            return std::string("The recursion limit must be greater than zero.");
        }
        if (values[i] < 4) {
            cmd.warn("Limiting internal redirects to very low numbers may cause normal requests to fail.");
        }
    }
    srv(cmd).limit_internal_redirects = static_cast<int>(std::min<long long>(values[0], 0x7fffffff));
    if (a.size() > 1) {
        srv(cmd).limit_subrequest_nesting = static_cast<int>(std::min<long long>(values[1], 0x7fffffff));
    }
    return std::nullopt;
}

template <std::optional<int> CoreServerConfig::*Member>
CmdResult set_request_limit(Cmd& cmd, Args a) {
    long long v = 0;
    if (!parse_number(a[0], v) || v < 0 || v > 0x7fffffff) {
        return std::string(cmd.spec().name) + " \"" + a[0] + "\" must be a non-negative integer" +
               (Member == &CoreServerConfig::limit_request_fields ? " (0 = no limit)" : "");
    }
    srv(cmd).*Member = static_cast<int>(v);
    return std::nullopt;
}

template <std::optional<std::uint64_t> CoreDirConfig::*Member>
CmdResult set_body_limit(Cmd& cmd, Args a) {
    unsigned long long v = 0;
    if (auto err = detail::parse_size(cmd.spec().name, a[0], v)) {
        return err;
    }
    dir(cmd).*Member = v;
    return std::nullopt;
}

// A keyword among fixed choices, case-insensitively, mapped to a Tristate.
CmdResult pick_tristate(Args a, std::string_view off, std::string_view on, std::string_view third,
                        std::optional<Tristate>& out, std::string error) {
    if (equals_nocase(a[0], off)) {
        out = Tristate::Off;
    } else if (equals_nocase(a[0], on)) {
        out = Tristate::On;
    } else if (!third.empty() && equals_nocase(a[0], third)) {
        out = Tristate::Third;
    } else {
        return error;
    }
    return std::nullopt;
}

CmdResult set_hostname_lookups(Cmd& cmd, Args a) {
    return pick_tristate(a, "off", "on", "double", dir(cmd).hostname_lookups,
                         "parameter must be 'on', 'off', or 'double'");
}
CmdResult set_use_canonical_name(Cmd& cmd, Args a) {
    return pick_tristate(a, "off", "on", "dns", dir(cmd).use_canonical_name,
                         "UseCanonicalName must be On, Off or DNS");
}
CmdResult set_server_signature(Cmd& cmd, Args a) {
    return pick_tristate(a, "off", "on", "email", dir(cmd).server_signature,
                         "ServerSignature: use one of: off | on | email");
}
CmdResult set_accept_path_info(Cmd& cmd, Args a) {
    return pick_tristate(a, "off", "on", "default", dir(cmd).accept_path_info,
                         "AcceptPathInfo must be set to on, off or default");
}
CmdResult set_trace_enable(Cmd& cmd, Args a) {
    return pick_tristate(a, "off", "on", "extended", srv(cmd).trace_enable,
                         "TraceEnable must be one of 'on', 'off', or 'extended'");
}
CmdResult set_allow_encoded_slashes(Cmd& cmd, Args a) {
    if (a.size() > 1) {
        return std::string("AllowEncodedSlashes must be On, Off, or NoDecode");
    }
    return pick_tristate(a, "off", "on", "nodecode", srv(cmd).allow_encoded_slashes,
                         "AllowEncodedSlashes must be On, Off, or NoDecode");
}

CmdResult set_add_default_charset(Cmd& cmd, Args a) {
    if (equals_nocase(a[0], "off")) {
        dir(cmd).add_default_charset = "Off";
    } else if (equals_nocase(a[0], "on")) {
        dir(cmd).add_default_charset = "ISO-8859-1";
    } else {
        dir(cmd).add_default_charset = a[0];
    }
    return std::nullopt;
}

CmdResult set_server_tokens(Cmd& cmd, Args a) {
    static constexpr std::pair<std::string_view, std::string_view> kTokens[] = {
        {"prod", "Prod"}, {"productonly", "Prod"}, {"major", "Major"}, {"minor", "Minor"},
        {"min", "Min"},   {"minimal", "Min"},      {"os", "OS"},       {"full", "Full"}};
    for (auto [word, canonical] : kTokens) {
        if (equals_nocase(a[0], word)) {
            srv(cmd).server_tokens = std::string(canonical);
            return std::nullopt;
        }
    }
    return std::string(
        "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'");
}

// Options [+|-]word ...: absolute and relative forms may not be mixed.
CmdResult set_options(Cmd& cmd, Args a) {
    static constexpr std::pair<std::string_view, unsigned> kOptions[] = {
        {"none", kOptNone},          {"indexes", kOptIndexes},
        {"includes", kOptIncludes | kOptIncWithExec},  {"includesnoexec", kOptIncludes},
        {"followsymlinks", kOptSymLinks}, {"symlinksifownermatch", kOptSymOwner},
        {"execcgi", kOptExecCgi},    {"multiviews", kOptMultiViews},
        {"all", kOptAll}};
    BitsSetting s;
    bool any_relative = false;
    bool any_absolute = false;
    for (const std::string& word : a) {
        std::string_view w = word;
        char sign = 0;
        if (!w.empty() && (w.front() == '+' || w.front() == '-')) {
            sign = w.front();
            w.remove_prefix(1);
        }
        (sign != 0 ? any_relative : any_absolute) = true;
        if (any_relative && any_absolute) {
            return std::string("Either all Options must start with + or -, or no Option may.");
        }
        std::optional<unsigned> bit;
        for (auto [name, value] : kOptions) {
            if (equals_nocase(w, name)) {
                bit = value;
            }
        }
        if (!bit) {
            return "Illegal option " + std::string(w);
        }
        // Every bit of the option must be allowed: Options=IncludesNOEXEC
        // does not let an access file turn on Includes (exec).
        if (*bit != kOptNone && (cmd.allowed_options() & *bit) != *bit) {
            return "Option " + std::string(w) + " not allowed here";
        }
        if (sign == '-') {
            s.remove |= *bit;
            s.add &= ~*bit;
        } else if (sign == '+') {
            s.add |= *bit;
            s.remove &= ~*bit;
        } else {
            s.value |= *bit;
        }
    }
    s.absolute = any_absolute;
    dir(cmd).options = s;
    return std::nullopt;
}

CmdResult set_allow_override(Cmd& cmd, Args a) {
    static constexpr std::pair<std::string_view, unsigned> kClasses[] = {
        {"limit", kOrLimit},     {"options", kOrOptions}, {"fileinfo", kOrFileInfo},
        {"authconfig", kOrAuthCfg}, {"indexes", kOrIndexes}};
    if (cmd.enclosing_section() != "<Directory" && cmd.enclosing_section() != "<DirectoryMatch") {
        cmd.warn("Useless use of AllowOverride in line " + std::to_string(cmd.node().line) + " of " +
                 *cmd.node().file + ".");
        return std::nullopt;
    }
    OverrideSetting s;
    for (const std::string& word : a) {
        std::string_view w = word;
        if (equals_nocase(w, "none")) {
            s.classes = 0;
            continue;
        }
        if (equals_nocase(w, "all")) {
            s.classes = kOrAll;
            continue;
        }
        if (equals_nocase(w, "nonfatal=override")) {
            s.nonfatal_override = true;
            continue;
        }
        if (equals_nocase(w, "nonfatal=unknown")) {
            s.nonfatal_unknown = true;
            continue;
        }
        if (equals_nocase(w, "nonfatal=all")) {
            s.nonfatal_override = s.nonfatal_unknown = true;
            continue;
        }
        if (starts_with_nocase(w, "options=")) {
            unsigned opts = 0;
            std::string_view list = w.substr(8);
            while (!list.empty()) {
                std::size_t comma = list.find(',');
                std::string_view o = list.substr(0, comma);
                if (equals_nocase(o, "all")) {
                    opts |= kOptAll;
                } else if (equals_nocase(o, "indexes")) {
                    opts |= kOptIndexes;
                } else if (equals_nocase(o, "includes")) {
                    opts |= kOptIncludes | kOptIncWithExec;
                } else if (equals_nocase(o, "includesnoexec")) {
                    opts |= kOptIncludes;
                } else if (equals_nocase(o, "followsymlinks")) {
                    opts |= kOptSymLinks;
                } else if (equals_nocase(o, "symlinksifownermatch")) {
                    opts |= kOptSymOwner;
                } else if (equals_nocase(o, "execcgi")) {
                    opts |= kOptExecCgi;
                } else if (equals_nocase(o, "multiviews")) {
                    opts |= kOptMultiViews;
                } else {
                    return "Illegal option " + std::string(o);
                }
                list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
            }
            s.classes |= kOrOptions;
            s.options = opts;
            continue;
        }
        bool known = false;
        for (auto [name, bit] : kClasses) {
            if (equals_nocase(w, name)) {
                s.classes |= bit;
                known = true;
            }
        }
        if (!known) {
            return "Illegal override option " + std::string(w);
        }
    }
    dir(cmd).allow_override = s;
    return std::nullopt;
}

CmdResult set_allow_override_list(Cmd& cmd, Args a) {
    std::vector<std::string> names;
    if (!(a.size() == 1 && equals_nocase(a[0], "none"))) {
        names.assign(a.begin(), a.end());
    }
    dir(cmd).allow_override_list = std::move(names);
    return std::nullopt;
}

CmdResult set_file_etag(Cmd& cmd, Args a) {
    static constexpr std::pair<std::string_view, unsigned> kParts[] = {
        {"inode", 1}, {"mtime", 2}, {"size", 4}, {"digest", 8}, {"all", 7}, {"none", 0}};
    BitsSetting s;
    bool any_relative = false;
    bool any_absolute = false;
    for (const std::string& word : a) {
        std::string_view w = word;
        char sign = 0;
        if (!w.empty() && (w.front() == '+' || w.front() == '-')) {
            sign = w.front();
            w.remove_prefix(1);
        }
        std::optional<unsigned> bit;
        for (auto [name, value] : kParts) {
            if (equals_nocase(w, name)) {
                bit = value;
            }
        }
        if (!bit || (sign != 0 && (equals_nocase(w, "all") || equals_nocase(w, "none")))) {
            return "Unknown keyword '" + word + "' for FileETag directive";
        }
        (sign != 0 ? any_relative : any_absolute) = true;
        if (sign == '-') {
            s.remove |= *bit;
        } else if (sign == '+') {
            s.add |= *bit;
        } else {
            s.value |= *bit;
        }
    }
    if (any_relative && any_absolute) {
        return std::string("FileETag: cannot mix absolute keywords with +/- keywords");
    }
    s.absolute = any_absolute;
    dir(cmd).file_etag = s;
    return std::nullopt;
}

bool known_status(long long code) {
    static constexpr int kCodes[] = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                                     300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405,
                                     406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
                                     422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
                                     505, 506, 507, 508, 510, 511};
    for (int c : kCodes) {
        if (c == code) {
            return true;
        }
    }
    return false;
}

CmdResult set_error_document(Cmd& cmd, Args a) {
    long long code = 0;
    if (!parse_number(a[0], code) || !known_status(code)) {
        return "Unsupported HTTP response code " + a[0];
    }
    if (code < 400 && code != 300 && code != 301 && code != 302) {
        return "Unsupported HTTP response code " + a[0];
    }
    dir(cmd).error_documents[static_cast<int>(code)] = a[1];
    return std::nullopt;
}

CmdResult set_max_ranges(Cmd& cmd, Args a) {
    int v = 0;
    if (equals_nocase(a[0], "none")) {
        v = -1;
    } else if (equals_nocase(a[0], "default")) {
        v = -2;
    } else if (equals_nocase(a[0], "unlimited")) {
        v = 0;
    } else {
        long long n = 0;
        if (!parse_number(a[0], n) || n < 1 || n > 0x7fffffff) {
            return std::string(cmd.spec().name) + " must be 'none', 'default', 'unlimited' or a positive integer";
        }
        v = static_cast<int>(n);
    }
    std::string_view name = cmd.spec().name;
    auto& d = dir(cmd);
    (name == "MaxRanges" ? d.max_ranges : name == "MaxRangeOverlaps" ? d.max_range_overlaps : d.max_range_reversals) = v;
    return std::nullopt;
}

// Listen [addr:]port [protocol]
CmdResult add_listener(Cmd& cmd, Args a) {
    if (a.empty() || a.size() > 2) {
        return std::string("Listen requires 1 or 2 arguments.");
    }
    std::string_view spec = a[0];
    Listener l;
    std::string_view port_text;
    if (!spec.empty() && spec.front() == '[') {
        std::size_t close = spec.find(']');
        if (close == std::string_view::npos) {
            return std::string("Invalid address or port");
        }
        l.host = std::string(spec.substr(1, close - 1));
        if (close + 1 >= spec.size() || spec[close + 1] != ':') {
            return std::string("Port must be specified");
        }
        port_text = spec.substr(close + 2);
    } else if (auto colon = spec.rfind(':'); colon != std::string_view::npos) {
        if (spec.find(':') != colon) {
            return std::string("Invalid address or port");  // bare IPv6 needs brackets
        }
        l.host = std::string(spec.substr(0, colon));
        port_text = spec.substr(colon + 1);
    } else {
        port_text = spec;
    }
    long long port = 0;
    bool digits = !port_text.empty() && port_text.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits) {
        return std::string("Port must be specified");
    }
    if (!parse_number(port_text, port) || port < 1 || port > 65535) {
        return std::string("Invalid address or port");
    }
    l.port = static_cast<int>(port);
    if (a.size() == 2) {
        l.protocol = to_lower(a[1]);
    }
    l.file = cmd.node().file;
    l.line = cmd.node().line;
    srv(cmd).listeners.push_back(std::move(l));
    return std::nullopt;
}

CmdResult set_mutex(Cmd& cmd, Args a) {
    static constexpr std::string_view kMechs[] = {"none", "default", "flock", "fcntl", "file", "pthread",
                                                  "sysvsem", "posixsem", "sem", "yes", "no"};
    if (a.empty()) {
        return std::string("Mutex requires at least one argument");
    }
    std::string_view spec = a[0];
    std::string_view mech = spec.substr(0, spec.find(':'));
    std::string path = spec.find(':') == std::string_view::npos ? "" : std::string(spec.substr(spec.find(':') + 1));
    bool known = false;
    for (std::string_view m : kMechs) {
        known = known || equals_nocase(m, mech);
    }
    if (!known) {
        return "Invalid Mutex argument " + std::string(spec) +
               " (Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', "
               "'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')";
    }
    MutexSetting m{to_lower(mech), path.empty() ? path : cmd.server_root_relative(path)};
    if (m.mechanism == "yes") {
        m.mechanism = "default";
    } else if (m.mechanism == "no") {
        m.mechanism = "none";
    }
    // The event MPM takes no accept mutex, and httpd's refuses one.
    const Module* mpm = cmd.engine().generation().mpm;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (equals_nocase(a[i], "mpm-accept") && (mpm == nullptr || mpm == &mpm_event_module)) {
            return std::string("Mutex type mpm-accept is not valid");
        }
    }
    auto& mutexes = srv(cmd).mutexes;
    if (a.size() == 1) {
        mutexes["default"] = m;
    }
    for (std::size_t i = 1; i < a.size(); ++i) {
        mutexes[a[i]] = m;
    }
    return std::nullopt;
}

CmdResult set_protocols(Cmd& cmd, Args a) {
    std::vector<std::string> list;
    for (const std::string& p : a) {
        list.push_back(to_lower(p));
    }
    srv(cmd).protocols = std::move(list);
    return std::nullopt;
}

CmdResult set_http_protocol_options(Cmd& cmd, Args a) {
    static constexpr std::string_view kWords[] = {"strict", "unsafe", "registeredmethods",
                                                  "lenientmethods", "allow0.9", "require1.0"};
    std::string joined;
    for (const std::string& w : a) {
        bool ok = false;
        for (std::string_view k : kWords) {
            ok = ok || equals_nocase(k, w);
        }
        if (!ok) {
            return "HttpProtocolOptions does not support " + w;
        }
        joined += (joined.empty() ? "" : " ") + w;
        if (equals_nocase(w, "require1.0")) {
            srv(cmd).require_http10 = true;
        } else if (equals_nocase(w, "allow0.9")) {
            srv(cmd).require_http10 = false;
        } else if (equals_nocase(w, "unsafe")) {
            srv(cmd).protocol_unsafe = true;
        } else if (equals_nocase(w, "strict")) {
            srv(cmd).protocol_unsafe = false;
        } else if (equals_nocase(w, "registeredmethods")) {
            srv(cmd).registered_methods_only = true;
        } else if (equals_nocase(w, "lenientmethods")) {
            srv(cmd).registered_methods_only = false;
        }
    }
    srv(cmd).http_protocol_options = joined;
    return std::nullopt;
}

// httpd's method registry is global: a method named here counts as registered
// (RegisteredMethods) and can be limited by <Limit> like one <Limit> met first.
CmdResult register_http_method(Cmd& cmd, Args a) {
    auto& known = srv(cmd).registered_methods;
    for (const std::string& m : a) {
        if (http::method_number(m) >= 0 || std::find(known.begin(), known.end(), m) != known.end()) {
            continue;
        }
        if (http::kFirstExtensionMethod + static_cast<int>(known.size()) >= http::kMethodLimit) {
            return "Maximum new request methods reached while registering method " + m + ".";
        }
        known.push_back(m);
    }
    return std::nullopt;
}

CmdResult set_max_connections_per_child(Cmd& cmd, Args a) {
    long long v = 0;
    if (!parse_number(a[0], v) || v < 0 || v > 0x7fffffff) {
        return std::string(cmd.spec().name) + " must be a non-negative integer";
    }
    srv(cmd).max_connections_per_child = static_cast<int>(v);
    return std::nullopt;
}

CmdResult generate_error(Cmd&, Args a) { return a[0]; }

CmdResult set_server_admin(Cmd& cmd, Args a) {
    srv(cmd).server_admin = a[0];
    return std::nullopt;
}

CmdResult set_pid_file(Cmd& cmd, Args a) {
    srv(cmd).pid_file = cmd.server_root_relative(a[0]);
    return std::nullopt;
}

CmdResult set_default_runtime_dir(Cmd& cmd, Args a) {
    std::string path = cmd.server_root_relative(a[0]);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return std::string("DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot");
    }
    srv(cmd).default_runtime_dir = path;
    return std::nullopt;
}

template <std::optional<bool> CoreDirConfig::*Member>
CmdResult dir_flag(Cmd& cmd, Args a) {
    dir(cmd).*Member = a[0] == "On";
    return std::nullopt;
}

template <std::optional<bool> CoreServerConfig::*Member>
CmdResult server_flag(Cmd& cmd, Args a) {
    srv(cmd).*Member = a[0] == "On";
    return std::nullopt;
}

template <std::optional<std::string> CoreDirConfig::*Member>
CmdResult dir_string(Cmd& cmd, Args a) {
    std::string joined;
    for (const std::string& w : a) {
        joined += (joined.empty() ? "" : ";") + w;
    }
    dir(cmd).*Member = joined;
    return std::nullopt;
}

CmdResult set_server_path(Cmd& cmd, Args a) {
    srv(cmd).server_path = a[0];
    return std::nullopt;
}

CmdResult set_error_log_format(Cmd& cmd, Args a) {
    srv(cmd).error_log_format = a.back();
    return std::nullopt;
}

// Directive help strings are Sonora's own wording.
constexpr unsigned kAnywhere = kRsrcConf | kAccessConf;

const DirectiveSpec kCoreDirectives[] = {
    // Sections.
    {"<Directory", ArgForm::RawArgs, kRsrcConf, 0, ConfLevel::Dir, directory_section,
     "Directives that apply to a filesystem directory and below"},
    {"<DirectoryMatch", ArgForm::RawArgs, kRsrcConf, 0, ConfLevel::Dir, directory_section,
     "Directives that apply to directories matching a regular expression"},
    {"<Location", ArgForm::RawArgs, kRsrcConf, 0, ConfLevel::Dir, location_section,
     "Directives that apply to a URL path and below"},
    {"<LocationMatch", ArgForm::RawArgs, kRsrcConf, 0, ConfLevel::Dir, location_section,
     "Directives that apply to URL paths matching a regular expression"},
    {"<Files", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, files_section,
     "Directives that apply to files whose name matches"},
    {"<FilesMatch", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, files_section,
     "Directives that apply to files whose name matches a regular expression"},
    {"<If", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, if_section,
     "Directives that apply when an expression is true at request time"},
    {"<ElseIf", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, if_section,
     "Directives that apply when the preceding <If> failed and this expression holds"},
    {"<Else", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, if_section,
     "Directives that apply when the preceding <If>/<ElseIf> conditions all failed"},
    {"<Limit", ArgForm::RawArgs, kAccessConf | kOrLimit | kOrAuthCfg, 0, ConfLevel::Dir, limit_section,
     "Access control that applies to the listed HTTP methods only"},
    {"<LimitExcept", ArgForm::RawArgs, kAccessConf | kOrLimit | kOrAuthCfg, 0, ConfLevel::Dir, limit_section,
     "Access control that applies to all HTTP methods but the listed ones"},
    {"<VirtualHost", ArgForm::RawArgs, kRsrcConf, kGlobalOnly, ConfLevel::Server, virtualhost_section,
     "Directives for a virtual host, named by one or more addresses"},
    // Read-time conditionals and inclusion.
    {"<IfModule", ArgForm::RawArgs, kOrAll | kAnywhere | kExecOnRead, 0, ConfLevel::Dir, ifmodule_section,
     "Directives read only if the named module is (or with !, is not) loaded"},
    {"<IfDefine", ArgForm::RawArgs, kOrAll | kAnywhere | kExecOnRead, 0, ConfLevel::Dir, ifdefine_section,
     "Directives read only if the name is (or with !, is not) defined"},
    {"<IfFile", ArgForm::RawArgs, kOrAll | kAnywhere | kExecOnRead, 0, ConfLevel::Dir, iffile_section,
     "Directives read only if the path exists (or with !, does not)"},
    {"<IfDirective", ArgForm::RawArgs, kOrAll | kAnywhere | kExecOnRead, 0, ConfLevel::Dir, ifdirective_section,
     "Directives read only if the named directive is (or with !, is not) available"},
    {"<IfSection", ArgForm::RawArgs, kOrAll | kAnywhere | kExecOnRead, 0, ConfLevel::Dir, ifsection_section,
     "Directives read only if the named section is (or with !, is not) available"},
    {"Include", ArgForm::Take1, kAnywhere | kExecOnRead, 0, ConfLevel::Dir, include_files,
     "Files to read here (wildcards allowed); an error if nothing matches"},
    {"IncludeOptional", ArgForm::Take1, kAnywhere | kExecOnRead, 0, ConfLevel::Dir, include_files,
     "Files to read here (wildcards allowed); nothing matching is not an error"},
    {"Define", ArgForm::Take12, kAnywhere | kExecOnRead, 0, ConfLevel::Dir, define_var,
     "Defines a name, with an optional value for ${name}; as -D on the command line"},
    {"UnDefine", ArgForm::Take1, kAnywhere | kExecOnRead, 0, ConfLevel::Dir, undefine_var,
     "Removes a name set by Define or -D"},
    {"ServerRoot", ArgForm::Take1, kRsrcConf | kExecOnRead, kGlobalOnly, ConfLevel::Server, set_server_root,
     "The directory relative paths in the configuration start from"},
    // Server-level settings.
    {"DocumentRoot", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_document_root,
     "The directory that URLs map into"},
    {"ServerName", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_server_name,
     "The server's host name, with optional scheme and port"},
    {"ServerAlias", ArgForm::Iterate, kRsrcConf, 0, ConfLevel::Server, add_server_alias,
     "Further names of this virtual host (wildcards allowed)"},
    {"ServerAdmin", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_server_admin,
     "Contact address shown on error pages"},
    {"ServerPath", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_server_path,
     "Legacy URL path prefix that selects a name-based virtual host"},
    {"AccessFileName", ArgForm::TakeArgv, kRsrcConf, 0, ConfLevel::Server, set_access_file_names,
     "Names of per-directory configuration files (.htaccess)"},
    {"ErrorLog", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_error_log,
     "Error log: a file, |program, or syslog[:facility]"},
    {"ErrorLogFormat", ArgForm::Take12, kRsrcConf, 0, ConfLevel::Server, set_error_log_format,
     "Layout of error log lines"},
    {"LogLevel", ArgForm::Iterate, kAnywhere, 0, ConfLevel::Server, set_log_level,
     "Error log verbosity, globally and per module: [module:]level"},
    {"Timeout", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_timeout,
     "Seconds (or a number with unit ms, s, mi, h) to wait for network I/O"},
    {"LimitRequestLine", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_request_limit<&CoreServerConfig::limit_request_line>, "Maximum request line length, in bytes"},
    {"LimitRequestFieldsize", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_request_limit<&CoreServerConfig::limit_request_fieldsize>, "Maximum request header line length, in bytes"},
    {"LimitRequestFields", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_request_limit<&CoreServerConfig::limit_request_fields>, "Maximum number of request header lines"},
    {"TraceEnable", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_trace_enable,
     "Whether TRACE requests are answered: on, off or extended"},
    {"AllowEncodedSlashes", ArgForm::Take12, kRsrcConf, 0, ConfLevel::Server, set_allow_encoded_slashes,
     "Whether %2F is allowed in URL paths: On, Off or NoDecode"},
    {"MergeSlashes", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server, server_flag<&CoreServerConfig::merge_slashes>,
     "Whether consecutive slashes in URL paths are merged"},
    {"StrictHostCheck", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server,
     server_flag<&CoreServerConfig::strict_host_check>, "Whether an unknown Host is refused"},
    {"MergeTrailers", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server, server_flag<&CoreServerConfig::merge_trailers>,
     "Whether request trailers are merged into the headers"},
    {"HttpProtocolOptions", ArgForm::Iterate, kRsrcConf, 0, ConfLevel::Server, set_http_protocol_options,
     "Strictness of the HTTP/1 parser: Strict|Unsafe RegisteredMethods|LenientMethods Allow0.9|Require1.0"},
    {"Protocols", ArgForm::Iterate, kRsrcConf, 0, ConfLevel::Server, set_protocols,
     "Protocols offered, in order of preference: http/1.1, h2, h2c"},
    {"ProtocolsHonorOrder", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server, not_yet_effective,
     "Whether the server's protocol order beats the client's"},
    {"Listen", ArgForm::TakeArgv, kRsrcConf, kGlobalOnly, ConfLevel::Server, add_listener,
     "An address and port to accept connections on, optionally with a protocol"},
    {"PidFile", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_pid_file,
     "File the parent process writes its process id into"},
    {"ServerTokens", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_server_tokens,
     "How much the Server header tells: Prod, Major, Minor, Min, OS or Full"},
    {"Mutex", ArgForm::TakeArgv, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_mutex,
     "Mechanism and lock file of a named mutex (or the default one)"},
    {"DefaultRuntimeDir", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_default_runtime_dir,
     "Directory for runtime files (locks, sockets)"},
    {"ExtendedStatus", ArgForm::Flag, kRsrcConf, kGlobalOnly, ConfLevel::Server,
     server_flag<&CoreServerConfig::extended_status>, "Whether per-request status is kept for server-status"},
    {"MaxConnectionsPerChild", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server,
     set_max_connections_per_child, "Connections a child serves before it is replaced (0 = never)"},
    {"MaxRequestsPerChild", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server,
     set_max_connections_per_child, "Old name of MaxConnectionsPerChild"},
    // Per-directory settings.
    {"Options", ArgForm::TakeArgv, kOrOptions, 0, ConfLevel::Dir, set_options, "Features enabled for a directory: [+|-]Indexes, FollowSymLinks, ExecCGI ..."},
    {"AllowOverride", ArgForm::TakeArgv, kAccessConf, 0, ConfLevel::Dir, set_allow_override,
     "Directive classes allowed in .htaccess: None, All, AuthConfig, FileInfo, Indexes, Limit, Options[=...]"},
    {"AllowOverrideList", ArgForm::TakeArgv, kAccessConf, 0, ConfLevel::Dir, set_allow_override_list,
     "Individual directives allowed in .htaccess"},
    {"HostnameLookups", ArgForm::Take1, kAnywhere, 0, ConfLevel::Dir, set_hostname_lookups,
     "Whether client addresses are resolved to names: On, Off or Double"},
    {"UseCanonicalName", ArgForm::Take1, kAnywhere, 0, ConfLevel::Dir, set_use_canonical_name,
     "How self-referential URLs get their host: On, Off or DNS"},
    {"UseCanonicalPhysicalPort", ArgForm::Flag, kAnywhere, 0, ConfLevel::Dir,
     dir_flag<&CoreDirConfig::use_canonical_phys_port>, "Whether self-referential URLs use the connection's port"},
    {"ContentDigest", ArgForm::Flag, kOrOptions, 0, ConfLevel::Dir, dir_flag<&CoreDirConfig::content_digest>,
     "Whether a Content-MD5 header is sent (not supported: accepted for compatibility)"},
    {"EnableMMAP", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir, dir_flag<&CoreDirConfig::enable_mmap>,
     "Whether file contents may be memory-mapped"},
    {"EnableSendfile", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir, dir_flag<&CoreDirConfig::enable_sendfile>,
     "Whether file bodies are sent with sendfile(2)"},
    {"AddDefaultCharset", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, set_add_default_charset,
     "Charset added to text/plain and text/html responses without one: On, Off or a charset"},
    {"AcceptPathInfo", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, set_accept_path_info,
     "Whether trailing path information after a file name is accepted: on, off or default"},
    {"FileETag", ArgForm::TakeArgv, kOrFileInfo, 0, ConfLevel::Dir, set_file_etag,
     "File attributes the ETag is made of: INode MTime Size Digest All None, or +/- each"},
    {"ErrorDocument", ArgForm::Take2, kOrFileInfo, 0, ConfLevel::Dir, set_error_document,
     "What is sent for an error status: a local URL, an external URL or a text"},
    {"LimitRequestBody", ArgForm::Take1, kRsrcConf | kOrAll, 0, ConfLevel::Dir,
     set_body_limit<&CoreDirConfig::limit_request_body>, "Maximum request body size in bytes (0 = no limit)"},
    {"LimitXMLRequestBody", ArgForm::Take1, kRsrcConf | kOrAll, 0, ConfLevel::Dir,
     set_body_limit<&CoreDirConfig::limit_xml_request_body>, "Maximum XML request body size in bytes"},
    {"ServerSignature", ArgForm::Take1, kOrAll, 0, ConfLevel::Dir, set_server_signature,
     "Footer line on server-made pages: On, Off or EMail"},
    {"MaxRanges", ArgForm::Take1, kAnywhere, 0, ConfLevel::Dir, set_max_ranges,
     "Most ranges served in one request before the whole file is sent"},
    {"MaxRangeOverlaps", ArgForm::Take1, kAnywhere, 0, ConfLevel::Dir, set_max_ranges,
     "Most overlapping ranges served before the whole file is sent"},
    {"MaxRangeReversals", ArgForm::Take1, kAnywhere, 0, ConfLevel::Dir, set_max_ranges,
     "Most out-of-order ranges served before the whole file is sent"},
    {"ForceType", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, dir_string<&CoreDirConfig::force_type>,
     "Media type given to every file here"},
    {"SetHandler", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, dir_string<&CoreDirConfig::set_handler>,
     "Handler that serves every request here"},
    {"SetOutputFilter", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, dir_string<&CoreDirConfig::output_filters>,
     "Output filters applied to every response here"},
    {"SetInputFilter", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, dir_string<&CoreDirConfig::input_filters>,
     "Input filters applied to every request body here"},
    {"CGIPassAuth", ArgForm::Flag, kAccessConf | kOrAuthCfg, 0, ConfLevel::Dir,
     dir_flag<&CoreDirConfig::cgi_pass_auth>, "Whether Authorization is passed to CGI scripts"},
    {"QualifyRedirectURL", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir,
     dir_flag<&CoreDirConfig::qualify_redirect_url>, "Whether REDIRECT_URL is a full URL"},
    {"Error", ArgForm::Take1, kOrAll | kAnywhere, 0, ConfLevel::Dir, generate_error,
     "Stops reading the configuration with this message"},
    // Known, accepted, not yet effective.
    {"DefaultType", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, not_yet_effective,
     "Obsolete since 2.3; only 'none' is meaningful"},
    {"CGIVar", ArgForm::Take2, kOrFileInfo, 0, ConfLevel::Dir, set_cgi_var, "Controls how some CGI variables are set"},
    {"RLimitCPU", ArgForm::Take12, kRsrcConf | kOrAll, 0, ConfLevel::Dir, set_rlimit<&CoreDirConfig::rlimit_cpu>,
     "CPU seconds limit of processes the server starts"},
    {"RLimitMEM", ArgForm::Take12, kRsrcConf | kOrAll, 0, ConfLevel::Dir, set_rlimit<&CoreDirConfig::rlimit_mem>,
     "Memory limit of processes the server starts"},
    {"RLimitNPROC", ArgForm::Take12, kRsrcConf | kOrAll, 0, ConfLevel::Dir,
     set_rlimit<&CoreDirConfig::rlimit_nproc>, "Process count limit of processes the server starts"},
    {"ReadBufferSize", ArgForm::Take1, kAnywhere, 0, ConfLevel::Server, not_yet_effective,
     "Size of the buffers reads use"},
    {"FlushMaxThreshold", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, not_yet_effective,
     "Pending output bytes that force a blocking write"},
    {"FlushMaxPipelined", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, not_yet_effective,
     "Pending pipelined responses that force a blocking write"},
    {"Protocol", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, not_yet_effective,
     "Protocol of a listening socket"},
    {"AcceptFilter", ArgForm::Take2, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Kernel accept filter per protocol"},
    {"Port", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     [](Cmd&, Args) -> CmdResult { return std::string("Port was replaced with Listen in Apache 2.0"); },
     "Removed: use Listen"},
    {"NameVirtualHost", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     [](Cmd& cmd, Args) -> CmdResult {
         cmd.warn("NameVirtualHost has no effect and will be removed in the next release " +
                  *cmd.node().file + ":" + std::to_string(cmd.node().line));
         return std::nullopt;
     },
     "Obsolete: name-based virtual hosts need no declaration"},
    {"RegexDefaultOptions", ArgForm::TakeArgv, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Default PCRE options of configuration regexes"},
    {"LimitInternalRecursion", ArgForm::Take12, kRsrcConf, 0, ConfLevel::Server, set_recursion_limit,
     "Depth limit of internal redirects and subrequests"},
    {"ScoreBoardFile", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "File of the scoreboard when it is not anonymous shared memory"},
    {"SeeRequestTail", ArgForm::Flag, kRsrcConf, kGlobalOnly, ConfLevel::Server,
     server_flag<&CoreServerConfig::see_request_tail>, "Whether server-status shows the end of long request lines"},
    {"CoreDumpDirectory", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Directory core dumps are written to"},
    {"MaxMemFree", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Free memory an allocator keeps"},
    {"ThreadStackSize", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Stack size of worker threads"},
    {"RegisterHttpMethod", ArgForm::Iterate, kRsrcConf, kGlobalOnly, ConfLevel::Server, register_http_method,
     "Extra HTTP methods the parser accepts with RegisteredMethods"},
    {"EnableExceptionHook", ArgForm::Flag, kRsrcConf, kGlobalOnly, ConfLevel::Server, not_yet_effective,
     "Whether a crash hook runs"},
};

}  // namespace

std::span<const DirectiveSpec> core_directives() { return kCoreDirectives; }

}  // namespace sonora::modules::core
