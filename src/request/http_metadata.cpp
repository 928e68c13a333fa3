#include "request/http_metadata.h"

#include "core/strings.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace sonora::request {

namespace {

void format_http_date(std::int64_t t, char* out, std::size_t n) {
    time_t tt = static_cast<time_t>(t);
    tm g{};
    gmtime_r(&tt, &g);
    std::strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &g);
}

// IMF-fixdate only (what clients send back); anything else is "no date".
std::optional<std::int64_t> parse_http_date(std::string_view s) {
    tm t{};
    std::string copy(trim(s));
    const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &t);
    if (end == nullptr || *end != '\0') {
        end = strptime(copy.c_str(), "%A, %d-%b-%y %H:%M:%S GMT", &t);
        if (end == nullptr || *end != '\0') {
            end = strptime(copy.c_str(), "%a %b %e %H:%M:%S %Y", &t);
            if (end == nullptr || *end != '\0') {
                return std::nullopt;
            }
        }
    }
    return static_cast<std::int64_t>(timegm(&t));
}

bool etag_matches(std::string_view list, std::string_view etag, bool weak) {
    list = trim(list);
    if (list == "*") {
        return true;
    }
    auto strip = [](std::string_view e) {
        if (e.starts_with("W/")) {
            e.remove_prefix(2);
        }
        return e;
    };
    bool ours_weak = etag.starts_with("W/");
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view tag = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (weak) {
            if (strip(tag) == strip(etag)) {
                return true;
            }
        } else if (!ours_weak && !tag.starts_with("W/") && tag == etag) {
            return true;
        }
    }
    return false;
}

struct Range {
    std::uint64_t first;
    std::uint64_t last;
};

// bytes=a-b,c-,-d. Returns false for a header that is not a valid byte range
// set (it is then ignored, as httpd ignores it).
bool parse_ranges(std::string_view spec, std::uint64_t size, std::vector<Range>& out, bool& any_satisfiable) {
    spec = trim(spec);
    if (!starts_with_nocase(spec, "bytes=")) {
        return false;
    }
    spec.remove_prefix(6);
    any_satisfiable = false;
    while (!spec.empty()) {
        std::size_t comma = spec.find(',');
        std::string_view item = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        if (item.empty()) {
            continue;
        }
        std::size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            return false;
        }
        std::string_view a = trim(item.substr(0, dash));
        std::string_view b = trim(item.substr(dash + 1));
        std::uint64_t first = 0;
        std::uint64_t last = 0;
        auto num = [](std::string_view t, std::uint64_t& v) {
            auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            return ec == std::errc() && p == t.data() + t.size() && !t.empty();
        };
        if (a.empty()) {
            std::uint64_t suffix = 0;
            if (!num(b, suffix)) {
                return false;
            }
            if (suffix == 0 || size == 0) {
                continue;
            }
            first = suffix >= size ? 0 : size - suffix;
            last = size - 1;
        } else {
            if (!num(a, first)) {
                return false;
            }
            if (b.empty()) {
                last = size == 0 ? 0 : size - 1;
            } else if (!num(b, last) || last < first) {
                return false;
            }
            if (first >= size) {
                continue;
            }
            last = std::min(last, size - 1);
        }
        any_satisfiable = true;
        out.push_back({first, last});
    }
    return true;
}

}  // namespace

FileMeta file_meta(const struct stat& st, std::int64_t request_time_s, unsigned bits) {
    FileMeta m;
    m.mtime_s = std::min<std::int64_t>(st.st_mtim.tv_sec, request_time_s);
    format_http_date(m.mtime_s, m.last_modified, sizeof m.last_modified);
    if ((bits & (kETagInode | kETagMtime | kETagSize)) == 0) {
        return m;
    }
    const std::uint64_t mtime_us =
        static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(st.st_mtim.tv_nsec) / 1000u;
    // httpd marks the ETag weak while the file is less than a second old: it
    // could still change within the same timestamp.
    bool weak = request_time_s - st.st_mtim.tv_sec < 1;
    char* p = m.etag_buf;
    char* end = m.etag_buf + sizeof m.etag_buf;
    if (weak) {
        *p++ = 'W';
        *p++ = '/';
    }
    *p++ = '"';
    bool first = true;
    auto field = [&](std::uint64_t v) {
        if (!first) {
            *p++ = '-';
        }
        first = false;
        p = std::to_chars(p, end, v, 16).ptr;
    };
    if (bits & kETagInode) {
        field(static_cast<std::uint64_t>(st.st_ino));
    }
    if (bits & kETagSize) {
        field(static_cast<std::uint64_t>(st.st_size));
    }
    if (bits & kETagMtime) {
        field(mtime_us);
    }
    *p++ = '"';
    m.etag = std::string_view(m.etag_buf, static_cast<std::size_t>(p - m.etag_buf));
    return m;
}

