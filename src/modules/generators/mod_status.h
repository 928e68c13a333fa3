#pragma once
// httpd's mod_status: the server-status handler.
//
// `SetHandler server-status` (or the handler name application/x-httpd-status)
// answers GET and HEAD with the state of every process and worker read from
// the scoreboard (core/scoreboard.h): an HTML page, or with ?auto the
// "Key: value" form scripts and exporters read; ?refresh[=N] and ?notable as
// in httpd (mod_status_options.h). Other methods are declined, as httpd
// declines them, and reach the default handler.
//
// Apache 2.4 gives mod_status no directives of its own: ExtendedStatus
// belongs to core, and is on by default once this module is loaded. With it
// off, connections record no per-request details and the page shows the key
// map and the PID key only.
//
// Files: mod_status_options (the query), mod_status_snapshot (reading the
// scoreboard), mod_status_html and mod_status_auto (the two forms),
// mod_status_format (httpd's number and time formats).

#include <sonora/module.h>

namespace sonora::modules::generators {

extern Module status_module;

}  // namespace sonora::modules::generators
