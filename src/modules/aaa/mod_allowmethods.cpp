// httpd's mod_allowmethods: the AllowMethods directive and its access check.

#include "modules/aaa/mod_allowmethods.h"

#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <algorithm>

namespace sonora::modules::aaa {

namespace {

using Args = std::span<const std::string>;

// The names httpd's ap_method_number_of knows without a module registering
// more (Sonora has none that do): its built-in methods and WebDAV's.
constexpr std::string_view kKnownMethods[] = {
    "GET", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH",
    "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN",
    "UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE",
};

// A method as httpd numbers it: HEAD is GET.
std::string_view method_number(std::string_view name) { return name == "HEAD" ? std::string_view("GET") : name; }

CmdResult allow_methods(Cmd& cmd, Args a) {
    auto& c = cmd.conf<AllowMethodsDirConfig>();
    if (a.empty()) {
        return std::string("AllowMethods: No method or 'reset' keyword given");
    }
    std::vector<std::string> allowed = c.allowed.value_or(std::vector<std::string>{});
    if (a.size() == 1 && a[0] == "reset") {
        c.allowed = std::vector<std::string>{};
        return std::nullopt;
    }
    for (const std::string& m : a) {
        const std::string_view number = method_number(m);
        if (std::find(std::begin(kKnownMethods), std::end(kKnownMethods), number) == std::end(kKnownMethods)) {
            return "AllowMethods: Invalid Method '" + m + "'";
        }
        if (std::find(allowed.begin(), allowed.end(), number) == allowed.end()) {
            allowed.emplace_back(number);
        }
    }
    c.allowed = std::move(allowed);
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"AllowMethods", ArgForm::TakeArgv, kAccessConf, 0, ConfLevel::Dir, allow_methods, "only allow specific methods"},
};

int check_method(request::Request& r, Services&) {
    const auto* c = r.dir_config != nullptr ? r.dir_config->get<AllowMethodsDirConfig>(allowmethods_module.index)
                                             : nullptr;
    if (c == nullptr || c->allows(r.method_name)) {
        return kDeclined;
    }
    core::log_request_error(r, LogLevel::Error, "allowmethods", "SN01623",
                            "client method denied by server configuration: '" + std::string(r.method_name) +
                                "' to " + (r.filename.empty() ? "uri " + std::string(r.uri) : std::string(r.filename)));
    // httpd lists no method of the location here: its Allow is built from
    // what a handler declared, and no handler has run; only TRACE, which the
    // server answers itself, where TraceEnable permits it.
    if (r.server == nullptr ||
        core::server_config(*r.server).trace_enable.value_or(core::Tristate::On) != core::Tristate::Off) {
        r.add_header("Allow", "TRACE");
    }
    return 405;
}

void allowmethods_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::AccessChecker, check_method, HookOrder::ReallyFirst);
}

}  // namespace

bool AllowMethodsDirConfig::allows(std::string_view method) const {
    if (!allowed || allowed->empty()) {
        return true;
    }
    const std::string_view number = method_number(method);
    return std::find(allowed->begin(), allowed->end(), number) != allowed->end();
}

AllowMethodsDirConfig AllowMethodsDirConfig::merge(const AllowMethodsDirConfig& base,
                                                   const AllowMethodsDirConfig& add) {
    return add.allowed ? add : base;
}

Module allowmethods_module{
    .name = "allowmethods_module",
    .source = "mod_allowmethods.c",
    .directives = kDirectives,
    .dir_config = config_ops<AllowMethodsDirConfig>(),
    .register_hooks = allowmethods_register_hooks,
};

}  // namespace sonora::modules::aaa
