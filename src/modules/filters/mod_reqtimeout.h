#pragma once
// httpd's mod_reqtimeout: RequestReadTimeout limits how long a client may
// take to send a request's headers and body (and, with TLS, its handshake),
// optionally extended while it sends at least MinRate bytes per second. The
// limits are enforced where connections are read (src/net/connection.cpp),
// which asks for them through Module::read_timeouts.
//
// Loaded, the module applies httpd 2.4's defaults even without the
// directive: header=20-40,MinRate=500 body=20,MinRate=500 handshake=0.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <string_view>

namespace sonora::modules::filters {

extern Module reqtimeout_module;

struct ReqTimeoutServerConfig {
    std::optional<StageTimeout> handshake, header, body;  // unset: inherited, then the default

    static ReqTimeoutServerConfig merge(const ReqTimeoutServerConfig& base, const ReqTimeoutServerConfig& add);
};

// One RequestReadTimeout argument ("header=20-40,MinRate=500"), checked as
// httpd checks it; returns httpd's message for a bad one.
std::optional<std::string> parse_read_timeout(std::string_view arg, ReqTimeoutServerConfig& into);

}  // namespace sonora::modules::filters
