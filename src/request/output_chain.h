#pragma once
// The output filter chain (sonora/filter.h): which filters a response gets
// and the exchange that runs its body through them.

#include "request/driver.h"

#include <sonora/filter.h>

#include <memory>
#include <vector>

namespace sonora::request {

// Before the handler: runs the insert_filter hooks, then the init of each
// filter named by then (httpd's ap_invoke_handler).
void insert_output_filters(Request& r, Context& ctx, Services& services);

// Makes the filters named in
// r.output_filters in chain order (each spec's make() sees the head as the
// filters before it left it). Unknown names are logged and skipped, as httpd.
std::vector<std::unique_ptr<OutputFilter>> make_output_filters(Request& r, Context& ctx, Services& services);

// After the handler answered: with a body (kOk), makes its filters now and,
// when any applies, turns the body into a stream from an exchange that runs
// them; with an exchange (kSuspended, a script), wraps it so that the
// filters are made once the script's head is known. Does nothing where no
// module provides a filter, and for a body no filter applies to. A Range
// the default handler left pending is applied when no filter applies (a
// filtered body goes out whole, as httpd's byterange filter passes a
// streamed one on); returns the status that asks for (416), else 0.
int attach_output_filters(Request& r, Context& ctx, Services& services);

}  // namespace sonora::request
