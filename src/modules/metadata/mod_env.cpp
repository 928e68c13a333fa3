// httpd's mod_env: SetEnv, UnsetEnv, PassEnv, parsed and stored here; the
// request environment is filled at fixups (mod_setenvif_hooks.cpp).

#include "modules/metadata/mod_env.h"

#include "config/engine.h"
#include "core/strings.h"

#include <algorithm>
#include <cstdlib>

namespace sonora::modules::metadata {

namespace {

using Args = std::span<const std::string>;

CmdResult set_env(Cmd& cmd, Args a) {
    const std::string& name = a[0];
    if (name.find('=') != std::string::npos) {
        // httpd tokenises the name at '=' for the hint (empty pieces skipped).
        std::string_view n = name;
        std::size_t start = std::min(n.find_first_not_of('='), n.size());
        std::size_t end = n.find('=', start);
        std::string first(n.substr(start, end - start));
        std::string rest =
            end == std::string_view::npos ? std::string() : std::string(n.substr(end + 1));
        cmd.engine().warn("env", "SN10032",
                          "Spurious usage of '=' in an environment variable name. '" +
                              std::string(cmd.spec().name) + " " + first + " " + rest +
                              "' expected instead?");
    }
    cmd.conf<EnvDirConfig>().set(name, a.size() > 1 ? a[1] : std::string());
    return std::nullopt;
}

CmdResult pass_env(Cmd& cmd, Args a) {
    const char* value = std::getenv(a[0].c_str());
    if (value == nullptr) {
        cmd.engine().warn("env", "SN01506", "PassEnv variable " + a[0] + " was undefined");
        return std::nullopt;
    }
    cmd.conf<EnvDirConfig>().set(a[0], value);
    return std::nullopt;
}

CmdResult unset_env(Cmd& cmd, Args a) {
    auto& c = cmd.conf<EnvDirConfig>();
    c.unset(a[0]);
    if (std::none_of(c.unsets.begin(), c.unsets.end(),
                     [&](const std::string& u) { return equals_nocase(u, a[0]); })) {
        c.unsets.push_back(a[0]);
    }
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"PassEnv", ArgForm::Iterate, kOrFileInfo, 0, ConfLevel::Dir, pass_env,
     "names of server environment variables handed on to CGI scripts"},
    {"SetEnv", ArgForm::Take12, kOrFileInfo, 0, ConfLevel::Dir, set_env,
     "variable name and optional value (empty if absent) for CGI scripts"},
    {"UnsetEnv", ArgForm::Iterate, kOrFileInfo, 0, ConfLevel::Dir, unset_env,
     "names of variables removed from the CGI environment"},
};

}  // namespace

const std::string* EnvDirConfig::find(std::string_view name) const {
    for (const auto& [k, v] : vars) {
        if (equals_nocase(k, name)) {
            return &v;
        }
    }
    return nullptr;
}

void EnvDirConfig::set(const std::string& name, std::string value) {
    auto same = [&](const auto& kv) { return equals_nocase(kv.first, name); };
    auto it = std::find_if(vars.begin(), vars.end(), same);
    if (it == vars.end()) {
        vars.emplace_back(name, std::move(value));
        return;
    }
    it->second = std::move(value);
    vars.erase(std::remove_if(std::next(it), vars.end(), same), vars.end());
}

void EnvDirConfig::unset(std::string_view name) {
    std::erase_if(vars, [&](const auto& kv) { return equals_nocase(kv.first, name); });
}

EnvDirConfig EnvDirConfig::merge(const EnvDirConfig& base, const EnvDirConfig& add) {
    EnvDirConfig c;
    c.vars = base.vars;
    for (const std::string& u : add.unsets) {
        c.unset(u);
    }
    for (const auto& [k, v] : add.vars) {
        c.set(k, v);
    }
    return c;
}

void env_register_hooks(HookRegistry& hooks);

Module env_module{
    .name = "env_module",
    .source = "mod_env.c",
    .directives = kDirectives,
    .dir_config = config_ops<EnvDirConfig>(),
    .register_hooks = env_register_hooks,
};

}  // namespace sonora::modules::metadata
