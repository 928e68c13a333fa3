#pragma once
// Output filters: httpd's filter chain for response bodies (INCLUDES,
// DEFLATE, BROTLI, INFLATE ...).
//
// Request::output_filters holds the names chosen for a response, as httpd
// adds filters before the handler runs: mod_mime's AddOutputFilter at
// type_checker, fixups (mod_include's XBitHack), then the insert_filter
// phase (core's SetOutputFilter, mod_filter's FilterChain); each named
// filter's init() then runs. Which of them apply is decided once the head
// is known (for a CGI script: once its head has been read, so that a filter
// chosen by content type sees the script's type): the request layer
// (request/output_chain.h) looks each name up among the registered specs,
// orders them by type (httpd's AP_FTYPE_*: lower first, in the order added
// within one type) and calls each spec's make() in that order, so that a
// filter sees the head as the filters before it left it.
//
// A response with no filter costs nothing: its body goes out as the handler
// made it (sendfile stays sendfile). A filtered body is a stream: the
// connection pulls the last filter's output, which pulls from the one before
// it, down to the handler's bytes (memory, a file read in pieces, or a
// script's output). Filters never block and do no I/O on the client.
//
// Content-Length: as httpd's content-length filter, a filtered response gets
// one when its whole output is known before anything had to be passed on
// (Exchange::Output::flush), else it goes chunked (HTTP/1.1) or up to the
// close (HTTP/1.0).

#include <sonora/exchange.h>
#include <sonora/hooks.h>

#include <cstdint>
#include <memory>
#include <string_view>

namespace sonora {

// httpd's filter types, the order of the chain.
enum class FilterType : std::uint8_t {
    Resource = 10,
    ContentSet = 20,
    Protocol = 30,
    Transcode = 40,
    Connection = 50,
    Network = 60
};

// httpd's AP_FILTER_PROTO_* flags: what a filter does to the response that
// mod_filter fixes up in the head when it runs the filter as a provider.
inline constexpr unsigned kProtoChange = 0x1;        // changes the content: no ETag
inline constexpr unsigned kProtoChangeLength = 0x2;  // ... and its length: no Content-Length
inline constexpr unsigned kProtoNoByterange = 0x4;   // Accept-Ranges: none
inline constexpr unsigned kProtoNoProxy = 0x8;
inline constexpr unsigned kProtoNoCache = 0x10;      // no Last-Modified, Cache-Control: no-cache
inline constexpr unsigned kProtoTransform = 0x20;

// The bytes before a filter: the handler's body or the previous filter's output.
class BodySource {
public:
    // Exchange::next_output's contract: bytes valid until the next call,
    // empty and not `end` while it waits (for a descriptor of the request's
    // exchange or of a filter: the chain's watch), or `end` once.
    virtual Exchange::Output pull(request::Request& r, std::int64_t now_ms) = 0;

protected:
    ~BodySource() = default;
};

class OutputFilter {
public:
    virtual ~OutputFilter() = default;
    // This filter's next output, pulling from `upstream` as it needs; same
    // contract as BodySource::pull. Set `flush` on bytes that httpd's filter
    // would pass on before the end (its buffer filled, an include's output).
    // Pulling again after `end` is not done.
    // `services` is valid during the call (an SSI include runs subrequests).
    virtual Exchange::Output pull(BodySource& upstream, request::Request& r, Services& services,
                                  std::int64_t now_ms) = 0;

    // What pull() waits for beyond the upstream (an SSI include's script):
    // descriptors as Exchange::watch names them, and a deadline (0: none).
    // The chain calls on_ready() when one is ready or the deadline passed.
    virtual Exchange::Watch watch() const { return {}; }
    virtual std::int64_t deadline_ms() const { return 0; }
    virtual void on_ready(request::Request&, Services&, std::int64_t /*now_ms*/) {}
};

struct OutputFilterSpec {
    std::string_view name;  // as configured, compared without case: "DEFLATE"
    FilterType type = FilterType::ContentSet;
    // Called with the head known, after the filters before it were made:
    // edits the head as httpd's filter does on its first call (drops
    // Content-Length, sets Content-Encoding, Vary, an ETag suffix ...) and
    // returns the filter, or returns null to step aside for this response
    // (httpd's ap_remove_output_filter on the first call), possibly after
    // editing the head (mod_deflate's Vary for a client that takes no gzip).
    // `services` is valid only during the call.
    std::unique_ptr<OutputFilter> (*make)(request::Request& r, Services& services) = nullptr;
    // httpd's filter init function: runs before the handler, for a filter
    // named by then (AddOutputFilter, SetOutputFilter, a fixup), so that the
    // handler makes what the filter needs (mod_include: no ETag, no 304).
    void (*init)(request::Request& r) = nullptr;
    // httpd's ap_register_output_filter_protocol flags (kProto*).
    unsigned protocol = 0;
    // A spec that stands for names configured at run time (mod_filter's
    // smart filters): when no spec has the name itself, the first whose
    // claims() accepts it is made with make_named(), given the name, and
    // ordered by type_of() it.
    bool (*claims)(const request::Request& r, std::string_view name) = nullptr;
    std::unique_ptr<OutputFilter> (*make_named)(request::Request& r, Services& services,
                                                std::string_view name) = nullptr;
    FilterType (*type_of)(const request::Request& r, std::string_view name) = nullptr;
    // init() for a claimed name (mod_filter runs its providers' inits).
    void (*init_named)(request::Request& r, Services& services, std::string_view name) = nullptr;
};

// Input filters: httpd's chain for request bodies (DEFLATE, KEEP_BODY).
//
// Request::input_filters holds the names chosen for a request, as httpd
// adds them before the handler runs: mod_mime's AddInputFilter at
// type_checker, then the insert_filter phase (core's SetInputFilter,
// mod_request's KEEP_BODY). After the handler, for the client's own request
// when it has a body, the request layer (request/input_chain.h) makes them
// (highest type first: the one nearest the network reads first) and puts
// them between the client and whatever reads the body: a script, or, for a
// handler that finished at once, nothing (the body is read to its end before
// the response goes out, as httpd's default handler discards it first).
//
// An input filter answers an error (413, 400) as httpd's handler maps its
// input filters' errors (ap_map_http_request_error): it replaces the response
// while the head is not yet known.
class InputFilter {
public:
    virtual ~InputFilter() = default;
    // Takes all of `in` (decoded request-body bytes, or the previous
    // filter's output; `last`: nothing follows) and appends what it passes on
    // to `out`. Returns 0, or the HTTP status that ends the request's body.
    // Called with an empty `in` and `last` set once the body has ended.
    virtual int filter(request::Request& r, std::string_view in, bool last, std::string& out) = 0;
};

struct InputFilterSpec {
    std::string_view name;  // as configured, compared without case: "DEFLATE"
    FilterType type = FilterType::ContentSet;
    // Called with the request's head, after the handler: returns the filter,
    // or null to step aside (a body that is not gzip, for DEFLATE).
    std::unique_ptr<InputFilter> (*make)(request::Request& r, Services& services) = nullptr;
};

}  // namespace sonora