Precondition check_preconditions(const Request& r, const FileMeta& meta) {
    const bool safe = r.method == Method::Get || r.method == Method::Head;
    if (auto im = r.header("If-Match")) {
        if (meta.etag.empty() || !etag_matches(*im, meta.etag, false)) {
            return Precondition::Failed;
        }
    } else if (auto ius = r.header("If-Unmodified-Since")) {
        auto t = parse_http_date(*ius);
        if (t && meta.mtime_s > *t) {
            return Precondition::Failed;
        }
    }
    bool none_match_present = false;
    if (auto inm = r.header("If-None-Match")) {
        none_match_present = true;
        if (!meta.etag.empty() && etag_matches(*inm, meta.etag, true)) {
            return safe ? Precondition::NotModified : Precondition::Failed;
        }
        if (trim(*inm) == "*") {
            return safe ? Precondition::NotModified : Precondition::Failed;
        }
    }
    if (!none_match_present && safe) {
        if (auto ims = r.header("If-Modified-Since")) {
            auto t = parse_http_date(*ims);
            if (t && *t <= r.time_s && meta.mtime_s <= *t) {
                return Precondition::NotModified;
            }
        }
    }
    return Precondition::Proceed;
}

int apply_ranges(Request& r, const FileMeta& meta, const modules::core::CoreDirConfig& core, std::uint64_t size) {
    auto range = r.header("Range");
    if (!range) {
        return 0;
    }
    int max_ranges = core.max_ranges.value_or(200);
    if (max_ranges == -1) {
        return 0;  // MaxRanges none
    }
    if (auto if_range = r.header("If-Range")) {
        std::string_view v = trim(*if_range);
        bool ok = v.starts_with("\"") || v.starts_with("W/") ? (!meta.etag.empty() && !meta.etag.starts_with("W/") &&
                                                                v == meta.etag)
                                                             : v == std::string_view(meta.last_modified);
        if (!ok) {
            return 0;
        }
    }
    std::vector<Range> ranges;
    bool satisfiable = false;
    if (!parse_ranges(*range, size, ranges, satisfiable)) {
        return 0;
    }
    if (!satisfiable) {
        char buf[48];
        int n = std::snprintf(buf, sizeof buf, "bytes */%llu", static_cast<unsigned long long>(size));
        r.add_header("Content-Range", r.keep(std::string_view(buf, static_cast<std::size_t>(n))));
        return 416;
    }
    // Overlapping or adjacent ranges are merged, in request order.
    std::vector<Range> merged;
    for (const Range& rg : ranges) {
        bool joined = false;
        for (Range& m : merged) {
            if (rg.first <= m.last + 1 && m.first <= rg.last + 1) {
                m.first = std::min(m.first, rg.first);
                m.last = std::max(m.last, rg.last);
                joined = true;
                break;
            }
        }
        if (!joined) {
            merged.push_back(rg);
        }
    }
    if (max_ranges > 0 && static_cast<int>(merged.size()) > max_ranges) {
        return 0;
    }
    if (merged.size() == 1 && merged[0].first == 0 && merged[0].last + 1 == size) {
        return 0;
    }
    r.status = 206;
    if (merged.size() == 1) {
        char buf[80];
        int n = std::snprintf(buf, sizeof buf, "bytes %llu-%llu/%llu", static_cast<unsigned long long>(merged[0].first),
                              static_cast<unsigned long long>(merged[0].last), static_cast<unsigned long long>(size));
        r.add_header("Content-Range", r.keep(std::string_view(buf, static_cast<std::size_t>(n))));
        r.body.offset = merged[0].first;
        r.body.length = merged[0].last - merged[0].first + 1;
        return 0;
    }
    // multipart/byteranges
    static constexpr std::string_view kBoundary = "3d6b6a416f9b5";
    std::pmr::string type(r.content_type, r.arena);
    r.content_type.assign("multipart/byteranges; boundary=").append(kBoundary);
    r.body.pieces.clear();
    for (const Range& rg : merged) {
        std::pmr::string head(r.arena);
        head.append("\r\n--").append(kBoundary).append("\r\n");
        if (!type.empty()) {
            head.append("Content-type: ").append(type).append("\r\n");
        }
        char buf[80];
        int n = std::snprintf(buf, sizeof buf, "Content-range: bytes %llu-%llu/%llu\r\n\r\n",
                              static_cast<unsigned long long>(rg.first), static_cast<unsigned long long>(rg.last),
                              static_cast<unsigned long long>(size));
        head.append(buf, static_cast<std::size_t>(n));
        r.body.pieces.push_back({r.keep(head), rg.first, rg.last - rg.first + 1});
    }
    std::pmr::string tail(r.arena);
    tail.append("\r\n--").append(kBoundary).append("--\r\n");
    r.body.pieces.push_back({r.keep(tail), 0, 0});
    return 0;
}

}  // namespace sonora::request
