// httpd's mod_status (see mod_status.h): the handler and the module.

#include "modules/generators/mod_status.h"

#include "config/generation.h"
#include "core/scoreboard.h"
#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/signature.h"
#include "modules/generators/mod_status_options.h"
#include "modules/generators/mod_status_render.h"
#include "modules/generators/mod_status_snapshot.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <stdlib.h>

#include <chrono>
#include <string>

namespace sonora::modules::generators {

namespace {

constexpr const char* kVersion = "Sonora/" SONORA_VERSION " (Unix)";
constexpr const char* kBuilt = __DATE__ " " __TIME__;

// Filled by post_config from the main server's ExtendedStatus, which is
// global: a virtual host's core configuration does not carry it.
struct StatusServerConfig {
    bool extended = true;
};

const StatusServerConfig& status_config(const Server& s) {
    static const StatusServerConfig fallback;
    const auto* c = s.module_config.get<StatusServerConfig>(status_module.index);
    return c != nullptr ? *c : fallback;
}

CmdResult status_post_config(config::Generation& gen) {
    const bool extended = gen.main_conf<core::CoreServerConfig>(core::core_module).extended_status.value_or(true);
    auto record = [&](Server& s) {
        if (auto* c = s.module_config.get_mutable<StatusServerConfig>(status_module.index)) {
            c->extended = extended;
        }
    };
    record(gen.main);
    for (auto& vh : gen.vhosts) {
        record(*vh);
    }
    gen.shows_local_address = true;  // the page's heading names it ("via 10.0.0.1")
    return std::nullopt;
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int status_handler(request::Request& r, Services& services) {
    if (!equals_nocase(r.handler, "server-status") && !equals_nocase(r.handler, "application/x-httpd-status")) {
        return kDeclined;
    }
    const scoreboard::Scoreboard* board = scoreboard::current();
    if (board == nullptr) {
        return 500;  // httpd: "Server status unavailable in inetd mode"
    }
    if (r.method != request::Method::Get && r.method != request::Method::Head) {
        return kDeclined;
    }
    const status::Options options = status::parse_options(r.query);

    status::SnapshotInputs in;
    in.now_us = now_us();
    in.extended = status_config(*r.server).extended;
    in.cpu_of = status::read_process_cpu;
    if (::getloadavg(in.load, 3) != 3) {
        in.load[0] = in.load[1] = in.load[2] = -1;  // httpd's value when it cannot tell
    }
    const status::Snapshot snapshot = status::take_snapshot(*board, in);

    const std::string footer =
        options.machine ? std::string() : core::server_signature(r, services.server_banner(), "<hr />\n");
    status::PageInfo page;
    page.host = core::server_name(r);
    page.local_ip = r.connection != nullptr ? r.connection->local_ip : std::string_view();
    page.version = kVersion;
    page.built = kBuilt;
    page.notable = options.notable;
    page.signature = footer;

    std::string body;
    if (options.machine) {
        status::render_auto(snapshot, page, body);
        r.content_type.assign("text/plain; charset=ISO-8859-1");
    } else {
        status::render_html(snapshot, page, body);
        r.content_type.assign("text/html; charset=ISO-8859-1");
    }
    if (options.refresh) {
        r.add_header("Refresh", r.keep(std::to_string(*options.refresh)));
    }
    r.body.kind = request::Body::Kind::Memory;
    r.body.memory = r.keep(body);
    return kOk;
}

void status_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, status_handler); }

}  // namespace

Module status_module{
    .name = "status_module",
    .source = "mod_status.c",
    .server_config = config_ops<StatusServerConfig>(),
    .post_config = status_post_config,
    .register_hooks = status_register_hooks,
};

}  // namespace sonora::modules::generators
