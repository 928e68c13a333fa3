#pragma once
// A server: the main server or one <VirtualHost>, httpd's server_rec reduced to
// what is not a module's own configuration.

#include <sonora/config.h>

#include <memory>
#include <string>
#include <vector>

namespace sonora {

struct Server {
    bool is_virtual = false;
    std::shared_ptr<const std::string> defn_file;  // where <VirtualHost> (or the main config) is
    int defn_line = 0;
    std::vector<std::string> addresses;  // <VirtualHost> arguments as written: "*:80", "[::1]:8080"
    ConfigVector module_config;          // per-server configs, one per module
    ConfigVector lookup_defaults;        // per-dir configs at server level (outside any section)
};

}  // namespace sonora
