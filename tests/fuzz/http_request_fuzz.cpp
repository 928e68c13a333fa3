// Fuzz target for the sans-I/O HTTP/1.x core: the request parser, the head checks,
// the path normaliser and the chunked decoder. Each input is parsed in one piece and
// split at several points; the results must agree, and every view must stay inside
// the input. The first byte's low bits choose the HttpProtocolOptions (Strict or
// Unsafe, RegisteredMethods, Require1.0), so both grammars are explored; the rest
// is the request. Build with -DSONORA_FUZZ=ON (libFuzzer) or replay the corpus.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "http/body_framing.h"
#include "http/chunked_decoder.h"
#include "http/request_checks.h"
#include "http/request_parser.h"
#include "http/uri.h"

namespace {

using namespace sonora::http;

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

bool inside(std::string_view view, const char* begin, std::size_t size) {
    return view.empty() || (view.data() >= begin && view.data() + view.size() <= begin + size);
}

// Parses `input` fed up to each cut point in turn (cuts increasing, last == size). The
// buffer is reallocated before every call, keeping the bytes the parser rewrote.
ParseResult parse_split(std::string_view input, const Limits& limits, const ProtocolOptions& options,
                        const std::vector<std::size_t>& cuts, std::string& buffer,
                        std::vector<HeaderSlot>& slots, RequestHead* head_out, bool* reading_headers) {
    RequestParser parser(limits, slots, options);
    ParseResult r;
    buffer.clear();
    for (std::size_t cut : cuts) {
        std::string grown;
        grown.reserve(cut);
        grown.append(buffer);
        grown.append(input.substr(buffer.size(), cut - buffer.size()));
        buffer.swap(grown);
        r = parser.parse(buffer.data(), buffer.size());
        if (r.status != ParseStatus::kIncomplete) {
            break;
        }
    }
    if (head_out != nullptr) {
        *head_out = parser.head();
    }
    if (reading_headers != nullptr) {
        *reading_headers = parser.reading_headers();
    }
    return r;
}

void check_head(const RequestHead& head, const char* data, std::size_t size,
                const Limits& limits, const ProtocolOptions& options) {
    check(inside(head.line.method, data, size));
    check(inside(head.line.target, data, size));
    check(!head.line.method.empty() && !head.line.target.empty());
    check(head.line.target.find('#') == std::string_view::npos);
    check(!head.line.http09 || options.allow_http09);
    if (!options.unsafe) {
        check(!head.line.http09 || head.line.method_id == Method::kGet);
    }
    if (options.registered_methods && head.line.method_id == Method::kUnknown) {
        bool known = method_number(head.line.method) >= 0;
        for (const std::string& m : options.extra_methods) {
            known = known || m == head.line.method;
        }
        check(known);
    }
    check(limits.fields == 0 || head.headers.size() <= limits.fields);
    for (std::size_t i = 0; i < head.headers.size(); ++i) {
        const HeaderField f = head.headers.at(i);
        check(inside(f.name, data, size) && inside(f.value, data, size));
        check(!f.name.empty());
        for (char c : f.value) {
            check(c != '\r' && c != '\n' && c != '\0');
            check(options.unsafe || c == '\t' || static_cast<unsigned char>(c) >= 0x20);
        }
        for (char c : f.name) {
            check(c != ':' && c != ' ' && c != '\t' && c != '\r' && c != '\0');
        }
        check(f.id == classify_header(f.name));
    }
}

void exercise_path(const RequestHead& head) {
    const TargetParts parts = split_target(head.line.target, head.line.form);
    if (parts.path.empty() || parts.path[0] != '/') {
        return;
    }
    std::string out(parts.path);
    const PathResult r = decode_request_path(out, out.data(), out.size());
    if (r.status == PathStatus::kOk) {
        const std::string_view p(out.data(), r.length);
        check(r.length <= parts.path.size());
        check(!p.empty() && p[0] == '/');
        check(p.find("/../") == std::string_view::npos);
        check(p.size() < 3 || p.substr(p.size() - 3) != "/..");
    }
}

std::string decode_chunked(std::string_view input, std::size_t piece, ChunkStatus& status,
                           std::size_t& consumed, const Limits& limits) {
    ChunkedDecoder d(limits);
    std::string body;
    status = ChunkStatus::kNeedMore;
    consumed = 0;
    while (consumed < input.size()) {
        std::string_view chunk = input.substr(consumed, piece);
        const std::size_t chunk_end = consumed + chunk.size();
        while (consumed < chunk_end) {
            const ChunkStep s = d.next(chunk);
            check(s.consumed <= chunk.size());
            consumed += s.consumed;
            chunk.remove_prefix(s.consumed);
            if (s.status == ChunkStatus::kData) {
                check(!s.data.empty() && inside(s.data, input.data(), input.size()));
                body.append(s.data);
                continue;
            }
            if (s.status != ChunkStatus::kNeedMore) {
                status = s.status;
                return body;
            }
            check(chunk.empty());
        }
    }
    return body;
}

void exercise_chunked(std::string_view input, const Limits& limits) {
    ChunkStatus whole_status;
    std::size_t whole_consumed;
    const std::string whole =
        decode_chunked(input, input.size() + 1, whole_status, whole_consumed, limits);
    for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
        if (piece == 1 && input.size() > 4096) {
            continue;
        }
        ChunkStatus st;
        std::size_t consumed;
        const std::string body = decode_chunked(input, piece, st, consumed, limits);
        check(st == whole_status && body == whole);
        if (st == ChunkStatus::kDone) {
            check(consumed == whole_consumed);
        }
    }
    std::string buf(input);
    ChunkedDecoder d(limits);
    const ChunkDecodeResult r = d.decode_in_place(buf.data(), buf.size());
    check(r.status == whole_status && std::string_view(buf.data(), r.produced) == whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    static const std::vector<std::string> extra_methods = {"BREW", "G/T"};
    ProtocolOptions options;
    options.unsafe = (data[0] & 1) != 0;
    options.registered_methods = (data[0] & 2) != 0;
    options.allow_http09 = (data[0] & 4) == 0;
    if ((data[0] & 8) != 0) {
        options.extra_methods = extra_methods;
    }
    ++data;
    --size;
    Limits limits;
    if (size % 5 == 0) {  // small limits reach the limit paths with small inputs
        limits.request_line = 64;
        limits.field_size = 48;
        limits.fields = 4;
        limits.body = 32;
    }
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    std::string buffer;
    std::vector<HeaderSlot> slots(limits.fields);
    RequestHead head;
    bool reading_headers = false;
    const ParseResult whole =
        parse_split(input, limits, options, {size}, buffer, slots, &head, &reading_headers);
    if (whole.status == ParseStatus::kComplete) {
        check(!reading_headers);
        check(whole.consumed > 0 && whole.consumed <= size);
        check_head(head, buffer.data(), buffer.size(), limits, options);
        (void)decide_body_framing(head, limits);
        (void)check_host(head, options.unsafe);
        const TargetParts parts = split_target(head.line.target, head.line.form);
        (void)is_valid_authority(parts.authority, options.unsafe);
        (void)is_valid_host_unsafe(parts.authority);
        bool expects = false;
        (void)check_expect(head, expects);
        (void)client_allows_keep_alive(head);
        exercise_path(head);
    } else if (whole.status == ParseStatus::kError) {
        check(whole.error.status >= 400 && whole.error.status < 600);
        check(whole.error.status != 501 || options.registered_methods);
    }

    // Split points: the result must not depend on how the bytes arrived.
    const std::size_t a = data[size - 1] % size;
    const std::vector<std::vector<std::size_t>> splits = {
        {size / 2, size}, {a, size}, {size / 3, 2 * size / 3, size}, {1, a, size}};
    for (std::vector<std::size_t> cuts : splits) {
        std::vector<std::size_t> sorted;
        for (std::size_t c : cuts) {
            if (c > 0 && (sorted.empty() || c > sorted.back())) {
                sorted.push_back(c);
            }
        }
        std::vector<HeaderSlot> more(limits.fields);
        std::string other;
        bool other_reading = false;
        const ParseResult r = parse_split(input, limits, options, sorted, other, more, nullptr, &other_reading);
        check(other_reading == reading_headers);
        check(r.status == whole.status);
        check(r.consumed == whole.consumed);
        check(r.error.status == whole.error.status);
        if (whole.status == ParseStatus::kComplete) {
            check(std::memcmp(other.data(), buffer.data(), whole.consumed) == 0);
        }
    }

    // The chunked decoder sees the bytes after a complete head, or the whole input.
    const std::size_t body_start = whole.status == ParseStatus::kComplete ? whole.consumed : 1;
    exercise_chunked(input.substr(body_start), limits);
    return 0;
}
