// httpd's mod_actions: Action and Script, and the handler that follows them.

#include "modules/mappers/mod_actions.h"

#include "core/strings.h"
#include "modules/core/request_log.h"
#include "modules/mappers/mod_alias.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <algorithm>
#include <cctype>

namespace sonora::modules::mappers {

namespace {

using Args = std::span<const std::string>;

CmdResult action_cmd(Cmd& cmd, Args a) {
    ActionTarget target{a[1], false};
    if (a.size() == 3) {
        if (a[2] != "virtual") {
            return "unrecognized option '" + a[2] + "'";
        }
        target.is_virtual = true;
    }
    cmd.conf<ActionsDirConfig>().actions[a[0]] = std::move(target);
    return std::nullopt;
}

CmdResult script_cmd(Cmd& cmd, Args a) {
    if (a[0] == "TRACE") {
        return std::string("TRACE not allowed for Script");
    }
    cmd.conf<ActionsDirConfig>().scripts[a[0]] = a[1];
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"Action", ArgForm::Take23, kOrFileInfo, 0, ConfLevel::Dir, action_cmd,
     "a media type followed by a script name"},
    {"Script", ArgForm::Take2, kAccessConf | kRsrcConf, 0, ConfLevel::Dir, script_cmd,
     "a method followed by a script name"},
};

// The script for the request's method: httpd numbers HEAD as GET, and a
// GET script answers only requests with a query string.
const std::string* script_for(const ActionsDirConfig& c, const request::Request& r) {
    if (c.scripts.empty()) {
        return nullptr;
    }
    const bool get = r.method == request::Method::Get || r.method == request::Method::Head;
    auto it = c.scripts.find(get ? std::string("GET") : std::string(r.method_name));
    if (it == c.scripts.end() || (get && r.target.find('?') == std::string_view::npos)) {
        return nullptr;
    }
    return &it->second;
}

int action_handler(request::Request& r, Services& services) {
    const auto* c = r.dir_config != nullptr ? r.dir_config->get<ActionsDirConfig>(actions_module.index) : nullptr;
    if (c == nullptr || r.method == request::Method::Options) {
        return kDeclined;
    }
    const std::string* script = script_for(*c, r);
    if (script == nullptr && !c->actions.empty()) {
        std::string_view action = r.handler;
        if (action.empty()) {
            action = std::string_view(r.content_type).substr(0, r.content_type.find(';'));
            action = trim(action);
        }
        auto it = c->actions.find(std::string(action));
        if (it != c->actions.end()) {
            if (!it->second.is_virtual && !r.has_finfo) {
                core::log_request_error(r, LogLevel::Info, "actions", "SN00652",
                                        "File does not exist: " + std::string(r.filename));
                return 404;
            }
            script = &it->second.url;
        }
    }
    if (script == nullptr) {
        return kDeclined;
    }
    std::string target = *script + escape_path(r.uri);
    if (r.target.find('?') != std::string_view::npos) {
        target.append("?").append(r.query);
    }
    return services.internal_redirect(r, target) ? kRedirected : 500;
}

void actions_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, action_handler, HookOrder::Last); }

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
        return std::tolower(x) < std::tolower(y);
    });
}

ActionsDirConfig ActionsDirConfig::merge(const ActionsDirConfig& base, const ActionsDirConfig& add) {
    ActionsDirConfig out = base;
    for (const auto& [name, target] : add.actions) {
        out.actions[name] = target;
    }
    for (const auto& [method, url] : add.scripts) {
        out.scripts[method] = url;
    }
    return out;
}

Module actions_module{
    .name = "actions_module",
    .source = "mod_actions.c",
    .directives = kDirectives,
    .dir_config = config_ops<ActionsDirConfig>(),
    .register_hooks = actions_register_hooks,
};

}  // namespace sonora::modules::mappers
