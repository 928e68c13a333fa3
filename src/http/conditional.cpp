#include "http/conditional.h"

#include <algorithm>

#include "http/etag.h"
#include "http/http_date.h"

namespace sonora::http {

namespace {

// Apache's date-based validators count as strong only this long after the
// modification (If-Range); checked against httpd: 59 s -> 200, 60 s -> 206.
constexpr std::int64_t kStrongDateAge = 60;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::string_view opaque_tag(std::string_view tag) {
    return etag_is_weak(tag) ? tag.substr(2) : tag;
}

bool is_get_or_head(std::string_view method) { return method == "GET" || method == "HEAD"; }

// Both a list hit and '*' count; '*' is recognised by the first byte alone,
// as Apache does ("**" and "*, x" are wildcards; "x, *" is not).
bool list_hit(std::string_view list, std::string_view etag, bool weak) {
    return (!list.empty() && list.front() == '*') || etag_list_contains(list, etag, weak);
}

}  // namespace

bool etag_strong_equal(std::string_view a, std::string_view b) {
    return !a.empty() && !etag_is_weak(a) && !etag_is_weak(b) && a == b;
}

bool etag_weak_equal(std::string_view a, std::string_view b) {
    return !a.empty() && opaque_tag(a) == opaque_tag(b);
}

bool etag_list_contains(std::string_view list, std::string_view etag, bool weak) {
    if (etag.empty()) {
        return false;
    }
    std::size_t begin = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= list.size(); ++i) {
        if (i < list.size() && (list[i] != ',' || quoted)) {
            quoted = list[i] == '"' ? !quoted : quoted;
            continue;
        }
        const std::string_view member = trim_ows(list.substr(begin, i - begin));
        begin = i + 1;
        if (!member.empty() &&
            (weak ? etag_weak_equal(member, etag) : etag_strong_equal(member, etag))) {
            return true;
        }
    }
    return false;
}

Precondition evaluate_preconditions(std::string_view method, const ConditionalHeaders& h,
                                    const Validators& resource, std::int64_t request_time) {
    const std::int64_t mtime = std::min(resource.last_modified, request_time);
    if (h.if_match && !list_hit(*h.if_match, resource.etag, false)) {
        return Precondition::PreconditionFailed;
    }
    if (h.if_unmodified_since) {
        const std::optional<std::int64_t> ius = parse_http_date(*h.if_unmodified_since);
        if (ius && *ius < mtime) {
            return Precondition::PreconditionFailed;
        }
    }
    const bool get_or_head = is_get_or_head(method);
    if (h.if_none_match) {
        if (!list_hit(*h.if_none_match, resource.etag, get_or_head)) {
            return Precondition::Proceed;
        }
        if (!get_or_head) {
            return Precondition::PreconditionFailed;
        }
        if (!h.if_modified_since) {
            return Precondition::NotModified;
        }
    }
    if (!get_or_head || !h.if_modified_since) {
        return Precondition::Proceed;
    }
    const std::optional<std::int64_t> ims = parse_http_date(*h.if_modified_since);
    const bool unmodified = ims && *ims >= mtime && *ims <= request_time;
    return unmodified ? Precondition::NotModified : Precondition::Proceed;
}

bool if_range_matches(std::string_view if_range, const Validators& resource,
                      std::int64_t request_time) {
    if (!if_range.empty() && if_range.front() == '"') {
        return etag_strong_equal(if_range, resource.etag);
    }
    const std::optional<std::int64_t> date = parse_http_date(if_range);
    const std::int64_t mtime = std::min(resource.last_modified, request_time);
    return date && *date == mtime && request_time - mtime >= kStrongDateAge;
}

}  // namespace sonora::http
