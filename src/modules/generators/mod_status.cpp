// httpd's mod_status: registered without directives (see mod_status.h).

#include "modules/generators/mod_status.h"

namespace sonora::modules::generators {

Module status_module{
    .name = "status_module",
    .source = "mod_status.c",
};

}  // namespace sonora::modules::generators
