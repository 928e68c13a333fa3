// Core's sections (<Directory>, <Location>, <Files>, <If>, <Limit>,
// <VirtualHost>) and read-time directives (<IfModule>, <IfDefine>, <IfFile>,
// <IfDirective>, <IfSection>, Include, Define, UnDefine, ServerRoot).

#include "modules/core/core_sections.h"

#include "config/engine.h"
#include "config/includes.h"
#include "config/words.h"
#include "core/strings.h"
#include "expr/parser.h"
#include "http/method.h"
#include "modules/core/core_config.h"
#include "modules/core/mpm.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

namespace sonora::modules::core {

using config::ConfigError;
using config::Engine;
using config::Scope;

namespace {

std::string bracket_name(const Cmd& cmd) { return std::string(cmd.spec().name) + ">"; }

bool is_negated(std::string& word) {
    if (!word.empty() && word.front() == '!') {
        word.erase(0, 1);
        return true;
    }
    return false;
}

// httpd's start_cond_section (<IfFile>, <IfDirective>, <IfSection>): a
// leading '!' comes off before the word is read, so `!"a path"` is the
// quoted path, negated.
std::string condition_word(std::string_view inside, bool& negate) {
    const std::size_t start = inside.find_first_not_of(" \t");
    negate = start != std::string_view::npos && inside[start] == '!';
    if (negate) {
        inside.remove_prefix(start + 1);
    }
    return config::next_word(inside);
}

// Walks a section body with a fresh scope.
void walk_body(Cmd& cmd, Scope& body) { cmd.engine().process(cmd.node().children, body); }

struct SectionArgs {
    bool regex = false;
    std::string pattern;
};

// "<Directory ~ pattern>", "<DirectoryMatch pattern>", "<Directory path>".
CmdResult section_pattern(Cmd& cmd, const std::string& raw, bool match_form, SectionArgs& out) {
    std::string inside;
    if (auto err = section_argument(cmd, raw, inside)) {
        return err;
    }
    std::string_view rest = inside;
    std::string first = config::next_word(rest);
    if (!match_form && first == "~") {
        out.regex = true;
        first = config::next_word(rest);
        if (first.empty()) {
            return bracket_name(cmd) + " directive requires additional arguments";
        }
    }
    out.regex = out.regex || match_form;
    out.pattern = std::move(first);
    return std::nullopt;
}

CmdResult compile_section_regex(const SectionArgs& args, std::optional<Regex>& re) {
    if (!args.regex) {
        return std::nullopt;
    }
    re = Regex::compile(args.pattern);
    if (!re) {
        return std::string("Regex could not be compiled");
    }
    return std::nullopt;
}

void set_regex(Section& sec, std::optional<Regex> re) {
    if (re) {
        for (auto& g : re->named_groups()) {
            std::string name = "MATCH_" + g.name;
            for (char& c : name) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            sec.match_env.emplace_back(std::move(name), g.number);
        }
    }
    sec.regex = std::move(re);
}

std::shared_ptr<Section> new_section(Cmd& cmd, Section::Kind kind, SectionArgs&& args) {
    auto sec = std::make_shared<Section>();
    sec->kind = kind;
    sec->is_regex = args.regex;
    sec->pattern = std::move(args.pattern);
    sec->config = cmd.engine().generation().new_dir_vector();
    sec->file = cmd.node().file;
    sec->line = cmd.node().line;
    return sec;
}

Scope section_scope(Cmd& cmd, Section& sec, unsigned override) {
    Scope body;
    body.server = &cmd.server();
    body.dir = &sec.config;
    body.override = override;
    body.parent = &cmd.scope();
    body.section = &cmd.node();
    body.path = &sec.pattern;
    body.limited = cmd.scope().limited;
    // Sections in an access file stay under its AllowOverride (httpd keeps
    // cmd->override when the section is read from .htaccess).
    body.access = cmd.scope().access;
    if (body.access != nullptr) {
        body.override = cmd.scope().override;
    }
    return body;
}

CoreDirConfig& current_dir(Cmd& cmd) { return cmd.dir_conf<CoreDirConfig>(core_module); }

}  // namespace

CmdResult section_argument(Cmd& cmd, const std::string& raw, std::string& inside) {
    std::string_view text = trim(raw);
    if (text.empty() || text.back() != '>') {
        return bracket_name(cmd) + " directive missing closing '>'";
    }
    text.remove_suffix(1);
    text = trim(text);
    if (text.empty()) {
        return bracket_name(cmd) + " directive requires additional arguments";
    }
    inside = std::string(text);
    return std::nullopt;
}

void conditional_body(Cmd& cmd, bool condition) {
    if (condition) {
        cmd.engine().read_until_close(cmd.scope(), cmd.spec().name, cmd.node().line);
    } else {
        cmd.engine().skip_until_close(cmd.scope(), cmd.spec().name, cmd.node().line);
    }
}

// ---- processed sections ------------------------------------------------------

CmdResult directory_section(Cmd& cmd, std::span<const std::string> args) {
    SectionArgs sa;
    if (auto err = section_pattern(cmd, args[0], cmd.spec().name == "<DirectoryMatch", sa)) {
        return err;
    }
    std::optional<Regex> re;
    if (auto err = compile_section_regex(sa, re)) {
        return err;
    }
    if (!sa.regex && sa.pattern != "/") {
        // httpd canonicalises directory paths and gives them a trailing slash.
        sa.pattern = cmd.server_root_relative(sa.pattern);
        if (sa.pattern.back() != '/') {
            sa.pattern += '/';
        }
    }
    auto sec = new_section(cmd, Section::Kind::Directory, std::move(sa));
    set_regex(*sec, std::move(re));
    Scope body = section_scope(cmd, *sec, kOrAll | kAccessConf);
    walk_body(cmd, body);
    cmd.server_conf<CoreServerConfig>(core_module).sec_dir.push_back(std::move(sec));
    return std::nullopt;
}

CmdResult location_section(Cmd& cmd, std::span<const std::string> args) {
    SectionArgs sa;
    if (auto err = section_pattern(cmd, args[0], cmd.spec().name == "<LocationMatch", sa)) {
        return err;
    }
    std::optional<Regex> re;
    if (auto err = compile_section_regex(sa, re)) {
        return err;
    }
    auto sec = new_section(cmd, Section::Kind::Location, std::move(sa));
    set_regex(*sec, std::move(re));
    Scope body = section_scope(cmd, *sec, kOrAll | kAccessConf);
    walk_body(cmd, body);
    cmd.server_conf<CoreServerConfig>(core_module).sec_url.push_back(std::move(sec));
    return std::nullopt;
}

CmdResult files_section(Cmd& cmd, std::span<const std::string> args) {
    SectionArgs sa;
    if (auto err = section_pattern(cmd, args[0], cmd.spec().name == "<FilesMatch", sa)) {
        return err;
    }
    std::optional<Regex> re;
    if (auto err = compile_section_regex(sa, re)) {
        return err;
    }
    auto sec = new_section(cmd, Section::Kind::Files, std::move(sa));
    set_regex(*sec, std::move(re));
    Scope body = section_scope(cmd, *sec, kOrAll | kAccessConf);
    walk_body(cmd, body);
    current_dir(cmd).sec_file.push_back(std::move(sec));
    return std::nullopt;
}

CmdResult if_section(Cmd& cmd, std::span<const std::string> args) {
    const std::string_view name = cmd.spec().name;
    Section::Kind kind = name == "<If" ? Section::Kind::If
                         : name == "<ElseIf" ? Section::Kind::ElseIf
                                             : Section::Kind::Else;
    std::string condition;
    if (kind == Section::Kind::Else) {
        std::string_view text = trim(args[0]);
        if (text != ">") {
            return text.empty() || text.back() != '>' ? bracket_name(cmd) + " directive missing closing '>'"
                                                      : std::string("<Else> does not take an argument");
        }
    } else {
        std::string inside;
        if (auto err = section_argument(cmd, args[0], inside)) {
            return err;
        }
        std::string_view rest = inside;
        condition = config::next_word(rest);
        if (!rest.empty()) {
            return bracket_name(cmd) + " takes one argument: the condition, in quotes";
        }
    }
    auto& chain = current_dir(cmd).sec_if;
    if (kind != Section::Kind::If &&
        (chain.empty() || chain.back()->kind == Section::Kind::Else)) {
        return std::string("<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope");
    }
    std::shared_ptr<const expr::Expr> parsed;
    if (kind != Section::Kind::Else) {
        auto result = expr::parse(condition, expr::ParseMode::Condition);
        if (!result.ok()) {
            return "Cannot parse condition clause: " + result.error().message;
        }
        parsed = std::make_shared<const expr::Expr>(std::move(result).value());
    }
    auto sec = new_section(cmd, kind, SectionArgs{false, {}});
    sec->condition = std::move(condition);
    sec->expr = std::move(parsed);
    Scope body = section_scope(cmd, *sec, kOrAll | kAccessConf);
    body.path = cmd.section_path();
    walk_body(cmd, body);
    chain.push_back(std::move(sec));
    return std::nullopt;
}

CmdResult limit_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    const bool except = cmd.spec().name == "<LimitExcept";
    http::MethodMask mask = 0;
    for (const std::string& method : config::split_words(inside)) {
        if (method == "TRACE" && !except) {
            return std::string("TRACE cannot be controlled by <Limit>, see TraceEnable");
        }
        int number = http::method_number(method);
        if (number < 0 && cmd.in_access_file()) {
            // The server's method table is fixed once it runs; a method only an
            // access file names cannot be told apart, so its limits could not hold.
            return "method " + method + " is not known to the server configuration; an access file cannot "
                   "register it";
        }
        if (number < 0) {
            // httpd registers a method it meets here, so that requests using it
            // are told apart from other unknown methods.
            auto& known = cmd.engine().generation().main.module_config.get_mutable<CoreServerConfig>(core_module.index)
                              ->registered_methods;
            auto it = std::find(known.begin(), known.end(), method);
            if (it == known.end()) {
                if (http::kFirstExtensionMethod + static_cast<int>(known.size()) >= http::kMethodLimit) {
                    return "Maximum new request methods reached while registering method " + method + ".";
                }
                it = known.insert(known.end(), method);
            }
            number = http::kFirstExtensionMethod + static_cast<int>(it - known.begin());
        }
        mask |= http::method_bit(number);
    }
    Scope body = cmd.scope();
    body.parent = &cmd.scope();
    body.section = &cmd.node();
    body.limited = true;
    // Nested <Limit>s narrow the enclosing one, as httpd's cmd->limited does.
    body.methods = cmd.scope().methods & (except ? ~mask : mask);
    walk_body(cmd, body);
    return std::nullopt;
}

