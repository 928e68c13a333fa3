#pragma once
// One HTTP request as the phases see it (httpd's request_rec, reduced).
//
// Lifetime: everything a Request points to lives at least as long as the
// request: the parsed head is a view into the connection's input buffer, and
// strings the phases make live in the request's arena (a pmr resource the
// connection resets between requests), so the static path allocates nothing
// on the heap once the connection's buffers have grown.

#include <sonora/config.h>
#include <sonora/module.h>
#include <sonora/server.h>

#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora {
class Exchange;
}

namespace sonora::request {

enum class Method : std::uint8_t { Get, Head, Post, Put, Delete, Connect, Options, Trace, Patch, Other };

Method method_from_name(std::string_view name);

struct Header;
// The first value of `name` (case-insensitive) in a header-like table:
// request or response headers, or the request environment.
std::optional<std::string_view> find_header(std::span<const Header> table, std::string_view name);

struct Header {
    std::string_view name;
    std::string_view value;
};

// What the handler wants sent after the head.
struct Body {
    // Stream: the bytes come from Request::exchange as they are made; `length`
    // holds their count when length_declared, else they go chunked (HTTP/1.1)
    // or up to the close (HTTP/1.0).
    enum class Kind : std::uint8_t { None, Memory, File, Stream };
    Kind kind = Kind::None;
    std::string_view memory;  // Kind::Memory: arena or static bytes
    int fd = -1;              // Kind::File: borrowed from the file cache; not closed by the request
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    const char* mapped = nullptr;  // Kind::File: the file's bytes when they are cached in memory
    bool sendfile = true;          // Kind::File: EnableSendfile; off means read() and write()
    // Extra segments for multipart/byteranges: memory pieces between file ranges.
    struct Piece {
        std::string_view memory;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;  // file bytes after `memory`
    };
    std::pmr::vector<Piece> pieces;
    // False when the handler does not declare the body's length (httpd's
    // content-length filter then counts it as it passes): an answer to HEAD,
    // which sends no body, carries no Content-Length.
    bool length_declared = true;
};

// An IP address as access rules compare them (APR's apr_sockaddr_equal): an
// IPv4-mapped IPv6 address is the IPv4 address it carries; no port, no scope.
struct IpAddress {
    std::uint8_t family = 0;               // 4 or 6; 0: none
    std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 in the first four
    bool operator==(const IpAddress&) const = default;
};

// `text` ("192.0.2.1", "::1", "::ffff:192.0.2.1") as an IpAddress; nullopt
// for anything else.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// DNS answers a hook may need beyond the client's verified name, given by the
// connection, which looks them up off the event loop (src/net/resolver.h).
// Each method answers at once when the answer is known (the resolver caches
// answers for a while); otherwise it starts the lookup and answers nullopt:
// the hook then returns kAwaitHostName, and the connection runs the request
// again from its head once the lookup has ended. Called only on the thread
// serving the request; a cached answer costs no allocation.
class HostLookups {
public:
    // The addresses `name` resolves to (getaddrinfo, either family, as APR's
    // apr_sockaddr_info_get asks); empty when it does not resolve. The span
    // is valid until the next call into this object.
    virtual std::optional<std::span<const IpAddress>> addresses(std::string_view name) = 0;
    // The name of the local address the connection came in on (reverse DNS,
    // lowercased; empty when it has none). Once known it is also in
    // ConnectionInfo::local_host for the rest of the connection.
    virtual std::optional<std::string_view> local_host() = 0;

protected:
    ~HostLookups() = default;
};

// The connection a request arrived on (httpd's conn_rec, reduced), owned by
// the connection and valid for as long as its requests.
struct ConnectionInfo {
    std::string_view client_ip;    // the peer, textual, no port
    int client_port = 0;
    std::string_view local_ip;     // the address the connection was accepted on
    int local_port = 0;
    std::string_view remote_host;  // HostnameLookups: the peer's verified name; empty when none
    // httpd's REMOTE_DOUBLE_REV, for host-based access rules: the peer's name
    // when its forward lookup includes the peer (else empty), once
    // `verified_host_known`; looked up only when a rule asks for it.
    std::string_view verified_host;
    bool verified_host_known = false;
    // UseCanonicalName DNS: the name of `local_ip` (empty when it has none),
    // once `local_host_known`; looked up only when a configuration asks.
    std::string_view local_host;
    bool local_host_known = false;
    // Null where nothing can be looked up (unit tests): hooks then treat
    // every name as unresolvable.
    HostLookups* lookups = nullptr;
};

// UseCanonicalName: how the server names itself in URLs and variables.
enum class CanonicalName : std::uint8_t { Off, On, Dns };

struct Request {
    explicit Request(std::pmr::memory_resource* resource)
        : arena(resource), uri(resource), filename(resource), path_info(resource), content_type(resource),
          handler(resource), content_encoding(resource), content_language(resource), headers_out(resource),
          err_headers_out(resource), env(resource), notes(resource), output_filters(resource), input_filters(resource),
          body{Body::Kind::None, {}, -1, 0, 0, nullptr, true, std::pmr::vector<Body::Piece>(resource)} {}

