#pragma once
// Output filters: httpd's filter chain for response bodies (INCLUDES,
// DEFLATE, BROTLI, INFLATE ...).
//
// Which filters a response gets is decided once its head is known (for a
// CGI script: once the script's head has been read, so that filters chosen
// by content type see the script's type). Request::output_filters holds the
// names chosen so far (mod_mime's AddOutputFilter at type_checker, core's
// SetOutputFilter, mod_filter's providers in the insert_filter phase); the
// request layer (request/output_chain.h) then looks each name up among the
// registered specs, orders them by type (httpd's AP_FTYPE_*: lower first, in
// the order added within one type) and calls each spec's make() in that
// order, so that a filter sees the head as the filters before it left it.
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
enum class FilterType : std::uint8_t { Resource = 10, ContentSet = 20, Protocol = 30 };

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
    // the descriptor to watch for reading, and a deadline (0: none). The
    // chain calls on_ready() when either comes.
    virtual int watch_fd() const { return -1; }
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
};

}  // namespace sonora
