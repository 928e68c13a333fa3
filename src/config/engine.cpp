#include "config/engine.h"

#include "config/words.h"
#include "core/log.h"
#include "core/strings.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <cerrno>
#include <cstring>

namespace sonora::config {

namespace {

constexpr std::size_t kMaxIncludeDepth = 128;

// "<Directory" -> "<Directory>", for messages.
std::string bracketed(std::string_view section) {
    std::string s(section);
    s += '>';
    return s;
}

std::string display_name(const DirectiveSpec& spec) {
    std::string name(spec.name);
    if (!name.empty() && name.front() == '<') {
        name += '>';
    }
    return name;
}

std::string arity_error(const DirectiveSpec& spec) {
    std::string msg(spec.name);
    switch (spec.form) {
        case ArgForm::NoArgs: msg += " takes no arguments"; break;
        case ArgForm::Take1: msg += " takes one argument"; break;
        case ArgForm::Take2: msg += " takes two arguments"; break;
        case ArgForm::Take3: msg += " takes three arguments"; break;
        case ArgForm::Take12: msg += " takes 1-2 arguments"; break;
        case ArgForm::Take23: msg += " takes two or three arguments"; break;
        case ArgForm::Take123: msg += " takes one, two or three arguments"; break;
        case ArgForm::Take13: msg += " takes one or three arguments"; break;
        case ArgForm::Iterate: msg += " requires at least one argument"; break;
        case ArgForm::Iterate2: msg += " requires at least two arguments"; break;
        case ArgForm::Flag: return msg + " must be On or Off";
        case ArgForm::RawArgs:
        case ArgForm::TakeArgv: break;
    }
    if (!spec.help.empty()) {
        msg += ", ";
        msg += spec.help;
    }
    return msg;
}

bool arity_ok(ArgForm form, std::size_t n) {
    switch (form) {
        case ArgForm::NoArgs: return n == 0;
        case ArgForm::Take1: return n == 1;
        case ArgForm::Take2: return n == 2;
        case ArgForm::Take3: return n == 3;
        case ArgForm::Take12: return n == 1 || n == 2;
        case ArgForm::Take23: return n == 2 || n == 3;
        case ArgForm::Take123: return n >= 1 && n <= 3;
        case ArgForm::Take13: return n == 1 || n == 3;
        case ArgForm::Iterate: return n >= 1;
        case ArgForm::Iterate2: return n >= 2;
        case ArgForm::Flag: return n == 1;
        case ArgForm::RawArgs:
        case ArgForm::TakeArgv: return true;
    }
    return false;
}

// The sections that enclose a directive, innermost first, as directive names.
std::vector<std::string_view> enclosing(const Scope& scope, const std::vector<std::string>& open_sections) {
    std::vector<std::string_view> out;
    if (scope.source != nullptr) {
        for (auto it = open_sections.rbegin(); it != open_sections.rend(); ++it) {
            out.push_back(*it);
        }
        return out;
    }
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
        if (s->section != nullptr) {
            out.push_back(s->section->directive);
        }
    }
    return out;
}

std::optional<std::string> placement_error(const DirectiveSpec& spec, const std::vector<std::string_view>& parents,
                                           bool limited) {
    auto find = [&](std::initializer_list<std::string_view> names) -> std::optional<std::string_view> {
        for (std::string_view p : parents) {
            for (std::string_view n : names) {
                if (equals_nocase(p, n)) {
                    return p;
                }
            }
        }
        return std::nullopt;
    };
    const std::string name = display_name(spec);
    if ((spec.not_in & kNotInVirtualHost) && find({"<VirtualHost"})) {
        return name + " cannot occur within <VirtualHost> section";
    }
    if ((spec.not_in & kNotInLimit) && (limited || find({"<Limit", "<LimitExcept"}))) {
        return name + " cannot occur within <Limit> or <LimitExcept> section";
    }
    std::optional<std::string_view> found;
    if ((spec.not_in & kNotInDirectory) && (found = find({"<Directory", "<DirectoryMatch"}))) {
        return name + " cannot occur within " + bracketed(*found) + " section";
    }
    if ((spec.not_in & kNotInLocation) && (found = find({"<Location", "<LocationMatch"}))) {
        return name + " cannot occur within " + bracketed(*found) + " section";
    }
    if ((spec.not_in & kNotInFiles) && (found = find({"<Files", "<FilesMatch"}))) {
        return name + " cannot occur within " + bracketed(*found) + " section";
    }
    if ((spec.not_in & kNotInIf) && (found = find({"<If", "<ElseIf", "<Else"}))) {
        return name + " cannot occur within " + bracketed(*found) + " section";
    }
    return std::nullopt;
}

std::string read_whole_file(const std::string& path, int& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = errno != 0 ? errno : ENOENT;
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    err = 0;
    return ss.str();
}

}  // namespace

