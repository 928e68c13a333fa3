#pragma once
// The input filter chain (sonora/filter.h): which filters a request body
// passes through, and the exchange that runs it through them.

#include "request/driver.h"

#include <sonora/filter.h>

namespace sonora::request {

// After the handler, for the client's own request when it has a body and
// input filters were named: makes them and puts an exchange that runs the
// body through them in front of r.exchange (a script's, or the output
// chain's). `finished`: the handler answered at once (kOk); the body is
// then read to its end before the response goes out, as httpd's default
// handler discards the body before it sends a file, so that an input
// filter's error (413, 400) replaces the response, and that what a filter
// keeps (KEEP_BODY) is there for the subrequests the output filters run.
// Unknown names are logged and skipped, as httpd.
void attach_input_filters(Request& r, Context& ctx, Services& services, bool finished);

}  // namespace sonora::request
