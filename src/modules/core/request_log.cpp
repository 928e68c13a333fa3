#include "modules/core/request_log.h"

#include "modules/core/core_config.h"

#include <string>

namespace sonora::modules::core {

void log_request_error(const request::Request& r, LogLevel level, std::string_view module, std::string_view id,
                       std::string_view message) {
    const std::optional<std::string>* words = nullptr;
    if (r.dir_config != nullptr) {
        if (const auto* dir = r.dir_config->get<CoreDirConfig>(core_module.index); dir != nullptr && dir->log_level) {
            words = &dir->log_level;
        }
    }
    if (words == nullptr && r.server != nullptr) {
        if (const auto& srv = server_config(*r.server).log_level) {
            words = &srv;
        }
    }
    // Rare messages (denials, failures): parsing the setting here keeps the
    // configuration structs as they are.
    LogLevelSetting setting = words != nullptr ? LogLevelSetting::parse(**words) : LogLevelSetting{};
    if (level != LogLevel::Notice && !setting.enabled(level, module)) {
        return;
    }
    std::string client(r.client_ip);
    client += ':';
    client += std::to_string(r.client_port);
    write_log_line(level, format_log_line(level, module, id, message, client));
}

}  // namespace sonora::modules::core
