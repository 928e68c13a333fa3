#pragma once
// Directive declarations: the typed form of httpd's command_rec.
//
// A module lists its directives in a constant table of DirectiveSpec. The
// configuration engine looks names up case-insensitively, checks where the
// directive stands (req_override, not_in), splits and counts its arguments
// (form), and only then calls the handler. Handlers therefore see well-formed
// argument lists and report semantic errors only, as a message: the engine adds
// file, line and the Apache-style framing.
//
// Most directives need no handler of their own: the generic setters at the end
// of this file store a value into a field of the module's config type, chosen
// by pointer-to-member.

#include <sonora/config.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora {

struct Module;
struct Server;

namespace config {
class Engine;
struct Scope;
}  // namespace config

// How the argument text is split and counted, as httpd's cmd_how.
enum class ArgForm : std::uint8_t {
    RawArgs,   // the handler gets the unsplit text as its single argument
    TakeArgv,  // any number of words, all at once
    NoArgs,
    Take1,
    Take2,
    Take12,
    Take3,
    Take23,
    Take123,
    Take13,
    Iterate,   // handler called once per word; at least one
    Iterate2,  // handler called with (first, word) for each further word; at least two
    Flag,      // one word, On or Off (case-insensitive); handler gets "On" or "Off"
};

// req_override bits, as httpd's: where a directive is allowed. The OR_* classes
// are also the AllowOverride classes that unlock a directive in .htaccess.
inline constexpr unsigned kOrNone = 0;
inline constexpr unsigned kOrLimit = 1u << 0;
inline constexpr unsigned kOrOptions = 1u << 1;
inline constexpr unsigned kOrFileInfo = 1u << 2;
inline constexpr unsigned kOrAuthCfg = 1u << 3;
inline constexpr unsigned kOrIndexes = 1u << 4;
inline constexpr unsigned kOrUnset = 1u << 5;  // allowed in .htaccess whenever AllowOverride isn't None
inline constexpr unsigned kAccessConf = 1u << 6;  // inside <Directory>/<Location>/<Files>/<If>
inline constexpr unsigned kRsrcConf = 1u << 7;    // outside those: server config and <VirtualHost>
inline constexpr unsigned kExecOnRead = 1u << 8;  // run while the file is read (Include, Define, <IfModule>...)
inline constexpr unsigned kOrAll = kOrLimit | kOrOptions | kOrFileInfo | kOrAuthCfg | kOrIndexes;

// Finer placement rules the engine checks after req_override, worded as
// httpd's ap_check_cmd_context ("X cannot occur within <VirtualHost> section").
inline constexpr unsigned kNotInVirtualHost = 1u << 0;
inline constexpr unsigned kNotInLimit = 1u << 1;
inline constexpr unsigned kNotInDirectory = 1u << 2;
inline constexpr unsigned kNotInLocation = 1u << 3;
inline constexpr unsigned kNotInFiles = 1u << 4;
inline constexpr unsigned kNotInHtaccess = 1u << 5;
inline constexpr unsigned kNotInIf = 1u << 6;
inline constexpr unsigned kNotInDirLocFile = kNotInDirectory | kNotInLocation | kNotInFiles | kNotInIf;
inline constexpr unsigned kGlobalOnly = kNotInVirtualHost | kNotInLimit | kNotInDirLocFile;

// Which of the module's config objects a handler receives through Cmd::conf<T>().
enum class ConfLevel : std::uint8_t { Dir, Server };

// One line of the configuration as read: a directive or a section. The tree
// is immutable once read; conditionals (<IfModule> ...) and Include have been
// resolved by then, so it holds only what will be processed.
struct ConfigNode {
    std::string directive;  // as written; sections keep the '<': "<Directory"
    std::string args;       // the rest of the line after ${VAR} expansion; sections keep the '>'
    std::shared_ptr<const std::string> file;
    int line = 0;
    std::vector<ConfigNode> children;  // a section's contents

    bool is_section() const { return !directive.empty() && directive.front() == '<'; }
};

// A handler's result: nullopt on success, else the message to report.
using CmdResult = std::optional<std::string>;

class Cmd;
using DirectiveFn = CmdResult (*)(Cmd& cmd, std::span<const std::string> args);

struct DirectiveSpec {
    std::string_view name;  // sections include the '<': "<Directory"
    ArgForm form;
    unsigned req_override;
    unsigned not_in;
    ConfLevel level;
    DirectiveFn fn;
    std::string_view help;  // shown by -L and appended to argument-count errors
};

