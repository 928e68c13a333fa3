// httpd's mod_headers: the Header and RequestHeader directives, read as
// httpd's header_cmd reads them (same argument rules, same messages); the
// request-time work is in mod_headers_apply.cpp.

#include "modules/metadata/mod_headers.h"

#include "config/words.h"
#include "core/strings.h"
#include "expr/parser.h"

namespace sonora::modules::metadata {

namespace {

using Args = std::span<const std::string>;

std::optional<HeaderAction> action_named(std::string_view word) {
    static constexpr std::pair<std::string_view, HeaderAction> kActions[] = {
        {"set", HeaderAction::Set},       {"setifempty", HeaderAction::SetIfEmpty}, {"add", HeaderAction::Add},
        {"append", HeaderAction::Append}, {"merge", HeaderAction::Merge},           {"unset", HeaderAction::Unset},
        {"echo", HeaderAction::Echo},     {"edit", HeaderAction::Edit},             {"edit*", HeaderAction::EditAll},
        {"note", HeaderAction::Note},
    };
    for (const auto& [name, action] : kActions) {
        if (equals_nocase(word, name)) {
            return action;
        }
    }
    return std::nullopt;
}

// The trailing clause: early, env=[!]NAME or expr=EXPRESSION.
CmdResult read_clause(HeaderEntry& e, const std::string& clause) {
    if (equals_nocase(clause, "early")) {
        e.early = true;
        return std::nullopt;
    }
    if (clause.size() >= 4 && equals_nocase(std::string_view(clause).substr(0, 4), "env=")) {
        std::string_view name = std::string_view(clause).substr(4);
        e.env_negated = !name.empty() && name.front() == '!';
        if (e.env_negated) {
            name.remove_prefix(1);
        }
        if (name.empty()) {
            return std::string("error: missing environment variable name. envclause should be in the form env=envar ");
        }
        e.env.assign(name);
        return std::nullopt;
    }
    if (clause.size() >= 5 && equals_nocase(std::string_view(clause).substr(0, 5), "expr=")) {
        auto parsed = expr::parse(std::string_view(clause).substr(5), expr::ParseMode::Condition);
        if (!parsed.ok()) {
            return "Can't parse envclause/expression: " + parsed.error().message;
        }
        e.condition = std::make_shared<const expr::Expr>(std::move(parsed).value());
        return std::nullopt;
    }
    return "Unknown parameter: " + clause;
}

// The value (edit: the replacement): an expression when written expr=...,
// else a format.
CmdResult read_value(HeaderEntry& e, const std::string& value) {
    if (value.starts_with("expr=")) {
        auto parsed = expr::parse(std::string_view(value).substr(5), expr::ParseMode::String);
        if (!parsed.ok()) {
            return "Can't parse value expression : " + parsed.error().message;
        }
        e.value_expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
        return std::nullopt;
    }
    return parse_header_format(value, e.format);
}

CmdResult header_cmd(Cmd& cmd, Args a) {
    const bool request = cmd.spec().name == "RequestHeader";
    std::string_view rest = a[0];
    std::string action_word = config::next_word(rest);
    bool always = false;
    if (!request) {
        if (equals_nocase(action_word, "always")) {
            always = true;
            action_word = config::next_word(rest);
        } else if (equals_nocase(action_word, "onsuccess")) {
            action_word = config::next_word(rest);
        }
    }
    std::string header = config::next_word(rest);
    std::optional<std::string> value;
    std::optional<std::string> subs;
    std::optional<std::string> clause;
    if (!rest.empty()) {
        value = config::next_word(rest);
    }
    if (!rest.empty()) {
        subs = config::next_word(rest);
    }
    if (!rest.empty()) {
        clause = config::next_word(rest);
    }
    if (!rest.empty()) {
        return std::string(cmd.spec().name) + " has too many arguments";
    }

    HeaderEntry e;
    const auto action = action_named(action_word);
    if (!action) {
        return std::string("first argument must be 'add', 'set', 'setifempty', 'append', 'merge', "
                           "'unset', 'echo', 'note', 'edit', or 'edit*'.");
    }
    e.action = *action;
    const bool edit = e.action == HeaderAction::Edit || e.action == HeaderAction::EditAll;
    if (edit) {
        if (!subs) {
            return std::string("Header edit requires a match and a substitution");
        }
        e.regex = Regex::compile(value.value_or(std::string()));
        if (!e.regex) {
            return std::string("Header edit regex could not be compiled");
        }
    } else {
        // Without a substitution, the third word is the clause.
        if (clause) {
            return std::string("Too many arguments to directive");
        }
        clause = std::move(subs);
        subs.reset();
    }
    if (e.action == HeaderAction::Unset) {
        if (value) {
            if (clause) {
                return std::string("header unset takes two arguments");
            }
            clause = std::move(value);
            value.reset();
        }
    } else if (e.action == HeaderAction::Echo) {
        if (value) {
            if (clause) {
                return std::string("Header echo takes two arguments");
            }
            clause = std::move(value);
            value.reset();
        }
        if (request) {
            return std::string("Header echo only valid on Header directives");
        }
        e.regex = Regex::compile(header);
        if (!e.regex) {
            return std::string("Header echo regex could not be compiled");
        }
    } else if (!value) {
        return std::string("Header requires three arguments");
    }
    if (clause) {
        if (auto err = read_clause(e, *clause)) {
            return err;
        }
    }
    e.header = header.substr(0, header.find(':'));
    if (e.action != HeaderAction::Unset && e.action != HeaderAction::Echo) {
        if (auto err = read_value(e, edit ? *subs : *value)) {
            return err;
        }
    }
    auto& conf = cmd.conf<HeadersDirConfig>();
    (request ? conf.request : always ? conf.always : conf.on_success).push_back(std::move(e));
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"Header", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, header_cmd,
     "an optional condition, an action, header and value followed by optional env clause"},
    {"RequestHeader", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, header_cmd,
     "an action, header and value followed by optional env clause"},
};

// Text up to the next '%', with httpd's backslash escapes (\\ \r \n \t;
// any other backslash is kept).
void read_literal(std::string_view& s, std::string& out) {
    while (!s.empty() && s.front() != '%') {
        if (s.front() != '\\') {
            out.push_back(s.front());
            s.remove_prefix(1);
            continue;
        }
        s.remove_prefix(1);
        if (s.empty()) {
            out.push_back('\\');
            break;
        }
        switch (s.front()) {
            case '\\': out.push_back('\\'); s.remove_prefix(1); break;
            case 'r': out.push_back('\r'); s.remove_prefix(1); break;
            case 'n': out.push_back('\n'); s.remove_prefix(1); break;
            case 't': out.push_back('\t'); s.remove_prefix(1); break;
            default: out.push_back('\\'); break;  // the next character is read as usual
        }
    }
}

}  // namespace

