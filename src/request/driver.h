#pragma once
// The request driver: httpd's ap_process_request_internal as one function over
// fixed phases. Every request goes through here, error documents and
// DirectoryIndex redirects included (as internal redirects); do not add a
// second path that skips phases.
//
// Phases: translate_name (hooks, then core's DocumentRoot) -> map_to_storage
// (core: file lookup, PATH_INFO, per-dir config from the walks, the walk's
// symlink and .htaccess refusals: dir_checks.h) ->
// <If> -> header_parser -> access (access_checker hooks: mod_access_compat;
// access_checker_ex: mod_authz_core; when it needs a user, check_user_id:
// mod_auth_basic, then auth_checker: mod_authz_core again; Satisfy combines
// them) -> type_checker hooks (mod_mime) ->
// fixups hooks (core's ForceType/SetHandler, mod_dir) -> handler hooks, then
// core's default file handler -> error response. Hook arrays come from the
// enabled modules' register_hooks, frozen per generation (Pipeline).

#include "config/generation.h"
#include "request/file_cache.h"
#include "request/request.h"
#include "request/walk.h"

#include <sonora/hooks.h>

#include <cstdint>
#include <memory>

namespace sonora::request {

// The hook arrays of one generation, frozen from the enabled modules.
class Pipeline {
public:
    explicit Pipeline(const config::Generation& gen);
    std::span<const HookFn> phase(Phase p) const { return phases_[static_cast<std::size_t>(p)]; }
    // The output filters the enabled modules provide (sonora/filter.h).
    const std::vector<const OutputFilterSpec*>& output_filters() const { return filters_; }
    // The input filters they provide.
    const std::vector<const InputFilterSpec*>& input_filters() const { return input_filters_; }

private:
    std::vector<const OutputFilterSpec*> filters_;
    std::vector<const InputFilterSpec*> input_filters_;
    std::array<std::vector<HookFn>, static_cast<std::size_t>(Phase::Count)> phases_;
};

struct Context {
    const config::Generation& gen;
    Walker& walker;
    FileCache& files;
    std::int64_t now_ms = 0;  // monotonic, for the file cache
    std::string_view server_banner;  // the Server header value, for ServerSignature
    const Pipeline* pipeline = nullptr;
};

// Runs every phase for `r` (whose head fields and `uri` are filled) and leaves
// the response in r.status, r.headers_out, r.content_type and r.body.
// `file_ref` receives the file entry the body refers to, to keep it alive
// while the response is written.
void process_request(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& file_ref);

// A handler's exchange (Request::exchange) is ready or its deadline passed:
// runs its on_ready with the request's services and returns what it answers.
int exchange_ready(Request& r, Context& ctx, Exchange& exchange, std::int64_t now_ms);

// Goes on with a request once its exchange has decided (`status` from
// exchange_ready, not kDeclined): kOk, the head is on r and the body streams
// from the exchange; kRedirected, the phases run again for the new URI (the
// connection has let go of the old exchange; the new URI may start another);
// an HTTP status, its error page. Then finish_headers, unless a new exchange
// is pending.
void resume_exchange(Request& r, Context& ctx, int status, std::shared_ptr<const FileEntry>& file_ref);

// A subrequest for `uri` as httpd's make_sub_request sets it up from its
// main request `r` (same client, head and server; GET; the environment
// copied), ready for the phases.
void init_subrequest(Request& sub, const Request& r, std::string_view uri);

// Decodes and normalises r.uri, a URL path as written (a subrequest's, an
// internal redirect's target), as the client's own path is: 0, or the
// status a bad path answers (400, 404), r.uri then left as written.
int decode_uri(Request& r);

// Runs the headers_out (or, for an error page, error_headers_out) hooks once
// the response is complete, before its head is written.
void finish_headers(Request& r, Context& ctx);

// Runs the log_transaction hooks once the response has been queued.
void log_transaction(Request& r, Context& ctx);

// Fills r with the response for an error status (canned body or ErrorDocument).
// A local ErrorDocument may answer with a file; `file_ref` then keeps it alive.
void error_response(Request& r, Context& ctx, int status, std::string_view detail = {},
                    std::shared_ptr<const FileEntry>* file_ref = nullptr);

}  // namespace sonora::request
