#include "mpm/open_logs.h"

#include "core/log.h"
#include "logs/error_log.h"
#include "modules/core/core_config.h"

namespace sonora::mpm {

std::optional<std::string> open_logs(config::Generation& gen, const std::string& program) {
    const auto& core = gen.main_conf<modules::core::CoreServerConfig>(modules::core::core_module);
    set_log_level(LogLevelSetting::parse(core.log_level.value_or("warn")));
    if (auto err = logs::open_error_log(core.error_log.value_or(gen.server_root + "/logs/error_log"), program)) {
        return *err + "\nSN00015: Unable to open logs";
    }
    for (const auto& loaded : gen.modules.loaded()) {
        if (loaded.module->open_logs != nullptr) {
            if (auto err = loaded.module->open_logs(gen)) {
                return err;
            }
        }
    }
    return std::nullopt;
}

}  // namespace sonora::mpm
