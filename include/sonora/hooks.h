#pragma once
// Request-processing hooks: httpd's phases, as arrays of plain function
// pointers frozen when a configuration generation starts serving.
//
// A module registers the phases it takes part in from Module::register_hooks,
// with a coarse position (httpd's APR_HOOK_REALLY_FIRST .. REALLY_LAST). The
// driver (src/request/driver.cpp) runs each phase's array in order:
//   - run-first phases (translate_name, satisfies, access_checker_ex,
//     check_user_id, auth_checker, note_auth_failure, type_checker, handler):
//     the first hook that does not return kDeclined decides;
//   - run-all phases (post_read_request, header_parser, access_checker,
//     fixups, log_transaction): every hook runs until one returns something
//     other than kOk or kDeclined.
// Access is httpd's: access_checker hooks (host-based rules, mod_access_compat)
// and access_checker_ex hooks (Require, mod_authz_core) combine as the
// satisfies hook says: kSatisfyAll (the default, when every hook declines)
// needs both to pass, kSatisfyAny lets a passing access_checker suffice.
// An access_checker_ex hook returns kDeclined when it cannot decide without
// knowing the user: the driver then runs check_user_id (authentication: it
// must set Request::user and return kOk, or answer 401/500), then
// auth_checker (authorization with the user known). A phase in which every
// hook declines is a configuration error (500), as in httpd.
// headers_out and error_headers_out run once per response, just before its
// head is written (httpd's insert_filter and insert_error_filter, where
// mod_headers adds the filters that edit the head): headers_out when the
// handler made the response (a local ErrorDocument included), otherwise
// error_headers_out, once the error page has taken err_headers_out as its
// headers_out and emptied err_headers_out, as httpd's ap_send_error_response
// does (Request::error_path).
// Every hook runs; what they return is ignored.
// insert_filter hooks run after fixups, before the handler: they add filter
// names to Request::output_filters (httpd's ap_add_output_filter from its
// insert_filter hook). Every hook runs; what they return is ignored.
// note_auth_failure hooks are run through Services::note_auth_failure, by a
// module that refuses a request with 401: the hook of the module that owns the
// section's AuthType adds its challenge (WWW-Authenticate) and returns kOk.
// A hook returns kOk, kDeclined, kRedirected (it called
// Services::internal_redirect and the phases must start again),
// kAwaitHostName (it needs a DNS answer the connection has not looked up
// yet: the client's verified host name, Request::verified_host(), or what
// ConnectionInfo::lookups was asked), or an HTTP status (>= 100) that ends
// processing with that error.

#include <sonora/request.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sonora {

struct Module;
struct OutputFilterSpec;
struct InputFilterSpec;
class Subrequest;

inline constexpr int kOk = 0;
inline constexpr int kDeclined = -1;
inline constexpr int kRedirected = -2;
// The request is set aside, the connection looks up what was asked (the
// client's name, or what a HostLookups call started; off the event loop)
// and then runs the request again from its head; hooks must have done
// nothing that a second run would repeat wrongly.
inline constexpr int kAwaitHostName = -3;
// A handler started work that answers later and left it on
// Request::exchange (sonora/exchange.h).
inline constexpr int kSuspended = -4;
// An exchange's on_ready(): it only read the request body (through input
// filters) and the response the handler left on the request (a file, memory)
// goes out as it is.
inline constexpr int kFinished = -5;

inline constexpr int kSatisfyAll = 0;
inline constexpr int kSatisfyAny = 1;

enum class Phase : std::uint8_t {
    PostReadRequest,  // once per request, and again after a (non-fast) internal redirect, as httpd
    TranslateName,
    HeaderParser,     // after the walks (and <If>), each time the phases run
    Satisfies,
    AccessChecker,
    AccessCheckerEx,
    CheckUserId,      // authentication, when access_checker_ex needs a user
    AuthChecker,      // authorization with the user known
    NoteAuthFailure,  // run by Services::note_auth_failure, not by the driver
    TypeChecker,
    Fixups,
    InsertFilter,     // before the handler: output filters by name (sonora/filter.h)
    Handler,
    HeadersOut,       // the handler's response, before its head is written
    ErrorHeadersOut,  // an error page the server made, before its head is written
    LogTransaction,
    Count
};

enum class HookOrder : std::uint8_t { ReallyFirst = 0, First = 10, Middle = 20, Last = 30, ReallyLast = 40 };

