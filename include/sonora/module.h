#pragma once
// A module: httpd's `module` struct as a C++ descriptor.
//
// Every module is compiled in. A module is *enabled* for a configuration when
// it is static (always on, as httpd's compiled-in modules: `-l` lists these) or
// when the configuration names it with `LoadModule name path`. Only enabled
// modules contribute directives, config objects and hooks, so a module that is
// not enabled costs nothing per request.

#include <sonora/config.h>
#include <sonora/directive.h>

#include <cstddef>
#include <span>
#include <string_view>

namespace sonora {

namespace config {
class Generation;
}

class HookRegistry;

// Module ABI version, checked when the module list is assembled (httpd's MMN).
inline constexpr int kModuleMagic = 20261206;

// Limits on how long a connection may take to deliver one stage of a
// request (mod_reqtimeout's RequestReadTimeout). A stage's clock starts with
// its first byte (a keep-alive connection waiting for its next request is
// under KeepAliveTimeout, not these); each read of N bytes moves the deadline
// N / min_rate seconds later, up to max_timeout_s after the stage began.
struct StageTimeout {
    int timeout_s = 0;      // 0: no limit for this stage
    int max_timeout_s = 0;  // 0: no ceiling for the extensions
    int min_rate = 0;       // bytes per second that buy one more second; 0: none
    bool enabled() const { return timeout_s > 0; }
};
struct ReadTimeouts {
    StageTimeout handshake;  // TLS handshake (no TLS yet: kept, unused)
    StageTimeout header;     // request line and headers
    StageTimeout body;       // request body
};

struct Module {
    std::string_view name{};    // httpd's identifier: "mime_module"
    std::string_view source{};  // httpd's source file name: "mod_mime.c" (IfModule, -l)
    std::span<const DirectiveSpec> directives{};
    ConfigOps dir_config{};     // per-directory config type, if any
    ConfigOps server_config{};  // per-server config type, if any
    bool is_static = false;   // enabled without LoadModule
    // Runs once the whole configuration has been read and merged: cross-directive
    // checks that need the final picture (DocumentRoot exists, one MPM...).
    // Returns an error message naming what is wrong, or nullopt.
    CmdResult (*post_config)(config::Generation& gen) = nullptr;
    // Runs in the server's parent before it forks, as root when started as
    // root (httpd's open_logs): files and programs the children inherit.
    // Not run by -t. Returns an error message, or nullopt.
    CmdResult (*open_logs)(config::Generation& gen) = nullptr;
    // Runs in each child process after fork, before it serves (httpd's
    // child_init; also the one process of -X): e.g. mod_unixd takes on User,
    // Group and ChrootDir. An error is fatal for the child, and for the
    // server, which cannot ever run such a child.
    CmdResult (*child_init)(const config::Generation& gen) = nullptr;
    // Connection-level read limits for requests to `server` (mod_reqtimeout);
    // called once per server when a generation starts serving, by the layer
    // that reads from connections. Leaves `out` alone when it has nothing to say.
    void (*read_timeouts)(const Server& server, ReadTimeouts& out) = nullptr;
    // Registers the module's request hooks (sonora/hooks.h).
    void (*register_hooks)(HookRegistry& hooks) = nullptr;
    int magic = kModuleMagic;
    // Position in the module list, assigned once at startup; indexes ConfigVector.
    std::size_t index = 0;
};

}  // namespace sonora