    std::pmr::memory_resource* arena;

    // ---- the request head (views into the connection buffer) ----
    std::string_view method_name;
    Method method = Method::Get;
    std::string_view target;       // as sent
    std::string_view query;        // after '?', without it
    int version = 11;              // 10 for HTTP/1.0, 11 for HTTP/1.1
    bool unsafe_protocol = false;  // read under HttpProtocolOptions Unsafe (its Host and URI rules)
    std::span<const Header> headers;
    std::string_view host;         // Host without port, lowercased by the parser where needed
    std::int64_t time_us = 0;      // when the request head was complete (wall clock)
    std::int64_t time_s = 0;

    std::optional<std::string_view> header(std::string_view name) const;

    // ---- processing state ----
    const Server* server = nullptr;
    // The request this one is a subrequest of (httpd's r->main); null for
    // the client's own request.
    const Request* main = nullptr;
    const ConfigVector* dir_config = nullptr;  // merged per-dir config (cached; not owned)
    std::pmr::string uri;          // decoded, normalised path; changes on internal redirects
    std::pmr::string filename;
    std::pmr::string path_info;
    // httpd's ap_set_context_info, by the module that mapped the URL (an
    // Alias): the URL prefix it matched and the directory it maps that to.
    // Both empty: DocumentRoot's mapping.
    std::string_view context_prefix;
    std::string_view context_document_root;
    // The file's stat() when has_finfo; for a missing one, as httpd's
    // directory walk leaves it, the deepest directory found (zeroes: none).
    struct stat finfo {};
    bool has_finfo = false;
    int local_port = 0;
    int host_port = 0;             // the port named in Host, if any
    std::string_view server_name;  // ServerName of the chosen server
    std::string_view client_ip;    // textual, no port
    int client_port = 0;
    int redirects = 0;             // internal redirects so far
    bool post_read_pending = false;  // an internal redirect asks for post_read_request again
    // The phases run again for a URI a subrequest found (a fast internal
    // redirect: DirectoryIndex, MultiViews), where httpd copies the
    // subrequest's result instead: they decide as that subrequest did, so
    // what subrequests skip (mod_rewrite's NS and R rules) stays skipped.
    bool as_subrequest = false;
    bool in_subrequest() const { return main != nullptr || as_subrequest; }
    bool reached_handler = false;
    // httpd's r->no_local_copy: conditional headers are not evaluated (an
    // output filter such as INCLUDES will make a body the file's validators
    // do not describe).
    bool no_local_copy = false;  // the phases let it through to its handler (a subrequest's error is the handler's)
    // The per-dir config the phases ran under before the last internal
    // redirect: a redirect that lands under the same one keeps `user` and
    // skips the access phases, as httpd compares r->prev->per_dir_config.
    const ConfigVector* prev_dir_config = nullptr;

    // ---- authentication (httpd's r->user and r->ap_auth_type) ----
    // Set by the check_user_id hook that authenticated the request, and by
    // mod_auth_basic as soon as credentials arrive (before they are checked,
    // as httpd: %u logs the name a 401 refused). Empty optional: no user,
    // logged "-"; an empty name is logged "\"\"". Arena or static memory.
    std::optional<std::string_view> user;
    std::string_view auth_type;     // the scheme that set `user` ("Basic"); AUTH_TYPE in expressions

