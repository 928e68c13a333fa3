// httpd's mod_setenvif: SetEnvIf, SetEnvIfNoCase, BrowserMatch,
// BrowserMatchNoCase, SetEnvIfExpr. Parsed, compiled (PCRE2, ap_expr) and
// stored here; evaluated per request by mod_setenvif_hooks.cpp.

#include "modules/metadata/mod_setenvif.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"
#include "expr/parser.h"

#include <algorithm>

namespace sonora::modules::metadata {

namespace {

using Args = std::span<const std::string>;
using Subject = SetEnvIfCondition::Subject;

constexpr std::string_view kDirSections[] = {
    "<Directory", "<DirectoryMatch", "<Location", "<LocationMatch", "<Files", "<FilesMatch",
    "<If",        "<ElseIf",         "<Else"};

// httpd files conditions by whether the directive stands in a per-dir section.
SetEnvIfConfig& target_config(Cmd& cmd) {
    for (const config::Scope* s = &cmd.scope(); s != nullptr; s = s->parent) {
        if (s->section == nullptr) {
            continue;
        }
        for (std::string_view n : kDirSections) {
            if (equals_nocase(s->section->directive, n)) {
                return cmd.dir_conf<SetEnvIfConfig>(setenvif_module);
            }
        }
    }
    return cmd.server_conf<SetEnvIfConfig>(setenvif_module);
}

// A plain header name is letters, digits, '-' and '_'; anything else makes it a regex.
bool is_plain_header_name(std::string_view name) {
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

Subject subject_of(std::string_view name) {
    static constexpr std::pair<std::string_view, Subject> kSpecial[] = {
        {"remote_addr", Subject::RemoteAddr},           {"remote_host", Subject::RemoteHost},
        {"request_uri", Subject::RequestUri},           {"request_method", Subject::RequestMethod},
        {"request_protocol", Subject::RequestProtocol}, {"server_addr", Subject::ServerAddr},
    };
    for (auto [n, s] : kSpecial) {
        if (equals_nocase(name, n)) {
            return s;
        }
    }
    return Subject::Header;
}

// The remaining words: "name=value", "!name" (unset) or "name" (set to 1).
CmdResult add_actions(Cmd& cmd, std::string_view rest, SetEnvIfCondition& cond) {
    bool any = false;
    for (std::string word = config::next_word(rest); !word.empty();
         word = config::next_word(rest)) {
        any = true;
        std::string name;
        std::optional<std::string> value;
        if (auto eq = word.find('='); eq != std::string::npos && eq + 1 < word.size()) {
            name = word.substr(0, eq);
            value = word.substr(eq + 1);
        } else {
            name = eq == std::string::npos ? word : word.substr(0, eq);
            if (!name.empty() && name.front() == '!') {
                name.erase(0, 1);
            } else {
                value = "1";
            }
        }
        auto same = [&](const auto& a) { return equals_nocase(a.first, name); };
        if (auto it = std::find_if(cond.actions.begin(), cond.actions.end(), same);
            it != cond.actions.end()) {
            it->second = std::move(value);
        } else {
            cond.actions.emplace_back(std::move(name), std::move(value));
        }
    }
    if (!any) {
        return "Missing envariable expression for " + std::string(cmd.spec().name);
    }
    return std::nullopt;
}

CmdResult add_condition(Cmd& cmd, const std::string& name, std::string_view rest, bool nocase) {
    const std::string directive(cmd.spec().name);
    std::string pattern = config::next_word(rest);
    if (pattern.empty()) {
        return "Missing regular expression for " + directive;
    }
    auto& conf = target_config(cmd);
    // Further variables for the same attribute and pattern join the last condition.
    if (!conf.conditions.empty()) {
        SetEnvIfCondition& last = conf.conditions.back();
        if (last.subject != Subject::Expr && equals_nocase(last.name, name) &&
            last.nocase == nocase && last.pattern == pattern) {
            return add_actions(cmd, rest, last);
        }
    }
    SetEnvIfCondition cond;
    cond.name = name;
    cond.pattern = pattern;
    cond.nocase = nocase;
    cond.regex = Regex::compile(pattern, nocase ? Regex::kCaseless : Regex::kNone);
    if (!cond.regex) {
        return directive + " regex could not be compiled.";
    }
    cond.subject = subject_of(name);
    if (cond.subject == Subject::Header && !is_plain_header_name(name)) {
        cond.name_regex = Regex::compile(name, nocase ? Regex::kCaseless : Regex::kNone);
        if (!cond.name_regex) {
            return directive + "Header name regex could not be compiled.";
        }
    }
    // The condition is kept even if the variables are missing: the error stops the load anyway.
    auto err = add_actions(cmd, rest, cond);
    conf.conditions.push_back(std::move(cond));
    return err;
}

CmdResult set_env_if(Cmd& cmd, Args a) {
    std::string_view rest = a[0];
    std::string name = config::next_word(rest);
    if (name.empty()) {
        return "Missing header-field name for " + std::string(cmd.spec().name);
    }
    return add_condition(cmd, name, rest, cmd.spec().name.ends_with("NoCase"));
}

CmdResult browser_match(Cmd& cmd, Args a) {
    return add_condition(cmd, "User-Agent", a[0], cmd.spec().name.ends_with("NoCase"));
}

CmdResult set_env_if_expr(Cmd& cmd, Args a) {
    std::string_view rest = a[0];
    std::string text = config::next_word(rest);
    if (text.empty()) {
        return "Missing expression for " + std::string(cmd.spec().name);
    }
    auto parsed = expr::parse(text, expr::ParseMode::Condition);
    if (!parsed.ok()) {
        return "Could not parse expression \"" + text + "\": " + parsed.error().message;
    }
    SetEnvIfCondition cond;
    cond.subject = Subject::Expr;
    cond.expr_text = text;
    cond.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
    auto err = add_actions(cmd, rest, cond);
    target_config(cmd).conditions.push_back(std::move(cond));
    return err;
}

const DirectiveSpec kDirectives[] = {
    {"SetEnvIf", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, set_env_if,
     "request attribute or header, regular expression, then variables to set"},
    {"SetEnvIfNoCase", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, set_env_if,
     "request attribute or header, case-blind regular expression, then variables to set"},
    {"SetEnvIfExpr", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, set_env_if_expr,
     "ap_expr condition, then variables to set"},
    {"BrowserMatch", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, browser_match,
     "regular expression on User-Agent, then variables to set"},
    {"BrowserMatchNoCase", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, browser_match,
     "case-blind regular expression on User-Agent, then variables to set"},
};

}  // namespace

SetEnvIfConfig SetEnvIfConfig::merge(const SetEnvIfConfig& base, const SetEnvIfConfig& add) {
    SetEnvIfConfig c;
    c.conditions = base.conditions;
    c.conditions.insert(c.conditions.end(), add.conditions.begin(), add.conditions.end());
    return c;
}

void setenvif_register_hooks(HookRegistry& hooks);

Module setenvif_module{
    .name = "setenvif_module",
    .source = "mod_setenvif.c",
    .directives = kDirectives,
    .dir_config = config_ops<SetEnvIfConfig>(),
    .server_config = config_ops<SetEnvIfConfig>(),
    .register_hooks = setenvif_register_hooks,
};

}  // namespace sonora::modules::metadata
