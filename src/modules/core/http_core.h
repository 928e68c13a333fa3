#pragma once
// httpd's http_core.c: keep-alive settings (per server).

#include <sonora/module.h>

#include <optional>

namespace sonora::modules::core {

extern Module http_module;

struct HttpCoreConfig {
    std::optional<bool> keep_alive;                  // default On
    std::optional<long long> keep_alive_timeout_ms;  // default 5 s
    std::optional<int> max_keep_alive_requests;      // default 100, 0 = unlimited

    static HttpCoreConfig merge(const HttpCoreConfig& base, const HttpCoreConfig& add);
};

}  // namespace sonora::modules::core
