// Sonora runs no CGI yet. A request handed to the cgi-script handler (by
// ScriptAlias, VirtualScriptAlias, AddHandler or SetHandler) is refused with
// 500 and a log line, whichever module routed it there. httpd without
// mod_cgi sends the script's source as a file; that exposes code an
// operator meant to run, so Sonora does not follow it there.

#include "modules/core/no_cgi.h"

#include "modules/core/request_log.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

namespace sonora::modules::core {

namespace {

int refuse_cgi(request::Request& r, Services&) {
    // A script that is not there is the default handler's 404, as with httpd.
    if (r.handler != kCgiScriptHandler || !r.has_finfo) {
        return kDeclined;
    }
    log_request_error(r, LogLevel::Error, "core", "SN90002",
                      r.filename + ": handler \"cgi-script\" is not available yet (Sonora runs no CGI "
                                   "scripts); refusing to send the script as a file");
    return 500;
}

}  // namespace

void no_cgi_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, refuse_cgi, HookOrder::Last); }

}  // namespace sonora::modules::core
