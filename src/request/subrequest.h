#pragma once
// Subrequests run through their handler (sonora/exchange.h's Subrequest):
// what Services::run_subrequest gives a module.

#include "request/driver.h"

#include <sonora/exchange.h>

#include <memory>

namespace sonora::request {

// Runs a GET of `uri` for `r` as far as it goes without waiting: through
// the phases and its handler (and its output filters); a script's head and
// body then come as the caller drives it.
std::unique_ptr<Subrequest> start_subrequest(Context& ctx, Request& r, std::string_view uri);

}  // namespace sonora::request