    // ---- response ----
    int status = 200;
    // httpd's r->status_line: "299 Custom" from a script's Status field. Sent
    // instead of the standard reason phrase when it begins with `status`.
    std::string_view status_line;
    std::pmr::string content_type;  // empty = none
    std::pmr::string handler;
    std::pmr::string content_encoding;  // AddEncoding, comma-separated in extension order
    std::pmr::string content_language;  // AddLanguage / DefaultLanguage
    bool header_only = false;       // HEAD
    bool keep_alive = true;
    std::pmr::vector<Header> headers_out;  // values in the arena or static
    // httpd's err_headers_out: sent with whatever response the request ends
    // with, error pages and ErrorDocuments included (WWW-Authenticate).
    std::pmr::vector<Header> err_headers_out;
    // httpd's subprocess_env: set by mod_setenvif and mod_env, read by %{VAR}e,
    // CustomLog env=, and expressions. Names compare case-insensitively.
    std::pmr::vector<Header> env;
    // httpd's r->notes: what modules tell each other and the log (%{NAME}n,
    // expressions' note()). Values in the arena.
    std::pmr::vector<Header> notes;
    // Output filters chosen for the response, by name as configured (httpd's
    // r->output_filters before they are made): AddOutputFilter,
    // SetOutputFilter, mod_filter. sonora/filter.h. Arena or static names.
    std::pmr::vector<std::string_view> output_filters;
    // Input filters named for the request body (SetInputFilter,
    // AddInputFilter, KEEP_BODY); sonora/filter.h. Arena or static names.
    std::pmr::vector<std::string_view> input_filters;
    // httpd's r->kept_body (mod_request's KeptBodySize): the body kept for
    // subrequests, which get it as their own (and, from mod_include, the
    // method with it). Set (possibly empty) for a request under KeptBodySize;
    // its bytes are there once the body has been read. Arena memory.
    std::optional<std::string_view> kept_body;
    Body body;
    // The default handler's Range, when output filters were named for the
    // response: httpd's byterange filter runs after the content filters, so
    // the range is applied once it is known that none of them changes the
    // body (the validators If-Range compares are kept here).
    struct DeferredRanges {
        bool pending = false;
        std::string_view etag;
        std::int64_t mtime_s = 0;
        std::uint64_t size = 0;
    };
    DeferredRanges deferred_ranges;
    // A handler that answers over time (a CGI script) leaves this and returns
    // kSuspended (sonora/exchange.h); the connection takes it over and
    // deletes it. Null otherwise.
    Exchange* exchange = nullptr;
    // The response is an error page the server made (httpd's
    // ap_send_error_response: a canned page, an ErrorDocument text or a
    // redirect to a remote one), not what a handler sent; decides which
    // phase edits its head (HeadersOut or ErrorHeadersOut).
    bool error_path = false;

    // ---- what the access log reads beyond the response ----
    const ConnectionInfo* connection = nullptr;
    std::string_view the_request;       // the request line as received, without its line end
    bool redirected = false;            // an internal redirect happened (not DirectoryIndex's)
    std::string_view original_uri;      // redirected: the URI before the first internal redirect
    std::string_view original_query;    // redirected: its query
    std::string_view original_handler;  // redirected: the handler then
    int original_status = 0;            // redirected: the status then (the error, for ErrorDocument)
    std::optional<std::uint64_t> content_length;  // the Content-Length the response declares
    std::uint64_t bytes_sent = 0;       // response body bytes (%b, %B)
    std::uint64_t bytes_in = 0;         // request head and body as received (%I)
    std::uint64_t bytes_out = 0;        // response head and body (%O)
    unsigned keepalives = 0;            // httpd's keep-alive count as %k prints it
    bool lookups_wanted = false;        // HostnameLookups applies (set by the driver from the dir config)
    bool awaiting_host_name = false;    // a hook returned kAwaitHostName: run again once it is known

    // The client's double-reverse-verified host name (empty when it has
    // none); nullopt while the connection has not looked it up: a hook then
    // returns kAwaitHostName.
    std::optional<std::string_view> verified_host() const {
        if (connection == nullptr) {
            return std::string_view();
        }
        if (!connection->verified_host_known) {
            return std::nullopt;
        }
        return connection->verified_host;
    }

    // The host name for self-referencing URLs (UseCanonicalName Off: Host first).
    std::string_view self_host() const {
        return !host.empty() ? host : !server_name.empty() ? server_name : std::string_view("localhost");
    }
    // UseCanonicalName of the configuration the phases run under, as core
    // notes it when translate_name starts (the server's) and when
    // header_parser starts (the directory's, <If> included).
    CanonicalName canonical_name = CanonicalName::Off;
    // httpd's ap_get_server_name under `mode`: Off, the Host the client sent;
    // On, ServerName; Dns, the name of the local address the connection came
    // in on (ConnectionInfo::local_host), ServerName when it has none. The
    // Host, else "localhost", where ServerName is not set.
    std::string_view server_host(CanonicalName mode) const;
    std::string_view server_host() const { return server_host(canonical_name); }
    // Copies `s` into the arena and returns a view of the copy.
    std::string_view keep(std::string_view s) const;
    void add_header(std::string_view name, std::string_view value) { headers_out.push_back({name, value}); }
    // Drops every `name` field from headers_out (httpd's apr_table_unset).
    void remove_header(std::string_view name);
    // Appends ", value" to the first `name` field of headers_out, or adds the
    // field (httpd's apr_table_merge); copies into the arena.
    void merge_header(std::string_view name, std::string_view value);
    std::optional<std::string_view> env_get(std::string_view name) const;
    // Copies name and value into the arena; replaces an earlier value.
    void env_set(std::string_view name, std::string_view value);
    void env_unset(std::string_view name);
};

}  // namespace sonora::request
