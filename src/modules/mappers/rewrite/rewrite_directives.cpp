// mod_rewrite's directives, parsed as httpd 2.4 parses them: RewriteRule and
// RewriteCond read their own argument line (quotes, backslash-space) and
// flag field, with httpd's messages; patterns are compiled once here.

#include "modules/mappers/rewrite/rewrite_config.h"
#include "modules/mappers/rewrite/rewrite_hooks.h"

#include "config/engine.h"
#include "core/strings.h"
#include "expr/parser.h"
#include "http/reason_phrase.h"

#include <cctype>
#include <cstdlib>

namespace sonora::modules::mappers::rewrite {

namespace {

using Args = std::span<const std::string>;

constexpr std::string_view kDirSections[] = {"<Directory", "<DirectoryMatch", "<Location", "<LocationMatch", "<Files",
                                             "<FilesMatch", "<If",        "<ElseIf",        "<Else"};

// httpd's cmd->path: the per-directory section the directive stands in (an
// access file is its directory's section), or null at server level.
std::optional<std::string> section_directory(const Cmd& cmd) {
    const config::Scope* found = nullptr;
    for (const config::Scope* s = &cmd.scope(); s != nullptr && found == nullptr; s = s->parent) {
        if (s->section == nullptr) {
            continue;
        }
        for (std::string_view n : kDirSections) {
            if (equals_nocase(s->section->directive, n)) {
                found = s;
                break;
            }
        }
    }
    if (found == nullptr) {
        return std::nullopt;
    }
    const std::string* path = cmd.section_path();
    std::string dir = path != nullptr ? *path : std::string();
    if (dir.empty() || dir.back() != '/') {
        dir.push_back('/');
    }
    return dir;
}

RewriteServerConfig& server_conf(Cmd& cmd);

RewriteDirConfig& dir_conf(Cmd& cmd) {
    server_conf(cmd);  // any rewrite directive gives its server a config of its own
    auto& d = cmd.conf<RewriteDirConfig>();
    if (!d.present) {
        d.present = true;
        d.directory = section_directory(cmd);
    }
    return d;
}

// httpd creates a virtual host's mod_rewrite config only when one of its
// directives stands in it; a virtual host without any runs no server rules.
RewriteServerConfig& server_conf(Cmd& cmd) {
    auto& c = cmd.server_conf<RewriteServerConfig>(rewrite_module);
    c.present = true;
    return c;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// httpd's parseargline: up to three arguments, each optionally quoted with "
// or '; a backslash before whitespace keeps the whitespace in the argument
// (the backslash stays too). `a2_ends_qmark`: the second argument's last
// character is '?' (httpd checks it before any expansion).
struct ArgLine {
    std::string a1, a2;
    std::optional<std::string> a3;
};

std::optional<std::string> parse_arg_line(std::string_view str, ArgLine& out) {
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < str.size() && is_space(str[i])) {
            ++i;
        }
    };
    // Reads one argument; returns whether it ended at the end of the line.
    auto take = [&](std::string& into) {
        char quote = 0;
        if (i < str.size() && (str[i] == '"' || str[i] == '\'')) {
            quote = str[i++];
        }
        const std::size_t start = i;
        for (; i < str.size(); ++i) {
            if ((is_space(str[i]) && quote == 0) || (quote != 0 && str[i] == quote)) {
                break;
            }
            if (str[i] == '\\' && i + 1 < str.size() && is_space(str[i + 1])) {
                ++i;
            }
        }
        into.assign(str.substr(start, i - start));
        if (i >= str.size()) {
            return true;
        }
        ++i;  // the terminator
        return false;
    };
    skip_space();
    if (take(out.a1)) {
        return std::string("bad argument line");
    }
    skip_space();
    if (take(out.a2)) {
        return std::nullopt;
    }
    skip_space();
    if (i >= str.size()) {
        return std::nullopt;
    }
    std::string a3;
    take(a3);  // anything after the third argument is ignored, as httpd 2.4 does
    out.a3 = a3;
    return std::nullopt;
}

// httpd's cmd_parseflagfield: "[key=val,key,...]", spaces around items trimmed.
template <class Fn>
std::optional<std::string> parse_flag_field(std::string_view field, Fn&& set) {
    if (field.size() < 2 || field.front() != '[' || field.back() != ']') {
        return std::string("bad flag delimiters");
    }
    std::string body(field.substr(1, field.size() - 2));
    body.push_back(',');
    std::size_t pos = 0;
    while (pos < body.size()) {
        while (pos < body.size() && is_space(body[pos])) {
            ++pos;
        }
        const std::size_t comma = body.find(',', pos);
        if (pos >= body.size() || comma == std::string::npos) {
            break;
        }
        std::size_t end = comma;
        while (end > pos && is_space(body[end - 1])) {
            --end;
        }
        std::string_view item(body.data() + pos, end - pos);
        std::string_view key = item;
        std::string_view val;
        if (auto eq = item.find('='); eq != std::string_view::npos) {
            key = item.substr(0, eq);
            val = item.substr(eq + 1);
        }
        if (auto err = set(key, val)) {
            return err;
        }
        pos = comma + 1;
    }
    return std::nullopt;
}

std::optional<std::string> set_cond_flag(RewriteCond& c, std::string_view key, std::string_view) {
    if (equals_nocase(key, "nocase") || equals_nocase(key, "NC")) {
        c.flags |= kCondNoCase;
    } else if (equals_nocase(key, "ornext") || equals_nocase(key, "OR")) {
        c.flags |= kCondOrNext;
    } else if (equals_nocase(key, "novary") || equals_nocase(key, "NV")) {
        c.flags |= kCondNoVary;
    } else {
        return "unknown flag '" + std::string(key) + "'";
    }
    return std::nullopt;
}

// The key's first letter picks the family, the rest (case-insensitive) the
// flag, as httpd's cmd_rewriterule_setflag.
std::optional<std::string> set_rule_flag(RewriteRule& r, std::string_view key, std::string_view val) {
    const std::string unknown = "unknown flag '" + std::string(key) + "'";
    if (key.empty()) {
        return unknown;
    }
    const char first = static_cast<char>(std::tolower(static_cast<unsigned char>(key.front())));
    const std::string_view rest = key.substr(1);
    auto is = [&](std::string_view s) { return equals_nocase(rest, s); };
    switch (first) {
        case 'b':
            if (rest.empty() || is("ackrefescaping")) {
                r.flags |= kRuleEscapeBackref;
                if (!val.empty()) {
                    r.escapes = std::string(val);
                }
            } else if (is("NE")) {
                if (val.empty()) {
                    return std::string("flag 'BNE' wants a list of characters (i.e. [BNE=...])");
                }
                r.noescapes = std::string(val);
            } else if (is("NP") || is("ackrefernoplus")) {
                r.flags |= kRuleEscapeNoPlus;
            } else if (is("CTLS")) {
                r.flags |= kRuleEscapeCtls | kRuleEscapeBackref;
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'c':
            if (rest.empty() || is("hain")) {
                r.flags |= kRuleChain;
            } else if (is("O") || is("ookie")) {
                r.cookies.emplace_back(val);
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'd':
            // httpd accepts any D... key here.
            if (rest.empty() || is("PI") || is("iscardpath")) {
                r.flags |= kRuleDiscardPathInfo;
            }
            return std::nullopt;
        case 'e':
            if (rest.empty() || is("nv")) {
                r.env.emplace_back(val);
            } else if (is("nd")) {
                r.flags |= kRuleEnd;
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'f':
            if (rest.empty() || is("orbidden")) {
                r.flags |= kRuleStatus | kRuleNoSub;
                r.forced_status = 403;
                return std::nullopt;
            }
            return unknown;
        case 'g':
            if (rest.empty() || is("one")) {
                r.flags |= kRuleStatus | kRuleNoSub;
                r.forced_status = 410;
                return std::nullopt;
            }
            return unknown;
        case 'h':
            if (rest.empty() || is("andler")) {
                r.forced_handler = std::string(val);
                return std::nullopt;
            }
            return unknown;
        case 'l':
            if (rest.empty() || is("ast")) {
                r.flags |= kRuleLast;
                return std::nullopt;
            }
            return unknown;
        case 'n':
            if (is("E") || is("oescape")) {
                r.flags |= kRuleNoEscape;
            } else if (rest.empty() || is("ext")) {
                r.flags |= kRuleNewRound;
                if (!val.empty()) {
                    r.max_rounds = std::atoi(std::string(val).c_str());
                }
            } else if (is("S") || is("osubreq")) {
                r.flags |= kRuleIgnoreOnSubreq;
            } else if (is("C") || is("ocase")) {
                r.flags |= kRuleNoCase;
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'p':
            if (rest.empty() || is("roxy")) {
                r.flags |= kRuleProxy;
            } else if (is("T") || is("assthrough")) {
                r.flags |= kRulePassThrough;
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'q':
            if (is("SA") || is("sappend")) {
                r.flags |= kRuleQsAppend;
            } else if (is("SD") || is("sdiscard")) {
                r.flags |= kRuleQsDiscard;
            } else if (is("SL") || is("slast")) {
                r.flags |= kRuleQsLast;
            } else {
                return unknown;
            }
            return std::nullopt;
        case 'r':
            if (rest.empty() || is("edirect")) {
                r.flags |= kRuleForceRedirect;
                if (!val.empty()) {
                    int status = 0;
                    if (equals_nocase(val, "permanent")) {
                        status = 301;
                    } else if (equals_nocase(val, "temp")) {
                        status = 302;
                    } else if (equals_nocase(val, "seeother")) {
                        status = 303;
                    } else if (std::isdigit(static_cast<unsigned char>(val.front())) != 0) {
                        status = std::atoi(std::string(val).c_str());
                        if (status != 500 && http::status_line(status).empty()) {
                            return "invalid HTTP response code '" + std::string(val) + "' for flag 'R'";
                        }
                        if (status < 300 || status > 399) {
                            r.flags |= kRuleStatus | kRuleNoSub;
                        }
                    }
                    r.forced_status = status;
                }
                return std::nullopt;
            }
            return unknown;
        case 's':
            if (rest.empty() || is("kip")) {
                r.skip = std::atoi(std::string(val).c_str());
                return std::nullopt;
            }
            return unknown;
        case 't':
            if (rest.empty() || is("ype")) {
                r.forced_type = std::string(val);
                return std::nullopt;
            }
            return unknown;
        case 'u':
            if (is("nsafePrefixStat")) {
                r.flags |= kRuleUnsafePrefixStat;
            } else if (is("nsafeAllow3F")) {
                r.flags |= kRuleUnsafeAllow3F;
            } else if (is("NC")) {
                r.flags |= kRuleUnc;
            } else {
                return unknown;
            }
            return std::nullopt;
        default:
            return unknown;
    }
}

CmdResult cmd_engine(Cmd& cmd, Args a) {
    const bool on = equals_nocase(a[0], "On");
    auto& dconf = dir_conf(cmd);
    if (!dconf.directory) {
        server_conf(cmd).engine = on;
    }
    dconf.engine = on;
    return std::nullopt;
}

CmdResult cmd_options(Cmd& cmd, Args a) {
    unsigned options = 0;
    for (const std::string& w : a) {
        if (equals_nocase(w, "inherit")) {
            options |= kOptInherit;
        } else if (equals_nocase(w, "inheritbefore")) {
            options |= kOptInheritBefore;
        } else if (equals_nocase(w, "inheritdown")) {
            options |= kOptInheritDown;
        } else if (equals_nocase(w, "inheritdownbefore")) {
            options |= kOptInheritDownBefore;
        } else if (equals_nocase(w, "ignoreinherit")) {
            options |= kOptIgnoreInherit;
        } else if (equals_nocase(w, "allownoslash")) {
            options |= kOptNoSlash;
        } else if (starts_with_nocase(w, "MaxRedirects=")) {
            cmd.engine().warn("rewrite", "SN00664",
                              "RewriteOptions: MaxRedirects option has been removed in favor of the global "
                              "LimitInternalRecursion directive and will be ignored.");
        } else if (equals_nocase(w, "allowanyuri")) {
            options |= kOptAnyUri;
        } else if (equals_nocase(w, "mergebase")) {
            options |= kOptMergeBase;
        } else if (equals_nocase(w, "ignorecontextinfo")) {
            options |= kOptIgnoreContextInfo;
        } else if (equals_nocase(w, "legacyprefixdocroot")) {
            options |= kOptLegacyPrefixDocRoot;
        } else if (equals_nocase(w, "UnsafePrefixStat")) {
            options |= kOptUnsafePrefixStat;
        } else {
            return "RewriteOptions: unknown option '" + w + "'";
        }
    }
    auto& dconf = dir_conf(cmd);
    if (!dconf.directory) {
        auto& sconf = server_conf(cmd);
        sconf.options = sconf.opts() | options;
    }
    dconf.options = dconf.opts() | options;
    return std::nullopt;
}

CmdResult cmd_base(Cmd& cmd, Args a) {
    auto& dconf = dir_conf(cmd);
    if (!dconf.directory) {
        return std::string("RewriteBase: only valid in per-directory config files");
    }
    if (a[0].empty()) {
        return std::string("RewriteBase: empty URL not allowed");
    }
    if (a[0].front() != '/') {
        return std::string("RewriteBase: argument is not a valid URL");
    }
    dconf.base = a[0];
    return std::nullopt;
}

std::vector<RewriteCond>& pending_conds(Cmd& cmd) {
    auto& dconf = dir_conf(cmd);
    return dconf.directory ? dconf.pending_conds : server_conf(cmd).pending_conds;
}

CmdResult cmd_cond(Cmd& cmd, Args a) {
    ArgLine line;
    if (auto err = parse_arg_line(a[0], line)) {
        return "RewriteCond: " + *err + " '" + a[0] + "'";
    }
    RewriteCond c;
    c.input = line.a1;
    if (line.a3) {
        if (auto err = parse_flag_field(*line.a3, [&](std::string_view k, std::string_view v) {
                return set_cond_flag(c, k, v);
            })) {
            return "RewriteCond: " + *err;
        }
    }
    c.written = line.a2;
    std::string_view p = line.a2;
    if (!p.empty() && p.front() == '!') {
        c.flags |= kCondNotMatch;
        p.remove_prefix(1);
    }
    c.type = CondType::Regex;
    if (equals_nocase(line.a1, "expr")) {
        c.type = CondType::Expr;
    } else if (p.size() >= 2) {
        if (p[0] == '-') {
            if (p.size() == 2) {
                switch (p[1]) {
                    case 'f': c.type = CondType::FileExists; break;
                    case 's': c.type = CondType::FileSize; break;
                    case 'd': c.type = CondType::FileDir; break;
                    case 'x': c.type = CondType::FileXbit; break;
                    case 'h':
                    case 'L':
                    case 'l': c.type = CondType::FileLink; break;
                    case 'U': c.type = CondType::LookupUrl; break;
                    case 'F': c.type = CondType::LookupFile; break;
                    default: break;
                }
            } else if (p.size() >= 4) {
                const std::string_view op = p.substr(1, 2);
                CondType t = CondType::Regex;
                if (op == "lt") {
                    t = CondType::IntLt;
                } else if (op == "le") {
                    t = CondType::IntLe;
                } else if (op == "gt") {
                    t = CondType::IntGt;
                } else if (op == "ge") {
                    t = CondType::IntGe;
                } else if (op == "eq") {
                    t = CondType::IntEq;
                } else if (op == "ne") {
                    t = CondType::IntEq;
                    c.flags ^= kCondNotMatch;  // !-ne is -eq
                }
                if (t != CondType::Regex) {
                    c.type = t;
                    p.remove_prefix(3);
                }
            }
        } else if (p[0] == '>') {
            p.remove_prefix(1);
            c.type = CondType::StrGt;
            if (!p.empty() && p[0] == '=') {
                p.remove_prefix(1);
                c.type = CondType::StrGe;
            }
        } else if (p[0] == '<') {
            p.remove_prefix(1);
            c.type = CondType::StrLt;
            if (!p.empty() && p[0] == '=') {
                p.remove_prefix(1);
                c.type = CondType::StrLe;
            }
        } else if (p[0] == '=') {
            p.remove_prefix(1);
            c.type = CondType::StrEq;
            if (p == "\"\"") {
                p = {};  // "" is the empty string
            }
        }
    }
    const bool string_test = c.type >= CondType::StrLt && c.type <= CondType::StrGe;
    if (c.type != CondType::Regex && !string_test && (c.flags & kCondNoCase) != 0) {
        cmd.engine().warn("rewrite", "SN00665",
                          "RewriteCond: NoCase option for non-regex pattern '" + std::string(p) +
                              "' is not supported and will be ignored. (" + *cmd.node().file + ":" +
                              std::to_string(cmd.node().line) + ")");
        c.flags &= ~kCondNoCase;
    }
    c.operand = std::string(p);
    if (c.type == CondType::Regex) {
        unsigned flags = Regex::kDotAll | Regex::kDollarEndOnly;
        flags |= (c.flags & kCondNoCase) != 0 ? static_cast<unsigned>(Regex::kCaseless) : 0u;
        c.regex = Regex::compile(c.operand, flags);
        if (!c.regex) {
            return "RewriteCond: cannot compile regular expression '" + c.operand + "'";
        }
    } else if (c.type == CondType::Expr) {
        auto parsed = expr::parse(c.operand, expr::ParseMode::Condition);
        if (!parsed.ok()) {
            return "RewriteCond: cannot compile expression \"" + c.operand + "\" " + parsed.error().message;
        }
        c.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
    }
    pending_conds(cmd).push_back(std::move(c));
    return std::nullopt;
}

CmdResult cmd_rule(Cmd& cmd, Args a) {
    ArgLine line;
    if (auto err = parse_arg_line(a[0], line)) {
        return "RewriteRule: " + *err + " '" + a[0] + "'";
    }
    auto rule = std::make_shared<RewriteRule>();
    if (line.a3) {
        if (auto err = parse_flag_field(*line.a3, [&](std::string_view k, std::string_view v) {
                return set_rule_flag(*rule, k, v);
            })) {
            return "RewriteRule: " + *err;
        }
    }
    std::string_view pattern = line.a1;
    if (!pattern.empty() && pattern.front() == '!') {
        rule->flags |= kRuleNotMatch;
        pattern.remove_prefix(1);
    }
    unsigned flags = Regex::kDotAll | Regex::kDollarEndOnly;
    flags |= (rule->flags & kRuleNoCase) != 0 ? static_cast<unsigned>(Regex::kCaseless) : 0u;
    rule->regex = Regex::compile(pattern, flags);
    if (!rule->regex) {
        return "RewriteRule: cannot compile regular expression '" + std::string(pattern) + "'";
    }
    rule->pattern = std::string(pattern);
    rule->output = line.a2;
    if (rule->output == "-") {
        rule->flags |= kRuleNoSub;
    }
    if (!rule->output.empty() && rule->output.back() == '?') {
        // A literal '?' ends the substitution: no query from it, and not the
        // request's either (httpd 2.4.57's QSNONE); the '?' is dropped.
        rule->flags |= kRuleQsNone;
        rule->output.pop_back();
    } else if ((rule->flags & kRuleQsDiscard) != 0 && rule->output.find('?') == std::string::npos) {
        rule->flags |= kRuleQsNone;
    }
    rule->conds = std::move(pending_conds(cmd));
    pending_conds(cmd).clear();
    auto& dconf = dir_conf(cmd);
    (dconf.directory ? dconf.rules : server_conf(cmd).rules).push_back(std::move(rule));
    return std::nullopt;
}

CmdResult cmd_map(Cmd& cmd, Args a) {
    std::shared_ptr<RewriteMap> map;
    if (auto err = parse_rewrite_map(a, [&](std::string_view p) { return cmd.server_root_relative(p); }, map)) {
        return err;
    }
    auto& maps = server_conf(cmd).maps;
    std::erase_if(maps, [&](const std::shared_ptr<RewriteMap>& m) { return m->name == map->name; });
    maps.push_back(std::move(map));
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"RewriteEngine", ArgForm::Flag, kOrFileInfo, 0, ConfLevel::Dir, cmd_engine,
     "On or Off to enable or disable (default) the whole rewriting engine"},
    {"RewriteOptions", ArgForm::Iterate, kOrFileInfo, 0, ConfLevel::Dir, cmd_options, "List of option strings to set"},
    {"RewriteBase", ArgForm::Take1, kOrFileInfo, 0, ConfLevel::Dir, cmd_base, "the base URL of the per-directory context"},
    {"RewriteCond", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, cmd_cond,
     "an input string and a to be applied regexp-pattern"},
    {"RewriteRule", ArgForm::RawArgs, kOrFileInfo, 0, ConfLevel::Dir, cmd_rule,
     "an URL-applied regexp-pattern and a substitution URL"},
    {"RewriteMap", ArgForm::Take23, kRsrcConf, 0, ConfLevel::Server, cmd_map, "a mapname and a filename and options"},
};

}  // namespace

const RewriteMap* RewriteServerConfig::find_map(std::string_view name) const {
    for (const auto& m : maps) {
        if (m->name == name) {
            return m.get();
        }
    }
    return nullptr;
}

namespace {

// Inherit: the child's entries, then the parent's; InheritBefore: the other way.
enum class Inheritance { None, After, Before };

Inheritance inheritance(unsigned base_options, unsigned merged_options) {
    const bool ignore = (merged_options & kOptIgnoreInherit) != 0;
    if ((merged_options & kOptInherit) != 0 || ((base_options & kOptInheritDown) != 0 && !ignore)) {
        return Inheritance::After;
    }
    if ((merged_options & kOptInheritBefore) != 0 || ((base_options & kOptInheritDownBefore) != 0 && !ignore)) {
        return Inheritance::Before;
    }
    return Inheritance::None;
}

template <class T>
std::vector<T> joined(const std::vector<T>& first, const std::vector<T>& second) {
    std::vector<T> v = first;
    v.insert(v.end(), second.begin(), second.end());
    return v;
}

}  // namespace

RewriteServerConfig RewriteServerConfig::merge(const RewriteServerConfig& base, const RewriteServerConfig& add) {
    if (!add.present) {
        // The main server's config, which httpd then finds is not this server's.
        RewriteServerConfig c = base;
        c.present = false;
        return c;
    }
    RewriteServerConfig c;
    c.present = true;
    c.engine = add.engine ? add.engine : base.engine;
    c.options = add.options ? add.options : base.options;
    switch (inheritance(base.opts(), c.opts())) {
        case Inheritance::After:
            c.rules = joined(add.rules, base.rules);
            // The child's maps win over the parent's of the same name.
            c.maps = add.maps;
            for (const auto& m : base.maps) {
                if (c.find_map(m->name) == nullptr) {
                    c.maps.push_back(m);
                }
            }
            break;
        case Inheritance::Before:
            c.rules = joined(base.rules, add.rules);
            c.maps = base.maps;
            for (const auto& m : add.maps) {
                std::erase_if(c.maps, [&](const std::shared_ptr<RewriteMap>& x) { return x->name == m->name; });
                c.maps.push_back(m);
            }
            break;
        case Inheritance::None:
            c.rules = add.rules;
            c.maps = add.maps;
            break;
    }
    return c;
}

RewriteDirConfig RewriteDirConfig::merge(const RewriteDirConfig& base, const RewriteDirConfig& add) {
    if (!add.present) {
        return base;
    }
    RewriteDirConfig c;
    c.present = true;
    c.engine = add.engine ? add.engine : base.engine;
    c.options = add.options ? add.options : base.options;
    if ((c.opts() & kOptMergeBase) != 0) {
        c.base = add.base ? add.base : base.base;
    } else {
        c.base = add.base;
    }
    c.directory = add.directory;
    switch (inheritance(base.opts(), c.opts())) {
        case Inheritance::After: c.rules = joined(add.rules, base.rules); break;
        case Inheritance::Before: c.rules = joined(base.rules, add.rules); break;
        case Inheritance::None: c.rules = add.rules; break;
    }
    return c;
}

Module rewrite_module{
    .name = "rewrite_module",
    .source = "mod_rewrite.c",
    .directives = kDirectives,
    .dir_config = config_ops<RewriteDirConfig>(),
    .server_config = config_ops<RewriteServerConfig>(),
    .post_config = nullptr,
    .open_logs = rewrite_open_logs,
    .register_hooks = rewrite_register_hooks,
};

}  // namespace sonora::modules::mappers::rewrite