std::optional<std::string> parse_header_format(std::string_view s, std::vector<FormatPiece>& out) {
    while (!s.empty()) {
        if (s.front() != '%') {
            FormatPiece p;
            read_literal(s, p.text);
            out.push_back(std::move(p));
            continue;
        }
        s.remove_prefix(1);
        // "%%", and a '%' that ends the value, are a '%'.
        if (s.empty() || s.front() == '%') {
            out.push_back(FormatPiece{0, "%"});
            if (!s.empty()) {
                s.remove_prefix(1);
            }
            continue;
        }
        FormatPiece p;
        if (s.front() == '{') {
            s.remove_prefix(1);
            const std::size_t close = s.find('}');
            p.text.assign(s.substr(0, close));
            s.remove_prefix(close == std::string_view::npos ? s.size() : close + 1);
        }
        if (s.empty() || std::string_view("Dteslib").find(s.front()) == std::string_view::npos) {
            return "Unrecognized header format %" + std::string(s.substr(0, 1));
        }
        p.tag = s.front();
        s.remove_prefix(1);
        out.push_back(std::move(p));
    }
    return std::nullopt;
}

HeadersDirConfig HeadersDirConfig::merge(const HeadersDirConfig& base, const HeadersDirConfig& add) {
    HeadersDirConfig c = base;
    c.request.insert(c.request.end(), add.request.begin(), add.request.end());
    c.on_success.insert(c.on_success.end(), add.on_success.begin(), add.on_success.end());
    c.always.insert(c.always.end(), add.always.begin(), add.always.end());
    return c;
}

void headers_register_hooks(HookRegistry& hooks);

Module headers_module{
    .name = "headers_module",
    .source = "mod_headers.c",
    .directives = kDirectives,
    .dir_config = config_ops<HeadersDirConfig>(),
    .register_hooks = headers_register_hooks,
};

}  // namespace sonora::modules::metadata