// What the request layer offers hooks beyond the Request itself.
class Services {
public:
    struct FileProbe {
        bool exists = false;
        bool is_dir = false;
        bool is_regular = false;
    };
    // stat() through the server's file cache.
    virtual FileProbe probe(std::string_view path) = 0;
    // A regular file opened through the file cache, for a handler that sends
    // (part of) it as the body: the descriptor and, for a small file, its
    // bytes stay valid until the response has been sent.
    struct OpenFile {
        int error = 0;            // errno of stat() or open(); 0 when open
        int fd = -1;
        std::string_view bytes;   // the whole file when the cache holds it; else empty
        std::uint64_t size = 0;
    };
    virtual OpenFile open_file(std::string_view path) = 0;
    // Makes `target` (a local URL path with optional query) the request's URI;
    // false once too many redirects happened. Return kRedirected after it.
    virtual bool internal_redirect(request::Request& r, std::string_view target) = 0;
    // As internal_redirect, but the new URI replaces the original one for
    // logging too (httpd's ap_internal_fast_redirect, used for DirectoryIndex).
    virtual bool internal_fast_redirect(request::Request& r, std::string_view target) = 0;
    // The Server header value (for ServerSignature-like output).
    virtual std::string_view server_banner() const = 0;
    // httpd's ap_sub_req_lookup_uri: what a GET of `uri` (a local URL path)
    // by the same client would meet, through every phase before fixups
    // (translate_name, the walks with their access files, header_parser,
    // access checks, type_checker); the handler does not run. `status` is 200
    // when they all pass, else the error they answer.
    // What the lookup found is kept in the request's arena: views stay valid
    // for the rest of the request.
    struct Lookup {
        int status = 0;
        bool is_regular = false;
        bool is_dir = false;
        std::string_view location;  // a redirect's Location (in the request's arena)
        std::string_view filename;          // the file it maps to
        std::string_view path_info;         // what follows the file in the URI
        std::string_view content_type;      // as type_checker left it; empty: none
        std::string_view content_encoding;  // likewise
        struct stat finfo {};               // when is_regular or is_dir
        const ConfigVector* dir_config = nullptr;  // the merged per-dir config it ran under
        std::optional<std::string_view> user;      // who the lookup authenticated (in the arena); none: nobody
        std::string_view auth_type;
        // What the lookup left for the request that made it (httpd's
        // rr->err_headers_out and rr->notes, which mod_dir overlays onto the
        // main request when it answers with the lookup's error, e.g. a
        // negotiated index's 406 with its Vary and variant list). In the arena.
        std::span<const request::Header> err_headers_out;
        std::span<const request::Header> notes;
    };
    virtual Lookup lookup_uri(const request::Request& r, std::string_view uri) = 0;
    // A lookup whose subrequest `visit` sees whole before it goes, for what
    // Lookup does not carry (mod_rewrite's %{LA-U:var} and %{LA-F:var} read
    // any variable of it). By Uri it is lookup_uri's; by File it is httpd's
    // ap_sub_req_lookup_file: `target` is a file path (a relative one under
    // the directory of the request's file), and the phases run from
    // map_to_storage on, without translate_name.
    enum class LookupBy : std::uint8_t { Uri, File };
    virtual void inspect_lookup(const request::Request& r, LookupBy by, std::string_view target,
                                const std::function<void(const request::Request& sub)>& visit) = 0;
    // httpd's ap_sub_req_lookup_uri and ap_run_sub_req: a GET of `uri` (a
    // local URL path with an optional query) by the same client, run through
    // every phase and its handler, with its own output filters (an included
    // .shtml is parsed) but without those that serve only the client's own
    // request (compression). sonora/exchange.h says how to drive it.
    virtual std::unique_ptr<Subrequest> run_subrequest(request::Request& r, std::string_view uri) = 0;
    // The registered output filter named `name` (case-insensitive), or null:
    // mod_filter makes its providers through it.
    virtual const OutputFilterSpec* find_output_filter(std::string_view name) const = 0;
    // httpd's ap_note_auth_failure: asks the note_auth_failure hooks to add
    // the challenge for the request's authentication type to
    // Request::err_headers_out. Logs an error when no hook takes it.
    virtual void note_auth_failure(request::Request& r) = 0;

protected:
    ~Services() = default;
};

using HookFn = int (*)(request::Request& r, Services& services);

class HookRegistry {
public:
    void add(Phase phase, HookFn fn, HookOrder order = HookOrder::Middle);

    struct Entry {
        HookFn fn;
        HookOrder order;
        std::size_t sequence;  // registration order, to keep sorting stable
    };
    // Sorted by order, then registration; the driver copies these into flat arrays.
    std::vector<HookFn> frozen(Phase phase) const;

    // An output filter the module provides (httpd's ap_register_output_filter);
    // `spec` must outlive the generation (a static).
    void add_output_filter(const OutputFilterSpec& spec) { output_filters_.push_back(&spec); }
    const std::vector<const OutputFilterSpec*>& output_filters() const { return output_filters_; }
    // An input filter (httpd's ap_register_input_filter); a static as above.
    void add_input_filter(const InputFilterSpec& spec) { input_filters_.push_back(&spec); }
    const std::vector<const InputFilterSpec*>& input_filters() const { return input_filters_; }

private:
    std::vector<const OutputFilterSpec*> output_filters_;
    std::vector<const InputFilterSpec*> input_filters_;
    std::array<std::vector<Entry>, static_cast<std::size_t>(Phase::Count)> entries_;
    std::size_t sequence_ = 0;
};

}  // namespace sonora
