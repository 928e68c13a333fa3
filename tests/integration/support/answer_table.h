#pragma once
// Tables of requests and the answers they must get: status, Location, the
// body of a 200, header lines that must be sent, and watched headers that
// must not be unless listed. The rewrite tests hold Apache and Sonora to one
// table; with SONORA_REWRITE_RECORD set, every answer is also printed as a
// row to paste into a table.

#include "support/server.h"

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace sonora::test {

struct AnswerCase {
    std::string what;
    std::string request;  // "GET /path?query"
    std::string headers;  // extra request header lines, each ending in \r\n
    int status = 0;
    std::string location;  // "" when there must be none
    std::string body;      // compared for 200 answers only
    std::vector<std::string> head;  // "Name: value" lines that must be sent
};

struct AnswerTable {
    // Headers that must be absent unless a case lists them.
    std::span<const char* const> watched;
    // What the answer's Location and body are compared as (the run's root,
    // port or year masked); unchanged when empty.
    std::function<std::string(const std::string&)> mask_location;
    std::function<std::string(const std::string&)> mask_body;
    // How a recorded row spells a case's request headers (a constant's
    // name); quoted when empty.
    std::function<std::string(const std::string&)> headers_name;
};

// A C++ string literal of `s`.
std::string cxx_quote(const std::string& s);

// Whether the environment variable is set to something other than "" or "0".
bool env_set(const char* name);

// Checks answer i against case i, each failure traced as `which`'s.
void check_answers(const std::string& which, const std::vector<AnswerCase>& cases, const std::vector<Response>& got,
                   const AnswerTable& table);

}  // namespace sonora::test
