#include "modules/core/script_head.h"

#include "core/strings.h"
#include "http/conditional.h"
#include "http/http_date.h"

#include <algorithm>

namespace sonora::modules::core {

namespace {

std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

bool valid_status(std::string_view v) {
    if (v.size() < 3 || !std::all_of(v.begin(), v.begin() + 3, [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    if (v.size() > 3 && v[3] != ' ') {
        return false;
    }
    return v[0] >= '1' && v[0] <= '5';
}

// The media type lowercased, its parameters as written (httpd's
// ap_content_type_tolower).
std::string_view lower_media_type(request::Request& r, std::string_view v) {
    std::string copy(v);
    const std::size_t end = std::min(copy.find(';'), copy.size());
    std::transform(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(end), copy.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return r.keep(copy);
}

void set_header(std::pmr::vector<request::Header>& table, std::string_view name, std::string_view value) {
    std::erase_if(table, [&](const request::Header& h) { return equals_nocase(h.name, name); });
    table.push_back({name, value});
}

// httpd's apr_table_overlap(..., APR_OVERLAP_TABLES_MERGE): a name already
// there gets this value appended to its own.
void merge_header(request::Request& r, std::string_view name, std::string_view value) {
    for (request::Header& h : r.err_headers_out) {
        if (equals_nocase(h.name, name)) {
            std::string merged(h.value);
            merged.append(", ").append(value);
            h.value = r.keep(merged);
            return;
        }
    }
    r.err_headers_out.push_back({name, value});
}

// httpd's ap_update_mtime then ap_set_last_modified: a date the client could
// not have seen yet is the request's time instead.
void set_last_modified(request::Request& r, std::string_view v) {
    auto when = http::parse_http_date(v);
    if (!when) {
        return;
    }
    char date[http::kHttpDateLength];
    const std::size_t n = http::format_http_date(std::min(*when, r.time_s), date);
    if (n != 0) {
        set_header(r.headers_out, "Last-Modified", r.keep(std::string_view(date, n)));
    }
}

}  // namespace

ScriptHeadScan scan_script_head(std::string_view input, bool at_end) {
    ScriptHeadScan out;
    std::size_t pos = 0;
    while (pos < input.size()) {
        const std::size_t nl = input.find('\n', pos);
        if (nl == std::string_view::npos && !at_end) {
            if (input.size() - pos > kMaxScriptHeadLine) {
                out.state = ScriptHeadScan::State::Malformed;
                out.bad_line = input.substr(pos, 30);
            }
            return out;
        }
        const std::size_t end = nl == std::string_view::npos ? input.size() : nl + 1;
        const std::string_view line = without_cr(input.substr(pos, (nl == std::string_view::npos ? end : nl) - pos));
        if (line.empty()) {
            out.state = ScriptHeadScan::State::Complete;
            out.length = end;
            return out;
        }
        if (line.size() > kMaxScriptHeadLine || line.find(':') == std::string_view::npos) {
            out.state = ScriptHeadScan::State::Malformed;
            out.bad_line = line.substr(0, 30);
            return out;
        }
        pos = end;
    }
    if (at_end) {
        out.state = ScriptHeadScan::State::Complete;
        out.length = input.size();
    }
    return out;
}

ScriptHeadFields apply_script_head(request::Request& r, std::string_view head) {
    ScriptHeadFields out;
    // httpd adds the cookies after the merged fields, each as sent.
    std::pmr::vector<request::Header> cookies(r.arena);
    while (!head.empty()) {
        const std::size_t nl = head.find('\n');
        const std::string_view line = without_cr(head.substr(0, nl));
        head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
        const std::size_t colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos) {
            continue;
        }
        const std::string_view name = r.keep(line.substr(0, colon));
        const std::string_view value = trim_blanks(line.substr(colon + 1));
        if (equals_nocase(name, "Content-Type")) {
            r.content_type.assign(lower_media_type(r, value));
        } else if (equals_nocase(name, "Status")) {
            out.status_field = true;
            if (valid_status(value)) {
                r.status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
                r.status_line = r.keep(value);
            } else {
                r.status = 500;
                out.bad_status = r.keep(value);
            }
        } else if (equals_nocase(name, "Location") || equals_nocase(name, "Content-Range") ||
                   equals_nocase(name, "ETag")) {
            set_header(r.headers_out, name, r.keep(value));
        } else if (equals_nocase(name, "Content-Length")) {
            out.content_length = r.keep(value);
        } else if (equals_nocase(name, "Transfer-Encoding")) {
            // The server frames the body itself.
        } else if (equals_nocase(name, "Last-Modified")) {
            set_last_modified(r, value);
        } else if (equals_nocase(name, "Set-Cookie")) {
            cookies.push_back({name, r.keep(value)});
        } else {
            merge_header(r, name, r.keep(value));
        }
    }
    r.err_headers_out.insert(r.err_headers_out.end(), cookies.begin(), cookies.end());
    return out;
}

int script_head_conditions(const request::Request& r, const ScriptHeadFields& fields) {
    if (fields.status_field || (r.method != request::Method::Get && r.method != request::Method::Head)) {
        return 0;
    }
    http::ConditionalHeaders h;
    h.if_match = r.header("If-Match");
    h.if_unmodified_since = r.header("If-Unmodified-Since");
    h.if_none_match = r.header("If-None-Match");
    h.if_modified_since = r.header("If-Modified-Since");
    if (!h.if_match && !h.if_unmodified_since && !h.if_none_match && !h.if_modified_since) {
        return 0;
    }
    http::Validators v;
    v.etag = request::find_header(r.headers_out, "ETag").value_or(std::string_view());
    const auto modified = request::find_header(r.headers_out, "Last-Modified");
    v.last_modified = modified ? http::parse_http_date(*modified).value_or(r.time_s) : r.time_s;
    switch (http::evaluate_preconditions(r.method_name, h, v, r.time_s)) {
        case http::Precondition::NotModified: return 304;
        case http::Precondition::PreconditionFailed: return 412;
        case http::Precondition::Proceed: break;
    }
    return 0;
}

}  // namespace sonora::modules::core