std::string ConfigError::render(std::string_view program) const {
    std::string out;
    if (file.empty()) {
        out.append(program).append(": ").append(what());
    } else if (during_read) {
        out.append(program).append(": Syntax error on line ").append(std::to_string(line)).append(" of ");
        out.append(file).append(": ").append(what());
    } else {
        out.append("SN00526: Syntax error on line ").append(std::to_string(line)).append(" of ");
        out.append(file).append(":\n").append(what());
    }
    return out;
}

// ---- reading -------------------------------------------------------------

void Engine::read_file(const std::string& path, std::vector<ConfigNode>& out, int include_line) {
    char resolved[PATH_MAX];
    std::string canonical = ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
    for (const std::string& open : include_stack_) {
        if (open == canonical) {
            std::string chain;
            for (const std::string& f : include_stack_) {
                chain += f + " -> ";
            }
            throw ConfigError("Include cycle: " + chain + canonical);
        }
    }
    if (include_stack_.size() >= kMaxIncludeDepth) {
        throw ConfigError("Exceeded maximum include depth of " + std::to_string(kMaxIncludeDepth) +
                          ", There appears to be a recursion.");
    }
    int err = 0;
    std::string text = read_whole_file(path, err);
    if (err != 0) {
        throw ConfigError("Could not open configuration file " + path + ": " + std::strerror(err));
    }
    gen_.config_files.push_back({path, static_cast<int>(include_stack_.size()), include_line});
    include_stack_.push_back(canonical);
    Source source{LineReader(std::move(text)), std::make_shared<const std::string>(path)};
    Scope scope;
    scope.source = &source;
    scope.out = &out;
    read_lines(scope, {}, 0);
    include_stack_.pop_back();
}

void Engine::read_text(std::string text, const std::string& origin, std::vector<ConfigNode>& out) {
    Source source{LineReader(std::move(text)), std::make_shared<const std::string>(origin)};
    Scope scope;
    scope.source = &source;
    scope.out = &out;
    read_lines(scope, {}, 0);
}

void Engine::read_until_close(Scope& scope, std::string_view name, int open_line) {
    open_sections_.emplace_back(name);
    read_lines(scope, name, open_line);
    open_sections_.pop_back();
}

void Engine::skip_until_close(Scope& scope, std::string_view name, int open_line) {
    Source& src = *scope.source;
    std::string line;
    // Sections opened inside the skipped body must still nest properly.
    std::vector<std::string> nested;
    for (;;) {
        auto r = src.reader.next(line);
        if (r == LineReader::Result::End) {
            throw ConfigError(bracketed(name) + " was not closed.", *src.file, open_line, true);
        }
        if (r == LineReader::Result::TooLong) {
            throw ConfigError("Line too long", *src.file, src.reader.line_number(), true);
        }
        if (line.empty() || line.front() != '<') {
            continue;
        }
        std::string_view rest = line;
        std::string word = next_word(rest);
        if (word.size() < 2 || word[1] != '/') {
            if (word.size() > 1 && word.back() == '>') {
                word.pop_back();
            }
            nested.push_back(word);
            continue;
        }
        std::string closing = word.substr(2);
        if (!closing.empty() && closing.back() == '>') {
            closing.pop_back();
        }
        std::string_view expected = nested.empty() ? name : std::string_view(nested.back());
        if (!equals_nocase(closing, expected.substr(1))) {
            throw ConfigError("Expected </" + std::string(expected.substr(1)) + "> but saw </" + closing + ">",
                              *src.file, src.reader.line_number(), true);
        }
        if (nested.empty()) {
            return;
        }
        nested.pop_back();
    }
}