// What a handler sees of the directive being applied: its node, its module, the
// server and section it stands in, and the engine for services (paths, warnings,
// nested walks). Valid only during the handler call.
class Cmd {
public:
    Cmd(const DirectiveSpec& spec, const Module& module, const ConfigNode& node,
        config::Engine& engine, config::Scope& scope)
        : spec_(spec), module_(module), node_(node), engine_(engine), scope_(scope) {}

    const DirectiveSpec& spec() const { return spec_; }
    const Module& module() const { return module_; }
    const ConfigNode& node() const { return node_; }
    config::Engine& engine() const { return engine_; }
    config::Scope& scope() const { return scope_; }

    // This module's config object of the directive's level in the current scope.
    template <class T>
    T& conf() const {
        return *static_cast<T*>(conf_raw(spec_.level));
    }
    // Any module's per-server config of the server being configured.
    template <class T>
    T& server_conf(const Module& m) const {
        return *static_cast<T*>(server_conf_raw(m));
    }
    // Any module's per-dir config of the current section.
    template <class T>
    T& dir_conf(const Module& m) const {
        return *static_cast<T*>(dir_conf_raw(m));
    }

    Server& server() const;
    bool in_virtual_host() const;
    // Nearest enclosing section name ("<Directory"), or empty at server level.
    std::string_view enclosing_section() const;
    // The path argument of the enclosing <Directory>/<Location>/<Files>, if any.
    const std::string* section_path() const;
    // Whether the directive stands in an access file (.htaccess), and the
    // Options it may set there (AllowOverride Options=...; all elsewhere).
    bool in_access_file() const;
    unsigned allowed_options() const;

    // Apache's ap_server_root_relative: absolute paths unchanged.
    std::string server_root_relative(std::string_view path) const;
    // A warning in Apache's startup log format, attributed to this module.
    void warn(std::string_view message) const;

private:
    void* conf_raw(ConfLevel level) const;
    void* server_conf_raw(const Module& m) const;
    void* dir_conf_raw(const Module& m) const;

    const DirectiveSpec& spec_;
    const Module& module_;
    const ConfigNode& node_;
    config::Engine& engine_;
    config::Scope& scope_;
};

// ---- Generic typed setters (httpd's ap_set_*_slot) -----------------------

namespace detail {
template <class M>
struct MemberOf;
template <class C, class F>
struct MemberOf<F C::*> {
    using Class = C;
    using Field = F;
};
bool equals_nocase(std::string_view a, std::string_view b);
CmdResult parse_int(std::string_view name, std::string_view text, long long min, long long max,
                    long long& out);
CmdResult parse_size(std::string_view name, std::string_view text, unsigned long long& out);
}  // namespace detail

// Stores the one argument into an optional<string> field.
template <auto Member>
CmdResult set_string(Cmd& cmd, std::span<const std::string> args) {
    using C = typename detail::MemberOf<decltype(Member)>::Class;
    cmd.conf<C>().*Member = args[0];
    return std::nullopt;
}

// Stores the argument, made absolute against ServerRoot.
template <auto Member>
CmdResult set_path(Cmd& cmd, std::span<const std::string> args) {
    using C = typename detail::MemberOf<decltype(Member)>::Class;
    cmd.conf<C>().*Member = cmd.server_root_relative(args[0]);
    return std::nullopt;
}

// Stores On/Off into an optional<bool> field (use with ArgForm::Flag).
template <auto Member>
CmdResult set_flag(Cmd& cmd, std::span<const std::string> args) {
    using C = typename detail::MemberOf<decltype(Member)>::Class;
    cmd.conf<C>().*Member = (args[0] == "On");
    return std::nullopt;
}

// Stores a decimal integer within [Min, Max] into an optional<integer> field.
template <auto Member, long long Min = 0, long long Max = std::numeric_limits<int>::max()>
CmdResult set_int(Cmd& cmd, std::span<const std::string> args) {
    using C = typename detail::MemberOf<decltype(Member)>::Class;
    using F = typename detail::MemberOf<decltype(Member)>::Field::value_type;
    long long v = 0;
    if (auto err = detail::parse_int(cmd.spec().name, args[0], Min, Max, v)) {
        return err;
    }
    cmd.conf<C>().*Member = static_cast<F>(v);
    return std::nullopt;
}

// Appends each argument (ArgForm::Iterate) to a vector<string> field.
template <auto Member>
CmdResult append_string(Cmd& cmd, std::span<const std::string> args) {
    using C = typename detail::MemberOf<decltype(Member)>::Class;
    (cmd.conf<C>().*Member).push_back(args[0]);
    return std::nullopt;
}

}  // namespace sonora
