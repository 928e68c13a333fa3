// httpd's mod_alias: Alias, ScriptAlias, AliasMatch, ScriptAliasMatch,
// Redirect, RedirectMatch, RedirectTemp, RedirectPermanent, RedirectRelative,
// AliasPreservePath. Parsed and stored here (patterns compiled with PCRE2,
// one-argument targets parsed as ap_expr strings); the redirects take effect
// in mod_alias_redirect.cpp, the mappings in mod_alias_map.cpp.

#include "modules/mappers/mod_alias.h"

#include "config/engine.h"
#include "core/strings.h"
#include "expr/parser.h"

#include <initializer_list>

namespace sonora::modules::mappers {

namespace {

using Args = std::span<const std::string>;

constexpr std::string_view kDirSections[] = {
    "<Directory", "<DirectoryMatch", "<Location", "<LocationMatch", "<Files", "<FilesMatch",
    "<If",        "<ElseIf",         "<Else"};

// The innermost enclosing section among `names`, or null.
const ConfigNode* enclosing(const Cmd& cmd, std::span<const std::string_view> names) {
    for (const config::Scope* s = &cmd.scope(); s != nullptr; s = s->parent) {
        if (s->section == nullptr) {
            continue;
        }
        for (std::string_view n : names) {
            if (equals_nocase(s->section->directive, n)) {
                return s->section;
            }
        }
    }
    return nullptr;
}

// httpd's "cmd->path is set": the directive stands in a per-directory section.
bool in_dir_section(const Cmd& cmd) {
    return enclosing(cmd, kDirSections) != nullptr;
}

// Not inside <Directory>, <Files> or <If> (httpd checks these in the handler,
// after the argument count).
CmdResult not_in_directory_or_files(const Cmd& cmd) {
    constexpr std::string_view kDirectory[] = {"<Directory", "<DirectoryMatch"};
    constexpr std::string_view kFiles[] = {"<Files", "<FilesMatch", "<If", "<ElseIf", "<Else"};
    const ConfigNode* found = enclosing(cmd, kDirectory);
    if (found == nullptr) {
        found = enclosing(cmd, kFiles);
    }
    if (found != nullptr) {
        return std::string(cmd.spec().name) + " cannot occur within " + found->directive +
               "> section";
    }
    return std::nullopt;
}

bool is_redirect_status(int status) {
    return status >= 300 && status <= 399;
}

// Leading decimal digits, as C's atoi reads them (clamped far above any status).
int leading_number(std::string_view s) {
    long long n = 0;
    for (std::size_t i = 0; i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 100000; ++i) {
        n = n * 10 + (s[i] - '0');
    }
    return static_cast<int>(n);
}

std::optional<std::shared_ptr<const expr::Expr>> parse_target(std::string_view text,
                                                              std::string& error) {
    auto result = expr::parse(text, expr::ParseMode::String);
    if (!result.ok()) {
        error = result.error().message;
        return std::nullopt;
    }
    return std::make_shared<const expr::Expr>(std::move(result).value());
}

std::string handler_of(const Cmd& cmd) {
    return starts_with_nocase(cmd.spec().name, "Script") ? std::string(kCgiScriptHandler)
                                                         : std::string();
}

CmdResult add_alias_entry(Cmd& cmd, const std::string& fake, const std::string& real,
                          bool use_regex) {
    auto& conf = cmd.server_conf<AliasServerConfig>(alias_module);
    AliasEntry entry{fake, real, std::nullopt, handler_of(cmd)};
    if (use_regex) {
        entry.regex = Regex::compile(fake);
        if (!entry.regex) {
            return std::string("Regular expression could not be compiled.");
        }
    }
    for (const AliasEntry& earlier : conf.aliases) {
        bool shadowed = earlier.regex ? earlier.regex->matches(fake)
                                      : alias_prefix_match(fake, earlier.fake) > 0;
        if (shadowed) {
            std::string earlier_name = std::string(earlier.handler.empty() ? "" : "Script") +
                                       "Alias" + (earlier.regex ? "Match" : "");
            cmd.engine().warn("alias", "SN00671",
                              "The " + std::string(cmd.spec().name) + " directive in " +
                                  *cmd.node().file + " at line " + std::to_string(cmd.node().line) +
                                  " will probably never match because it overlaps an earlier " +
                                  earlier_name + ".");
        }
    }
    conf.aliases.push_back(std::move(entry));
    return std::nullopt;
}

// Alias / ScriptAlias: URL-path and target, or (in <Location>) a target expression.
CmdResult add_alias(Cmd& cmd, Args a) {
    if (a.size() == 2) {
        if (in_dir_section(cmd)) {
            return std::string(cmd.spec().name) + " cannot occur within directory context";
        }
        return add_alias_entry(cmd, a[0], a[1], false);
    }
    if (auto err = not_in_directory_or_files(cmd)) {
        return err;
    }
    if (!in_dir_section(cmd)) {
        return std::string("Alias must have two arguments when used globally");
    }
    std::string error;
    auto target = parse_target(a[0], error);
    if (!target) {
        return "Cannot parse alias expression '" + a[0] + "': " + error;
    }
    const std::string* path = cmd.section_path();
    cmd.conf<AliasDirConfig>().alias =
        LocationAlias{path ? *path : std::string(), a[0], *target, handler_of(cmd), cmd.server_root_relative("")};
    return std::nullopt;
}

CmdResult add_alias_regex(Cmd& cmd, Args a) {
    return add_alias_entry(cmd, a[0], a[1], true);
}

// The shared logic of every Redirect form, after httpd's: an optional status
// word or code, then the URL-path (or pattern) and the target; inside a
// section, a status and/or target alone apply to the section itself.
CmdResult add_redirect(Cmd& cmd, int status, const std::string& arg1, const std::string* arg2,
                       const std::string* arg3, bool use_regex) {
    int understood = 1;  // 1: a redirect status; -1: a status without URL; 0: not a status
    if (equals_nocase(arg1, "permanent")) {
        status = 301;
    } else if (equals_nocase(arg1, "temp")) {
        status = 302;
    } else if (equals_nocase(arg1, "seeother")) {
        status = 303;
    } else if (equals_nocase(arg1, "gone")) {
        status = 410;
        understood = -1;
    } else if (!arg1.empty() && arg1.front() >= '0' && arg1.front() <= '9') {
        status = leading_number(arg1);
        understood = is_redirect_status(status) ? 1 : -1;
    } else {
        understood = 0;
    }
    if (arg3 != nullptr && understood == 0) {
        return std::string("Redirect: invalid first argument (of three)");
    }
    auto& dir = cmd.conf<AliasDirConfig>();
    const bool in_section = in_dir_section(cmd);
    if (in_section && ((understood > 0 && arg2 != nullptr && arg3 == nullptr) ||
                       (understood == 0 && arg2 == nullptr))) {
        const std::string& url = understood != 0 ? *arg2 : arg1;
        std::string error;
        auto target = parse_target(url, error);
        if (!target) {
            return "Cannot parse redirect expression '" + url + "': " + error;
        }
        dir.redirect = LocationRedirect{status, url, *target};
        return std::nullopt;
    }
    if (in_section && understood < 0 && arg2 == nullptr) {
        dir.redirect = LocationRedirect{status, {}, nullptr};
        return std::nullopt;
    }
    const std::string* fake = arg2;
    const std::string* url = arg3;
    if (arg3 == nullptr && understood == 0) {
        fake = &arg1;
        url = arg2;
    }
    RedirectEntry entry;
    entry.fake = fake != nullptr ? *fake : std::string();
    entry.status = status;
    if (use_regex) {
        entry.regex = Regex::compile(entry.fake);
        if (!entry.regex) {
            return std::string("Regular expression could not be compiled.");
        }
    }
    if (is_redirect_status(status)) {
        if (url == nullptr) {
            return std::string("URL to redirect to is missing");
        }
        if (!use_regex && !is_url(*url) && (url->empty() || url->front() != '/')) {
            return std::string("Redirect to non-URL");
        }
    } else if (url != nullptr) {
        return std::string("Redirect URL not valid for this status");
    }
    if (url != nullptr) {
        entry.url = *url;
    }
    auto& list =
        in_section ? dir.redirects : cmd.server_conf<AliasServerConfig>(alias_module).redirects;
    list.push_back(std::move(entry));
    return std::nullopt;
}

CmdResult redirect(Cmd& cmd, Args a) {
    return add_redirect(cmd, 302, a[0], a.size() > 1 ? &a[1] : nullptr,
                        a.size() > 2 ? &a[2] : nullptr, false);
}

CmdResult redirect_match(Cmd& cmd, Args a) {
    return add_redirect(cmd, 302, a[0], &a[1], a.size() > 2 ? &a[2] : nullptr, true);
}

template <int Status>
CmdResult redirect_fixed(Cmd& cmd, Args a) {
    return add_redirect(cmd, Status, a[0], &a[1], nullptr, false);
}

constexpr unsigned kAnywhere = kRsrcConf | kAccessConf;

const DirectiveSpec kDirectives[] = {
    {"Alias", ArgForm::Take12, kAnywhere, 0, ConfLevel::Dir, add_alias,
     "URL-path and the file-system path it maps to; inside <Location>, the target alone"},
    {"ScriptAlias", ArgForm::Take12, kAnywhere, 0, ConfLevel::Dir, add_alias,
     "URL-path and the CGI directory it maps to; inside <Location>, the target alone"},
    {"Redirect", ArgForm::Take123, kOrFileInfo, 0, ConfLevel::Dir, redirect,
     "optional status (permanent, temp, seeother, gone or a code), URL-path, target URL"},
    {"AliasMatch", ArgForm::Take2, kRsrcConf, 0, ConfLevel::Dir, add_alias_regex,
     "regular expression on the URL-path and the file-system path it maps to"},
    {"ScriptAliasMatch", ArgForm::Take2, kRsrcConf, 0, ConfLevel::Dir, add_alias_regex,
     "regular expression on the URL-path and the CGI path it maps to"},
    {"RedirectMatch", ArgForm::Take23, kOrFileInfo, 0, ConfLevel::Dir, redirect_match,
     "optional status, regular expression on the URL-path, target URL"},
    {"RedirectTemp", ArgForm::Take2, kOrFileInfo, 0, ConfLevel::Dir, redirect_fixed<302>,
     "URL-path and the target URL of a temporary (302) redirect"},
    {"RedirectPermanent", ArgForm::Take2, kOrFileInfo, 0, ConfLevel::Dir, redirect_fixed<301>,
     "URL-path and the target URL of a permanent (301) redirect"},
    {"RedirectRelative", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir,
     set_flag<&AliasDirConfig::allow_relative>,
     "whether relative redirect targets are sent unchanged"},
    {"AliasPreservePath", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir,
     set_flag<&AliasDirConfig::preserve_path>,
     "whether a <Location> Alias keeps the rest of the URL-path after the location"},
};

template <class T>
std::vector<T> child_first(const std::vector<T>& base, const std::vector<T>& add) {
    std::vector<T> v = add;
    v.insert(v.end(), base.begin(), base.end());
    return v;
}

}  // namespace

bool is_url(std::string_view s) {
    std::size_t i = 0;
    for (; i < s.size() && s[i] != ':'; ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return i > 0 && i < s.size();
}

std::size_t alias_prefix_match(std::string_view uri, std::string_view alias) {
    std::size_t u = 0;
    std::size_t a = 0;
    while (a < alias.size()) {
        if (alias[a] == '/') {
            if (u >= uri.size() || uri[u] != '/') {
                return 0;
            }
            while (a < alias.size() && alias[a] == '/') {
                ++a;
            }
            while (u < uri.size() && uri[u] == '/') {
                ++u;
            }
        } else {
            if (u >= uri.size() || uri[u] != alias[a]) {
                return 0;
            }
            ++u;
            ++a;
        }
    }
    // The match must end where a path segment ends.
    if (!alias.empty() && alias.back() != '/' && u < uri.size() && uri[u] != '/') {
        return 0;
    }
    return u;
}

AliasServerConfig AliasServerConfig::merge(const AliasServerConfig& base,
                                           const AliasServerConfig& add) {
    AliasServerConfig c;
    c.aliases = child_first(base.aliases, add.aliases);
    c.redirects = child_first(base.redirects, add.redirects);
    return c;
}

AliasDirConfig AliasDirConfig::merge(const AliasDirConfig& base, const AliasDirConfig& add) {
    AliasDirConfig c;
    c.redirects = child_first(base.redirects, add.redirects);
    c.alias = add.alias ? add.alias : base.alias;
    c.redirect = add.redirect ? add.redirect : base.redirect;
    c.allow_relative = add.allow_relative ? add.allow_relative : base.allow_relative;
    c.preserve_path = add.preserve_path ? add.preserve_path : base.preserve_path;
    return c;
}

Module alias_module{
    .name = "alias_module",
    .source = "mod_alias.c",
    .directives = kDirectives,
    .dir_config = config_ops<AliasDirConfig>(),
    .server_config = config_ops<AliasServerConfig>(),
    .register_hooks = alias_register_hooks,
};

}  // namespace sonora::modules::mappers
