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
namespace metadata {
extern Module mime_module;
extern Module env_module;
extern Module setenvif_module;
extern Module headers_module;
extern Module expires_module;
}  // namespace metadata
namespace mappers {
extern Module dir_module;
extern Module alias_module;
extern Module negotiation_module;
extern Module vhost_alias_module;
namespace rewrite {
extern Module rewrite_module;
}
using rewrite::rewrite_module;
extern Module actions_module;
extern Module speling_module;
}  // namespace mappers
namespace generators {
extern Module status_module;
extern Module autoindex_module;
extern Module asis_module;
extern Module cgi_module;
extern Module cgid_module;
}  // namespace generators
namespace filters {
extern Module reqtimeout_module;
extern Module include_module;
extern Module request_module;
extern Module filter_module;
extern Module deflate_module;
extern Module brotli_module;
}  // namespace filters
// [metadata-mappers-end]
// [loggers-aaa-begin]
namespace loggers {
extern Module log_config_module;  // static
extern Module logio_module;       // static
extern Module log_debug_module;
}  // namespace loggers
namespace aaa {
extern Module authn_core_module;
extern Module authz_core_module;
extern Module authz_host_module;
extern Module access_compat_module;
extern Module auth_basic_module;
extern Module authn_file_module;
extern Module authz_user_module;
extern Module authz_groupfile_module;
extern Module allowmethods_module;
}  // namespace aaa
// [loggers-aaa-end]

std::span<Module* const> builtin_modules() {
    static Module* const kModules[] = {
        &core::core_module,      &core::so_module,         &core::http_module,
        &core::version_module,   &core::unixd_module,      &core::mpm_event_module,
        &core::mpm_worker_module, &core::mpm_prefork_module,
        // Static modules above, loadable below. [list-metadata-mappers-begin]
        &metadata::mime_module, &mappers::dir_module, &mappers::alias_module, &metadata::env_module,
        &metadata::setenvif_module, &generators::status_module, &mappers::negotiation_module,
        &filters::reqtimeout_module, &filters::include_module, &filters::request_module, &filters::filter_module, &generators::autoindex_module, &metadata::headers_module,
        &metadata::expires_module, &mappers::vhost_alias_module, &generators::asis_module,
        &mappers::actions_module, &mappers::speling_module, &generators::cgi_module, &generators::cgid_module,
        &filters::deflate_module, &filters::brotli_module, &mappers::rewrite_module,
        // [list-metadata-mappers-end]
        // [list-loggers-aaa-begin]
        &loggers::log_config_module, &loggers::logio_module,  // static: enabled without LoadModule
        &loggers::log_debug_module,
        &aaa::authn_core_module, &aaa::authz_core_module, &aaa::authz_host_module,
        &aaa::access_compat_module, &aaa::auth_basic_module, &aaa::authn_file_module, &aaa::authz_user_module,
        &aaa::authz_groupfile_module, &aaa::allowmethods_module,
        // [list-loggers-aaa-end]
    };
    return kModules;
}

}  // namespace sonora::modules