void Engine::read_lines(Scope& scope, std::string_view until, int open_line) {
    Source& src = *scope.source;
    const std::string& file = *src.file;
    std::string raw;
    for (;;) {
        auto r = src.reader.next(raw);
        if (r == LineReader::Result::End) {
            break;
        }
        const int line = src.reader.line_number();
        if (r == LineReader::Result::TooLong) {
            throw ConfigError("Line too long", file, line, true);
        }
        if (raw.empty() || raw.front() == '#') {
            continue;
        }
        std::string expanded = gen_.defines.expand(raw, [&](std::string_view name) {
            warn("core", "SN00111", "Config variable ${" + std::string(name) + "} is not defined");
        });
        std::string_view rest = expanded;
        std::string word = next_word(rest);
        if (word.empty()) {
            continue;
        }
        if (word.size() > 1 && word[0] == '<' && word[1] == '/') {
            std::string closing = word.substr(2);
            if (closing.empty() || closing.back() != '>' || !rest.empty()) {
                if (!closing.empty() && closing.back() == '>') {
                    closing.pop_back();
                }
                throw ConfigError("</" + closing + "> directive missing closing '>'", file, line, true);
            }
            closing.pop_back();
            if (until.empty()) {
                throw ConfigError("</" + closing + "> without matching <" + closing + "> section", file, line, true);
            }
            if (!equals_nocase(closing, until.substr(1))) {
                throw ConfigError("Expected </" + std::string(until.substr(1)) + "> but saw </" + closing + ">",
                                  file, line, true);
            }
            return;
        }
        ConfigNode node;
        if (word.front() == '<') {
            if (word.size() > 1 && word.back() == '>') {
                word.pop_back();
            }
            node.args = rest.empty() ? std::string(">") : std::string(rest);
        } else {
            node.args = std::string(rest);
        }
        node.directive = std::move(word);
        node.file = src.file;
        node.line = line;

        auto hit = gen_.modules.find_directive(node.directive);
        if (hit && (hit->spec->req_override & kExecOnRead)) {
            run_read_time(*hit, node, scope);
            continue;
        }
        if (node.is_section()) {
            Scope body;
            body.source = scope.source;
            body.out = &node.children;
            open_sections_.push_back(node.directive);
            read_lines(body, node.directive, line);
            open_sections_.pop_back();
        }
        scope.out->push_back(std::move(node));
    }
    if (!until.empty()) {
        throw ConfigError(bracketed(until) + " was not closed.", file, open_line, true);
    }
}

void Engine::run_read_time(const ModuleSet::Hit& hit, ConfigNode& node, Scope& scope) {
    if (reading_access_file_ != nullptr &&
        !allowed_in_access_file(*hit.spec, node.directive, *reading_access_file_)) {
        // Include, Define ... never run from an access file.
        throw ConfigError(std::string(hit.spec->name) + " not allowed here", *node.file, node.line, true);
    }
    if (auto err = placement_error(*hit.spec, enclosing(scope, open_sections_), false)) {
        throw ConfigError(*err, *node.file, node.line, true);
    }
    apply(hit, node, scope, true);
}

// ---- processing ----------------------------------------------------------

std::string Engine::context_error(const DirectiveSpec& spec, const Scope& scope) const {
    if (scope.access != nullptr) {
        return std::string(spec.name) + " not allowed here";
    }
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
        if (s->section != nullptr) {
            return std::string(spec.name) + " not allowed in " + bracketed(s->section->directive) + " context";
        }
    }
    return std::string(spec.name) + " not allowed here";
}

bool Engine::allowed_in_access_file(const DirectiveSpec& spec, std::string_view name, const AccessFileRules& rules) {
    if ((spec.req_override & rules.override) != 0) {
        return true;
    }
    if (rules.override_list != nullptr) {
        for (const std::string& allowed : *rules.override_list) {
            if (equals_nocase(allowed, name)) {
                return true;
            }
        }
    }
    return false;
}

void Engine::process(const std::vector<ConfigNode>& nodes, Scope& scope) {
    const AccessFileRules* access = scope.access;
    auto skip = [&](std::string_view id, std::string message) {
        if (access->warnings != nullptr) {
            access->warnings->emplace_back(std::string(id), std::move(message));
        }
    };
    for (const ConfigNode& node : nodes) {
        auto hit = gen_.modules.find_directive(node.directive);
        if (!hit) {
            std::string why = "Invalid command '" + node.directive +
                              "', perhaps misspelled or defined by a module not included in the server "
                              "configuration";
            if (access != nullptr && access->nonfatal_unknown) {
                skip("SN02296", "Unknown directive " + to_lower(node.directive) +
                                    " perhaps misspelled or defined by a module not included in the server "
                                    "configuration");
                continue;
            }
            throw ConfigError(why, *node.file, node.line, false);
        }
        const bool allowed = access != nullptr ? allowed_in_access_file(*hit->spec, node.directive, *access)
                                               : (hit->spec->req_override & scope.override) != 0;
        if (!allowed) {
            if (access != nullptr && access->nonfatal_override) {
                skip("SN02295", std::string(hit->spec->name) + " in .htaccess forbidden by AllowOverride");
                continue;
            }
            throw ConfigError(context_error(*hit->spec, scope), *node.file, node.line, false);
        }
        if (auto err = placement_error(*hit->spec, enclosing(scope, {}), scope.limited)) {
            throw ConfigError(*err, *node.file, node.line, false);
        }
        apply(*hit, node, scope, false);
    }
}

