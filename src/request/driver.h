#pragma once
// The request driver: httpd's ap_process_request_internal as one function over
// fixed phases. Every request goes through here, error documents and
// DirectoryIndex redirects included (as internal redirects); do not add a
// second path that skips phases.
//
// Phases: server selection (virtual host by Host and local address) ->
// translate_name (DocumentRoot) -> map_to_storage (file lookup, PATH_INFO,
// per-dir config from the walks) -> access (Require all granted/denied) ->
// type_checker (mod_mime) -> fixups (mod_dir: DirectorySlash, DirectoryIndex,
// FallbackResource) -> handler (the default file handler) -> error response.

#include "config/generation.h"
#include "request/file_cache.h"
#include "request/request.h"
#include "request/walk.h"

#include <cstdint>
#include <memory>

namespace sonora::request {

struct Context {
    const config::Generation& gen;
    Walker& walker;
    FileCache& files;
    std::int64_t now_ms = 0;  // monotonic, for the file cache
    std::string_view server_banner;  // the Server header value, for ServerSignature
};

// Runs every phase for `r` (whose head fields and `uri` are filled) and leaves
// the response in r.status, r.headers_out, r.content_type and r.body.
// `file_ref` receives the file entry the body refers to, to keep it alive
// while the response is written.
void process_request(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& file_ref);

// Fills r with the response for an error status (canned body or ErrorDocument).
// A local ErrorDocument may answer with a file; `file_ref` then keeps it alive.
void error_response(Request& r, Context& ctx, int status, std::string_view detail = {},
                    std::shared_ptr<const FileEntry>* file_ref = nullptr);

}  // namespace sonora::request
