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

#include <cstdint>
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

// ScriptLog: where failed scripts are described (httpd's format: the
// request line, the status and file, then what went wrong, the request's
// head and the start of its body, the script's head, stdout and stderr),
// written while the file is under ScriptLogLength bytes; ScriptLogBuffer
// bounds how much of a request body is kept for it.
struct ScriptLogSettings {
    std::string path;                        // empty: no script log
    std::uint64_t max_length = 10385760;     // ScriptLogLength
    std::uint64_t body_bytes = 1024;         // ScriptLogBuffer
};

struct CgiServerConfig {
    std::optional<std::string> log;
    std::optional<std::uint64_t> log_length, log_buffer;
    ScriptLogSettings settings() const {
        ScriptLogSettings s;
        s.path = log.value_or(std::string());
        s.max_length = log_length.value_or(s.max_length);
        s.body_bytes = log_buffer.value_or(s.body_bytes);
        return s;
    }
    static CgiServerConfig merge(const CgiServerConfig& base, const CgiServerConfig& add) {
        return CgiServerConfig{add.log ? add.log : base.log, add.log_length ? add.log_length : base.log_length,
                               add.log_buffer ? add.log_buffer : base.log_buffer};
    }
};

}  // namespace sonora::modules::generators