CmdResult virtualhost_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    auto& gen = cmd.engine().generation();
    auto vh = std::make_unique<Server>();
    vh->is_virtual = true;
    vh->defn_file = cmd.node().file;
    vh->defn_line = cmd.node().line;
    vh->addresses = config::split_words(inside);
    for (const std::string& addr : vh->addresses) {
        if (addr.empty() || addr.front() == ':' || (addr.front() == '[' && addr.find(']') == std::string::npos)) {
            return "Could not resolve host name " + addr + " -- ignoring!";
        }
    }
    gen.init_server(*vh);
    Scope body;
    body.server = vh.get();
    body.dir = &vh->lookup_defaults;
    body.override = cmd.scope().override;
    body.parent = &cmd.scope();
    body.section = &cmd.node();
    cmd.engine().process(cmd.node().children, body);
    gen.vhosts.push_back(std::move(vh));
    return std::nullopt;
}

// ---- read-time conditionals --------------------------------------------------

CmdResult ifmodule_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    bool negate = false;
    std::string name = condition_word(inside, negate);
    const auto& modules = cmd.engine().generation().modules;
    const Module* m = modules.find(name);
    bool found = m != nullptr && modules.enabled(*m);
    // Event serves when no LoadModule has named an MPM (so far), as -M says:
    // <IfModule mpm_event_module> sections then apply.
    if (!found && m == &mpm_event_module && cmd.engine().generation().mpm == nullptr) {
        found = true;
    }
    conditional_body(cmd, found != negate);
    return std::nullopt;
}

