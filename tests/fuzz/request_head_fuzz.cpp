// Fuzz target: request heads, request targets and chunked bodies as a client
// could send them, each also fed in two pieces. Checks the parser's
// invariants: views stay inside the input, Complete consumes up to the blank
// line, a split input parses the same as the whole.

#include "net/chunked.h"
#include "net/request_head.h"
#include "net/target.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sonora;
    const std::string input(reinterpret_cast<const char*>(data), size);
    net::HeadLimits limits{512, 256, 20};
    std::vector<request::Header> storage(limits.fields + 1);
    net::ParsedHead head;
    head.headers = storage.data();
    auto whole = net::parse_request_head(input, limits, head, storage.size());
    if (whole.status == net::HeadStatus::Complete) {
        check(head.consumed <= input.size());
        check(input.compare(head.consumed - 4, 4, "\r\n\r\n") == 0);
        const char* begin = input.data();
        const char* end = begin + input.size();
        check(head.method.data() >= begin && head.method.data() + head.method.size() <= end);
        check(head.target.data() >= begin && head.target.data() + head.target.size() <= end);
        for (std::size_t i = 0; i < head.header_count; ++i) {
            check(head.headers[i].name.data() >= begin && head.headers[i].value.data() + head.headers[i].value.size() <= end);
        }
        // A prefix of a complete head is incomplete or the same error, never a different success.
        net::ParsedHead part;
        part.headers = storage.data();
        auto prefix = net::parse_request_head(std::string_view(input).substr(0, head.consumed - 1), limits, part,
                                              storage.size());
        check(prefix.status != net::HeadStatus::Complete);
        std::pmr::string uri;
        std::string_view host;
        if (net::decode_request_target(head.target, host, uri)) {
            check(!uri.empty() && uri.front() == '/');
            check(uri.find("/../") == std::string::npos && !uri.ends_with("/.."));
        }
    }
    // The whole input as a chunked body, whole and in two pieces.
    net::ChunkedDecoder a;
    std::size_t used_a = 0;
    auto sa = a.feed(input, used_a);
    check(used_a <= input.size());
    net::ChunkedDecoder b;
    std::size_t half = input.size() / 2;
    std::size_t used_b = 0;
    auto sb = b.feed(std::string_view(input).substr(0, half), used_b);
    std::size_t total = used_b;
    if (sb == net::ChunkedDecoder::Status::NeedMore) {
        sb = b.feed(std::string_view(input).substr(half), used_b);
        total += used_b;
    }
    check(sa == sb);
    if (sa == net::ChunkedDecoder::Status::Done) {
        check(used_a == total && a.body_bytes() == b.body_bytes());
    }
    return 0;
}
