#include "modules/module_list.h"

#include "modules/core/core_config.h"
#include "modules/core/http_core.h"
#include "modules/core/mod_unixd.h"
#include "modules/core/mpm.h"

namespace sonora::modules {

namespace core {
extern Module so_module;
extern Module version_module;
}  // namespace core

// Loadable modules declare themselves here (one extern per module, grouped).
// [metadata-mappers-begin]
// [metadata-mappers-end]
// [loggers-aaa-begin]
// [loggers-aaa-end]

std::span<Module* const> builtin_modules() {
    static Module* const kModules[] = {
        &core::core_module,      &core::so_module,         &core::http_module,
        &core::version_module,   &core::unixd_module,      &core::mpm_event_module,
        &core::mpm_worker_module, &core::mpm_prefork_module,
        // Static modules above, loadable below. [list-metadata-mappers-begin]
        // [list-metadata-mappers-end]
        // [list-loggers-aaa-begin]
        // [list-loggers-aaa-end]
    };
    return kModules;
}

}  // namespace sonora::modules
