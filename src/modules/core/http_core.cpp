// httpd's http_core.c directives: KeepAlive, KeepAliveTimeout, MaxKeepAliveRequests.

#include "modules/core/http_core.h"

#include "core/strings.h"


namespace sonora::modules::core {

namespace {

using Args = std::span<const std::string>;

CmdResult set_keep_alive_timeout(Cmd& cmd, Args a) {
    auto ms = parse_duration_ms(a[0]);
    if (!ms) {
        return std::string("KeepAliveTimeout has wrong format");
    }
    cmd.conf<HttpCoreConfig>().keep_alive_timeout_ms = *ms;
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"KeepAlive", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server, set_flag<&HttpCoreConfig::keep_alive>,
     "Whether connections stay open for further requests"},
    {"KeepAliveTimeout", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_keep_alive_timeout,
     "Seconds an idle persistent connection is kept open"},
    {"MaxKeepAliveRequests", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server,
     set_int<&HttpCoreConfig::max_keep_alive_requests>,
     "Requests served on one persistent connection (0 = unlimited)"},
};

}  // namespace

HttpCoreConfig HttpCoreConfig::merge(const HttpCoreConfig& base, const HttpCoreConfig& add) {
    HttpCoreConfig c;
    c.keep_alive = add.keep_alive ? add.keep_alive : base.keep_alive;
    c.keep_alive_timeout_ms = add.keep_alive_timeout_ms ? add.keep_alive_timeout_ms : base.keep_alive_timeout_ms;
    c.max_keep_alive_requests =
        add.max_keep_alive_requests ? add.max_keep_alive_requests : base.max_keep_alive_requests;
    return c;
}

Module http_module{
    .name = "http_module",
    .source = "http_core.c",
    .directives = kDirectives,
    .server_config = config_ops<HttpCoreConfig>(),
    .is_static = true,
};

}  // namespace sonora::modules::core