void Engine::apply(const ModuleSet::Hit& hit, const ConfigNode& node, Scope& scope, bool during_read) {
    const DirectiveSpec& spec = *hit.spec;
    Cmd cmd(spec, *hit.module, node, *this, scope);
    auto fail = [&](const std::string& msg) { throw ConfigError(msg, *node.file, node.line, during_read); };
    auto call = [&](std::span<const std::string> args) {
        if (auto err = spec.fn(cmd, args)) {
            fail(*err);
        }
    };
    if (spec.form == ArgForm::RawArgs) {
        std::string raw = node.args;
        call(std::span<const std::string>(&raw, 1));
        return;
    }
    std::vector<std::string> words = split_words(node.args);
    if (!arity_ok(spec.form, words.size())) {
        fail(arity_error(spec));
    }
    switch (spec.form) {
        case ArgForm::Flag:
            if (equals_nocase(words[0], "on")) {
                words[0] = "On";
            } else if (equals_nocase(words[0], "off")) {
                words[0] = "Off";
            } else {
                fail(arity_error(spec));
            }
            call(words);
            break;
        case ArgForm::Iterate:
            for (const std::string& w : words) {
                call(std::span<const std::string>(&w, 1));
            }
            break;
        case ArgForm::Iterate2:
            for (std::size_t i = 1; i < words.size(); ++i) {
                std::string pair[2] = {words[0], words[i]};
                call(pair);
            }
            break;
        default:
            call(words);
            break;
    }
}

void Engine::parse_access_file(std::string text, const std::string& file, const std::string& dir, Server& server,
                               const AccessFileRules& rules, ConfigVector& out) {
    std::vector<ConfigNode> nodes;
    {
        Source source{LineReader(std::move(text)), std::make_shared<const std::string>(file)};
        Scope read;
        read.source = &source;
        read.out = &nodes;
        reading_access_file_ = &rules;
        try {
            read_lines(read, {}, 0);
        } catch (...) {
            reading_access_file_ = nullptr;
            throw;
        }
        reading_access_file_ = nullptr;
    }
    // The file is the body of its directory, as a <Directory> section would
    // be: directives that test for a directory context see one.
    ConfigNode directory;
    directory.directive = "<Directory";
    directory.args = dir + ">";
    directory.file = std::make_shared<const std::string>(file);
    Scope scope;
    scope.server = &server;
    scope.dir = &out;
    scope.override = rules.override;
    scope.section = &directory;
    scope.path = &dir;
    scope.access = &rules;
    process(nodes, scope);
}

// ---- services --------------------------------------------------------------

std::string Engine::server_root_relative(std::string_view path) const {
    if (!path.empty() && path.front() == '/') {
        return std::string(path);
    }
    std::string root = gen_.server_root;
    if (root.empty() || root.back() != '/') {
        root += '/';
    }
    return root + std::string(path);
}

void Engine::warn(std::string_view module, std::string_view id, std::string_view message) const {
    log_startup(LogLevel::Warn, module, id, message);
}

}  // namespace sonora::config

// ---- Cmd (public API) ------------------------------------------------------

namespace sonora {

using config::Scope;

Server& Cmd::server() const {
    return scope_.server != nullptr ? *scope_.server : engine_.generation().main;
}

bool Cmd::in_virtual_host() const { return server().is_virtual; }

bool Cmd::in_access_file() const { return scope_.access != nullptr; }

unsigned Cmd::allowed_options() const { return scope_.access != nullptr ? scope_.access->options : ~0u; }

std::string_view Cmd::enclosing_section() const {
    for (const Scope* s = &scope_; s != nullptr; s = s->parent) {
        if (s->section != nullptr) {
            return s->section->directive;
        }
    }
    return {};
}

const std::string* Cmd::section_path() const {
    for (const Scope* s = &scope_; s != nullptr; s = s->parent) {
        if (s->path != nullptr) {
            return s->path;
        }
    }
    return nullptr;
}

std::string Cmd::server_root_relative(std::string_view path) const { return engine_.server_root_relative(path); }

void Cmd::warn(std::string_view message) const {
    std::string_view module = module_.name;
    if (module.ends_with("_module")) {
        module.remove_suffix(7);
    }
    engine_.warn(module, "SN00100", message);
}

void* Cmd::conf_raw(ConfLevel level) const {
    return level == ConfLevel::Server ? server_conf_raw(module_) : dir_conf_raw(module_);
}

void* Cmd::server_conf_raw(const Module& m) const { return server().module_config.raw(m.index); }

void* Cmd::dir_conf_raw(const Module& m) const {
    ConfigVector* dir = scope_.dir != nullptr ? scope_.dir : &server().lookup_defaults;
    return dir->raw(m.index);
}

}  // namespace sonora
