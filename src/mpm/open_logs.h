#pragma once
// What the parent opens for a configuration before it forks (httpd's
// open_logs phase): the ErrorLog, then every enabled module's open_logs
// hook (access logs, mod_mime's types file check), as the user that started
// the server. The error is what httpd prints, all lines of it.

#include "config/generation.h"

#include <optional>
#include <string>

namespace sonora::mpm {

std::optional<std::string> open_logs(config::Generation& gen, const std::string& program);

}  // namespace sonora::mpm
