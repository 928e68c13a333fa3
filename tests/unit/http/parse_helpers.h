#pragma once
// Test helpers: run the request parser over a byte string in one piece, byte by byte,
// or against a guard page.

#include <string>
#include <string_view>
#include <vector>

#include "http/request_parser.h"

namespace sonora::http::test {

struct Parsed {
    ParseResult result;
    std::string buffer;  // the bytes after parsing (folds are joined in place)
    std::vector<HeaderSlot> slots;
    RequestHead head;    // views into `buffer`; do not copy Parsed after parsing
};

// Parses `input` in one call. Parsed must stay where it is: the head points into it.
inline void parse_all(std::string_view input, Parsed& p, const Limits& limits = {},
                      const ProtocolOptions& options = {}) {
    p.buffer.assign(input);
    p.slots.assign(limits.fields == 0 ? 1000 : limits.fields, HeaderSlot{});
    RequestParser parser(limits, p.slots, options);
    p.result = parser.parse(p.buffer.data(), p.buffer.size());
    p.head = parser.head();
}

// Feeds `input` one byte more per call, moving the buffer each time, and returns the
// first non-incomplete result (or the last incomplete one).
inline ParseResult parse_bytewise(std::string_view input, const Limits& limits = {},
                                  const ProtocolOptions& options = {}) {
    std::vector<HeaderSlot> slots(limits.fields == 0 ? 1000 : limits.fields);
    RequestParser parser(limits, slots, options);
    std::string grown;
    ParseResult r;
    for (std::size_t n = 1; n <= input.size(); ++n) {
        std::string next = grown;  // a fresh allocation: the buffer moves every call
        next.push_back(input[n - 1]);
        grown.swap(next);
        r = parser.parse(grown.data(), grown.size());
        if (r.status != ParseStatus::kIncomplete) {
            return r;
        }
    }
    return r;
}

}  // namespace sonora::http::test
