#pragma once
// mod_rewrite's hooks: translate_name (server context), fixups (directory
// context, and the forced type and handler), and the map programs started
// before the children fork.

#include <sonora/directive.h>
#include <sonora/hooks.h>

namespace sonora::config {
class Generation;
}

namespace sonora::modules::mappers::rewrite {

void rewrite_register_hooks(HookRegistry& hooks);
CmdResult rewrite_open_logs(config::Generation& gen);

}  // namespace sonora::modules::mappers::rewrite
