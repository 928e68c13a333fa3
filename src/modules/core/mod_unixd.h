#pragma once
// httpd's mod_unixd: the user and group children run as.

#include <sonora/module.h>

#include <optional>
#include <string>

namespace sonora::modules::core {

extern Module unixd_module;

struct UnixdConfig {
    std::optional<std::string> user;   // name or #uid
    std::optional<std::string> group;  // name or #gid
    std::optional<std::string> chroot_dir;
    std::optional<bool> suexec;
};

}  // namespace sonora::modules::core
