#pragma once
// A response that a handler cannot give at once: it started something (a CGI
// script) that takes the request body and answers over time. The handler
// leaves the Exchange on Request::exchange and returns kSuspended; the
// connection then owns it and drives it from the event loop:
//
//   - it watches the descriptors watch() names (non-blocking; the exchange
//     owns them and does its own reads and writes on them) and calls
//     on_ready() when one is ready or deadline_ms() has passed;
//   - it hands the request body over as it arrives, decoded, through
//     feed_body(), holding the client back while the exchange takes nothing;
//   - until the head is known on_ready() answers kDeclined (keep waiting),
//     kOk (the head is on the request: status, headers, content type),
//     kRedirected (it called Services::internal_redirect: the phases run
//     again for the new URI) or an HTTP status (the request ends with that
//     error page);
//   - after the head the connection asks next_output() for body bytes each
//     time the previous ones have been written.
//
// Nothing here blocks, and the exchange never reads the client's socket:
// net/ does that I/O, the exchange the I/O of what it started. A connection
// that ends early destroys the exchange, which must then let go of
// everything (a script is terminated and reaped).

#include <sonora/hooks.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora {

class Exchange {
public:
    virtual ~Exchange() = default;

    // Descriptors to watch now, -1 for none: `output` for reading (the
    // response), `input` for writing (the request body, while bytes are
    // waiting that the last feed_body() did not take), `errors` for reading.
    struct Watch {
        int output = -1;
        int input = -1;
        int errors = -1;
    };
    virtual Watch watch() const = 0;

    // When on_ready() must be called even if nothing is ready (0: never), on
    // the loop's monotonic clock.
    virtual std::int64_t deadline_ms() const = 0;

    // Decoded request-body bytes of `r`: returns how many were taken
    // (written on). `last`: nothing follows these bytes. Bytes not taken are
    // offered again once `input` is writable.
    virtual std::size_t feed_body(request::Request& r, std::string_view bytes, bool last) = 0;

    // A watched descriptor is ready or the deadline passed (`now_ms`). See
    // the header comment for what it answers before the head; after it,
    // kDeclined.
    virtual int on_ready(request::Request& r, Services& services, std::int64_t now_ms) = 0;

    // After the head: body bytes to send (valid until the next call), or
    // empty with `end` false to wait for `output`, or `end` at the end (it
    // may come with the last bytes; asked again, the exchange answers `end`
    // once more).
    // A body whose whole length is known when the head is (the script ended
    // first) sets Request::body's length instead, as httpd's content-length
    // filter does for output that arrives complete.
    struct Output {
        std::string_view bytes;
        bool end = false;
        bool failed = false;  // the end came from an error: the body is cut short
        // httpd would have passed these bytes on before the end (an output
        // filter's buffer filled): the response cannot get a Content-Length
        // from its whole output (sonora/filter.h).
        bool flush = false;
    };
    virtual Output next_output(request::Request& r, std::int64_t now_ms) = 0;

    // Descriptors stay open while watch() names them, so the connection can
    // take them out of its loop first; the connection calls this after it
    // has, and the exchange then closes what it is done with (a script's
    // stdin once the body is all written, so that the script sees its end).
    virtual void close_finished() {}

    // The exchange writes the response's head itself (a CGI script named
    // nph-*): the connection sends next_output()'s bytes as they come.
    virtual bool raw_output() const { return false; }
};

// A subrequest run through its handler (httpd's ap_sub_req_lookup_uri and
// ap_run_sub_req), for a module that includes another resource's output
// (mod_include's include virtual). Made by Services::run_subrequest; the
// caller drives it from its own exchange or filter (watch(), deadline_ms())
// and destroys it when done, which lets go of anything it started.
class Subrequest {
public:
    virtual ~Subrequest() = default;
    // Runs it on until its response head is known: kDeclined while it waits
    // for watch() or deadline_ms(), then its status (200 for a handler's
    // response, else the error it ended with). Called again after that, it
    // keeps what it started going (a script's error output) and answers the
    // same status.
    virtual int poll(std::int64_t now_ms) = 0;
    // Once poll() answered: its body, as Exchange::next_output.
    virtual Exchange::Output next_output(std::int64_t now_ms) = 0;
    virtual Exchange::Watch watch() const = 0;
    virtual std::int64_t deadline_ms() const = 0;
    // The subrequest (its content type, filename, status).
    virtual const request::Request& request() const = 0;
};

}  // namespace sonora
