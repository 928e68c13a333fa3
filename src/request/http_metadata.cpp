// The default handler's use of the protocol pieces in src/http/ (ETag, HTTP
// dates, preconditions, byte ranges), with the per-directory settings that
// steer them (FileETag, MaxRanges, MaxRangeOverlaps, MaxRangeReversals).

#include "request/http_metadata.h"

#include "core/strings.h"
#include "http/byte_ranges.h"
#include "http/conditional.h"
#include "http/etag.h"
#include "http/http_date.h"

#include <algorithm>

namespace sonora::request {

namespace {

// MaxRanges & co. as stored by core (-2 default, -1 none, 0 unlimited, n).
std::uint32_t range_limit(const std::optional<int>& v, std::uint32_t fallback) {
    if (!v || *v == -2) {
        return fallback;
    }
    if (*v == -1) {
        return 0;
    }
    return *v == 0 ? http::kRangeLimitUnlimited : static_cast<std::uint32_t>(*v);
}

std::string_view method_for(const Request& r) { return r.method_name; }

}  // namespace

FileMeta file_meta(const struct stat& st, std::int64_t request_time_us, unsigned etag_bits) {
    FileMeta m;
    const std::int64_t request_s = request_time_us / 1'000'000;
    m.mtime_s = std::min<std::int64_t>(st.st_mtim.tv_sec, request_s);
    std::size_t n = http::format_http_date(m.mtime_s, std::span<char>(m.last_modified, sizeof m.last_modified - 1));
    m.last_modified[n] = '\0';
    http::FileETagInput in;
    in.inode = static_cast<std::uint64_t>(st.st_ino);
    in.mtime_us = http::mtime_us_from_timespec(st.st_mtim);
    in.size = static_cast<std::uint64_t>(st.st_size);
    in.components = etag_bits & (http::kETagINode | http::kETagMTime | http::kETagSize);
    std::size_t len = in.components == 0 ? 0 : http::make_file_etag(in, request_time_us, m.etag_buf);
    m.etag = std::string_view(m.etag_buf, len);
    return m;
}

Precondition check_preconditions(const Request& r, const FileMeta& meta) {
    http::ConditionalHeaders h;
    h.if_match = r.header("If-Match");
    h.if_unmodified_since = r.header("If-Unmodified-Since");
    h.if_none_match = r.header("If-None-Match");
    h.if_modified_since = r.header("If-Modified-Since");
    // httpd's r->no_local_copy: a filter will change the body (SSI), so the
    // file's validators say nothing about it.
    if ((!h.if_match && !h.if_unmodified_since && !h.if_none_match && !h.if_modified_since) || r.no_local_copy) {
        return Precondition::Proceed;
    }
    switch (http::evaluate_preconditions(method_for(r), h, http::Validators{meta.etag, meta.mtime_s}, r.time_s)) {
        case http::Precondition::NotModified: return Precondition::NotModified;
        case http::Precondition::PreconditionFailed: return Precondition::Failed;
        case http::Precondition::Proceed: break;
    }
    return Precondition::Proceed;
}

namespace {

// What a Range asks of a body of `size` bytes: the whole body, 416, one
// range, or multipart/byteranges segments (a literal is arena text, a range
// an offset and length in the body). A 206's status, Content-Range and
// multipart type are set on the request.
struct RangePlan {
    int status = 0;
    bool whole = true;
    http::ByteRange single{};
    std::span<const http::BodySegment> segments;
    const char* literals = nullptr;
};

RangePlan plan_ranges(Request& r, const http::Validators& validators, const modules::core::CoreDirConfig& core,
                      std::uint64_t size) {
    RangePlan p;
    auto range = r.header("Range");
    if (!range) {
        return p;
    }
    if (auto if_range = r.header("If-Range")) {
        if (!http::if_range_matches(trim(*if_range), validators, r.time_s)) {
            return p;
        }
    }
    http::RangeLimits limits{range_limit(core.max_ranges, 200), range_limit(core.max_range_overlaps, 20),
                             range_limit(core.max_range_reversals, 20)};
    std::size_t capacity = limits.max_ranges == http::kRangeLimitUnlimited ? http::max_range_members(*range)
                                                                          : limits.max_ranges;
    capacity = std::max<std::size_t>(capacity, 1);
    auto* ranges = static_cast<http::ByteRange*>(r.arena->allocate(capacity * sizeof(http::ByteRange),
                                                                   alignof(http::ByteRange)));
    std::span<http::ByteRange> out(ranges, capacity);
    http::RangeResult res = http::parse_byte_ranges(trim(*range), size, limits, out);
    if (res.decision == http::RangeDecision::Full) {
        return p;
    }
    if (res.decision == http::RangeDecision::NotSatisfiable) {
        p.status = 416;  // as httpd: no Content-Range on the 416 page
        return p;
    }
    if (res.count == 1) {
        char buf[http::kMaxContentRangeLength];
        std::size_t n = http::format_content_range(out[0], size, buf);
        r.add_header("Content-Range", r.keep(std::string_view(buf, n)));
        r.status = 206;
        p.whole = false;
        p.single = out[0];
        return p;
    }
    char boundary[32];
    std::size_t blen = http::format_multipart_boundary(
        static_cast<std::uint64_t>(r.time_us) ^ (static_cast<std::uint64_t>(validators.last_modified) << 20), boundary);
    std::string_view bnd(boundary, blen);
    std::pmr::string type(r.content_type, r.arena);
    std::size_t lit_cap = http::multipart_literal_capacity(res.count, type, bnd);
    char* literals = static_cast<char*>(r.arena->allocate(lit_cap, 1));
    std::size_t seg_cap = 2 * res.count + 1;
    auto* segs = static_cast<http::BodySegment*>(
        r.arena->allocate(seg_cap * sizeof(http::BodySegment), alignof(http::BodySegment)));
    http::MultipartPlan plan = http::plan_multipart_byteranges(out.first(res.count), type, size, bnd,
                                                               std::span<char>(literals, lit_cap),
                                                               std::span<http::BodySegment>(segs, seg_cap));
    if (!plan.ok) {
        return p;
    }
    r.status = 206;
    r.content_type.assign("multipart/byteranges; boundary=").append(bnd);
    p.whole = false;
    p.segments = std::span<const http::BodySegment>(segs, plan.segment_count);
    p.literals = literals;
    return p;
}

}  // namespace

int apply_ranges(Request& r, const FileMeta& meta, const modules::core::CoreDirConfig& core, std::uint64_t size) {
    const RangePlan p = plan_ranges(r, http::Validators{meta.etag, meta.mtime_s}, core, size);
    if (p.whole) {
        return p.status;
    }
    if (p.segments.empty()) {
        r.body.offset = p.single.first;
        r.body.length = p.single.length();
        return 0;
    }
    r.body.pieces.clear();
    // Pair each literal with the file range that follows it.
    Body::Piece piece;
    for (const http::BodySegment& s : p.segments) {
        if (s.kind == http::BodySegment::Kind::Literal) {
            if (!piece.memory.empty() || piece.length != 0) {
                r.body.pieces.push_back(piece);
                piece = Body::Piece{};
            }
            piece.memory = std::string_view(p.literals + s.offset, static_cast<std::size_t>(s.length));
        } else {
            piece.offset = s.offset;
            piece.length = s.length;
            r.body.pieces.push_back(piece);
            piece = Body::Piece{};
        }
    }
    if (!piece.memory.empty() || piece.length != 0) {
        r.body.pieces.push_back(piece);
    }
    return 0;
}

int apply_ranges_to_output(Request& r, const modules::core::CoreDirConfig& core, std::int64_t mtime_s,
                           std::string& whole) {
    const auto etag = find_header(r.headers_out, "ETag");
    const bool dated = find_header(r.headers_out, "Last-Modified").has_value();
    const RangePlan p = plan_ranges(r, http::Validators{etag.value_or(std::string_view()), dated ? mtime_s : 0},
                                    core, whole.size());
    if (p.whole) {
        return p.status;
    }
    if (p.segments.empty()) {
        whole = whole.substr(static_cast<std::size_t>(p.single.first), static_cast<std::size_t>(p.single.length()));
        return 0;
    }
    std::string parts;
    for (const http::BodySegment& s : p.segments) {
        if (s.kind == http::BodySegment::Kind::Literal) {
            parts.append(p.literals + s.offset, static_cast<std::size_t>(s.length));
        } else {
            parts.append(whole, static_cast<std::size_t>(s.offset), static_cast<std::size_t>(s.length));
        }
    }
    whole = std::move(parts);
    return 0;
}

}  // namespace sonora::request