CmdResult ifdefine_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    bool negate = false;
    std::string name = condition_word(inside, negate);
    conditional_body(cmd, cmd.engine().generation().defines.defined(name) != negate);
    return std::nullopt;
}

CmdResult iffile_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    bool negate = false;
    std::string path = condition_word(inside, negate);
    struct stat st {};
    bool exists = ::stat(cmd.server_root_relative(path).c_str(), &st) == 0;
    conditional_body(cmd, exists != negate);
    return std::nullopt;
}

CmdResult ifdirective_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    std::string_view rest = inside;
    std::string name = config::next_word(rest);
    bool negate = is_negated(name);
    bool found = cmd.engine().generation().modules.find_directive(name).has_value();
    conditional_body(cmd, found != negate);
    return std::nullopt;
}

CmdResult ifsection_section(Cmd& cmd, std::span<const std::string> args) {
    std::string inside;
    if (auto err = section_argument(cmd, args[0], inside)) {
        return err;
    }
    std::string_view rest = inside;
    std::string name = config::next_word(rest);
    bool negate = is_negated(name);
    bool found = cmd.engine().generation().modules.find_directive("<" + name).has_value();
    conditional_body(cmd, found != negate);
    return std::nullopt;
}

// ---- read-time directives ------------------------------------------------------

CmdResult include_files(Cmd& cmd, std::span<const std::string> args) {
    const bool optional = equals_nocase(cmd.spec().name, "IncludeOptional");
    if (!cmd.engine().generation().allow_includes) {
        return std::string("Include is disabled here");
    }
    auto found = config::resolve_include(cmd.server_root_relative(args[0]), optional);
    if (found.error) {
        return found.error;
    }
    for (const std::string& file : found.files) {
        try {
            cmd.engine().read_file(file, *cmd.scope().out, cmd.node().line);
        } catch (const ConfigError& e) {
            if (!e.file.empty()) {
                throw;
            }
            return std::string(e.what());
        }
    }
    return std::nullopt;
}

CmdResult define_var(Cmd& cmd, std::span<const std::string> args) {
    if (args[0].find(':') != std::string::npos) {
        return std::string("Variable name must not contain ':'");
    }
    auto& defines = cmd.engine().generation().defines;
    if (args.size() == 2) {
        defines.define(args[0], args[1]);
    } else {
        defines.define(args[0]);
    }
    return std::nullopt;
}

CmdResult undefine_var(Cmd& cmd, std::span<const std::string> args) {
    cmd.engine().generation().defines.undefine(args[0]);
    return std::nullopt;
}

CmdResult set_server_root(Cmd& cmd, std::span<const std::string> args) {
    struct stat st {};
    std::string root = cmd.server_root_relative(args[0]);
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return std::string("ServerRoot must be a valid directory");
    }
    while (root.size() > 1 && root.back() == '/') {
        root.pop_back();
    }
    cmd.engine().generation().server_root = root;
    return std::nullopt;
}

}  // namespace sonora::modules::core
