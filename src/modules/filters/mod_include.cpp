// httpd's mod_include: the directive table and configuration. The engine that
// parses documents is src/modules/filters/include/; the INCLUDES filter that
// drives it is mod_include_filter.cpp.

#include "modules/filters/mod_include.h"

#include "core/strings.h"

#include <sonora/directive.h>

#include <span>
#include <string>

namespace sonora::modules::filters {

namespace {

CmdResult set_xbithack(Cmd& cmd, std::span<const std::string> args) {
    auto& conf = cmd.conf<IncludeDirConfig>();
    if (equals_nocase(args[0], "off")) {
        conf.xbithack = XBitHack::Off;
    } else if (equals_nocase(args[0], "on")) {
        conf.xbithack = XBitHack::On;
    } else if (equals_nocase(args[0], "full")) {
        conf.xbithack = XBitHack::Full;
    } else {
        return "XBitHack must be set to Off, On, or Full";
    }
    return std::nullopt;
}

template <auto Member>
CmdResult set_tag(Cmd& cmd, std::span<const std::string> args) {
    for (const char c : args[0]) {
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            return std::string(cmd.spec().name) + " may not contain any whitespaces";
        }
    }
    cmd.conf<IncludeServerConfig>().*Member = args[0];
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"XBitHack", ArgForm::Take1, kOrOptions, 0, ConfLevel::Dir, set_xbithack, "Off, On, or Full"},
    {"SSIErrorMsg", ArgForm::Take1, kOrAll, 0, ConfLevel::Dir, set_string<&IncludeDirConfig::error_msg>,
     "a string"},
    {"SSITimeFormat", ArgForm::Take1, kOrAll, 0, ConfLevel::Dir, set_string<&IncludeDirConfig::time_fmt>,
     "a strftime(3) formatted string"},
    {"SSIStartTag", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_tag<&IncludeServerConfig::start_tag>,
     "SSI Start String Tag"},
    {"SSIEndTag", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_tag<&IncludeServerConfig::end_tag>,
     "SSI End String Tag"},
    {"SSIUndefinedEcho", ArgForm::Take1, kOrAll, 0, ConfLevel::Dir, set_string<&IncludeDirConfig::undefined_echo>,
     "String to be displayed if an echoed variable is undefined"},
    {"SSILegacyExprParser", ArgForm::Flag, kOrLimit, 0, ConfLevel::Dir, set_flag<&IncludeDirConfig::legacy_expr>,
     "Whether to use the legacy expression parser compatible with <= 2.2.x. Limited to 'on' or 'off'"},
    {"SSILastModified", ArgForm::Flag, kOrLimit, 0, ConfLevel::Dir, set_flag<&IncludeDirConfig::last_modified>,
     "Whether to set the last modified header or respect an existing header. Limited to 'on' or 'off'"},
    {"SSIEtag", ArgForm::Flag, kOrLimit, 0, ConfLevel::Dir, set_flag<&IncludeDirConfig::etag>,
     "Whether to allow the generation of ETags within the server. Existing ETags will be preserved. Limited to "
     "'on' or 'off'"},
};

template <class T>
std::optional<T> pick(const std::optional<T>& base, const std::optional<T>& add) {
    return add ? add : base;
}

}  // namespace

IncludeDirConfig IncludeDirConfig::merge(const IncludeDirConfig& base, const IncludeDirConfig& add) {
    IncludeDirConfig out;
    out.error_msg = pick(base.error_msg, add.error_msg);
    out.time_fmt = pick(base.time_fmt, add.time_fmt);
    out.undefined_echo = pick(base.undefined_echo, add.undefined_echo);
    out.xbithack = pick(base.xbithack, add.xbithack);
    out.last_modified = pick(base.last_modified, add.last_modified);
    out.etag = pick(base.etag, add.etag);
    out.legacy_expr = pick(base.legacy_expr, add.legacy_expr);
    return out;
}

ssi::Settings ssi_settings(const IncludeDirConfig* dir, const IncludeServerConfig* server, bool includes_noexec,
                           bool exec_available) {
    ssi::Settings s;
    if (server != nullptr) {
        s.start_tag = server->start_tag.value_or(s.start_tag);
        s.end_tag = server->end_tag.value_or(s.end_tag);
    }
    if (dir != nullptr) {
        s.error_msg = dir->error_msg.value_or(s.error_msg);
        s.time_fmt = dir->time_fmt.value_or(s.time_fmt);
        s.undefined_echo = dir->undefined_echo.value_or(s.undefined_echo);
        s.legacy_expr = dir->legacy_expr.value_or(false);
    }
    s.no_exec = includes_noexec;
    s.exec_available = exec_available;
    return s;
}

Module include_module{
    .name = "include_module",
    .source = "mod_include.c",
    .directives = kDirectives,
    .dir_config = config_ops<IncludeDirConfig>(),
    .server_config = config_ops<IncludeServerConfig>(),
    .register_hooks = include_register_hooks,
};

}  // namespace sonora::modules::filters
