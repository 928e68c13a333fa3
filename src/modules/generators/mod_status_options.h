#pragma once
// The query of a server-status request, read as httpd 2.4 reads it: each
// option is found anywhere in the raw query string ("?auto", "?x=auto",
// "?notable&auto" all count), in no particular order and in any combination.
//   refresh      a Refresh header; "refresh=N" asks for N seconds, and a
//                missing, non-numeric or non-positive N means 10
//   notable      worker details without tables (HTML form only)
//   auto         the machine-readable form (text/plain)

#include <optional>
#include <string_view>

namespace sonora::modules::generators::status {

struct Options {
    std::optional<long> refresh;  // seconds, for the Refresh header
    bool notable = false;
    bool machine = false;  // ?auto
};

Options parse_options(std::string_view query);

}  // namespace sonora::modules::generators::status
