#pragma once
// httpd's mod_cgi: the cgi-script handler (ScriptAlias, AddHandler
// cgi-script, SetHandler) runs the file as a CGI/1.1 script.
//
// As httpd: a script needs Options ExecCGI where it lies unless a
// ScriptAlias (or VirtualScriptAlias) mapped it (403 otherwise); a missing
// script is 404, a directory 403, each logged as httpd logs them. The script
// starts in its own directory with the CGI environment (mod_cgi_env.h), an
// ISINDEX query (no '=') as its arguments; the request body is streamed to
// its stdin as it arrives, its stdout parsed as a CGI head
// (modules/core/script_head.h) then streamed to the client, its stderr
// logged line by line. A script named nph-* writes the whole response itself.
// CGIScriptTimeout (else Timeout) bounds each wait for output: before the
// head, 504 as httpd.
//
// Sonora starts scripts with posix_spawn from the event loop (os/spawn.h),
// which never copies a threaded process's address space the way fork does;
// that is what httpd's mod_cgid daemon exists for, so the daemon is not
// needed here. Merge rule for CGIScriptTimeout: the nearer section's value.

#include <sonora/module.h>

#include <optional>
#include <string>

namespace sonora::modules::generators {

extern Module cgi_module;
extern Module cgid_module;  // the same, as Debian's threaded MPMs load it

struct CgiDirConfig {
    std::optional<long long> timeout_ms;  // CGIScriptTimeout; unset: the server's Timeout
    static CgiDirConfig merge(const CgiDirConfig& base, const CgiDirConfig& add) {
        return CgiDirConfig{add.timeout_ms ? add.timeout_ms : base.timeout_ms};
    }
};

}  // namespace sonora::modules::generators
