#pragma once
// httpd's mod_status: the server-status handler. In Apache 2.4 it has no
// directives of its own (ExtendedStatus and SeeRequestTail belong to core);
// registering it makes `LoadModule status_module` and `<IfModule mod_status.c>`
// work. The handler comes with the request pipeline.

#include <sonora/module.h>

namespace sonora::modules::generators {

extern Module status_module;

}  // namespace sonora::modules::generators
