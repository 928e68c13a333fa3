#include "modules/filters/compress/content_coding.h"

#include "core/strings.h"

#include <climits>
#include <string>

namespace sonora::modules::filters::compress {

namespace {

using request::Header;
using request::Request;

std::string_view take_token(std::string_view& s, bool spaces_inside) { return get_token(s, spaces_inside); }

Header* first_header(std::pmr::vector<Header>& table, std::string_view name) {
    for (Header& h : table) {
        if (equals_nocase(h.name, name)) {
            return &h;
        }
    }
    return nullptr;
}

std::string_view join(const Request& r, std::string_view a, std::string_view b) {
    if (a.empty()) {
        return b;
    }
    if (b.empty()) {
        return a;
    }
    std::string joined;
    joined.reserve(a.size() + b.size() + 1);
    joined.append(a).append(",").append(b);
    return r.keep(joined);
}

void set_note(Request& r, std::string_view name, std::string_view value) {
    if (name.empty()) {
        return;
    }
    for (Header& h : r.notes) {
        if (equals_nocase(h.name, name)) {
            h.value = r.keep(value);
            return;
        }
    }
    r.notes.push_back({r.keep(name), r.keep(value)});
}

}  // namespace

std::optional<EtagMode> etag_mode_named(std::string_view word) {
    if (equals_nocase(word, "AddSuffix")) {
        return EtagMode::AddSuffix;
    }
    if (equals_nocase(word, "NoChange")) {
        return EtagMode::NoChange;
    }
    if (equals_nocase(word, "Remove")) {
        return EtagMode::Remove;
    }
    return std::nullopt;
}

int atoi_clamped(std::string_view s) {
    const long v = leading_number(s);
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : static_cast<int>(v);
}

bool accepts_coding(std::string_view accepts, std::string_view coding) {
    std::string_view token = take_token(accepts, false);
    bool have = true;
    while (have && !token.empty() && !equals_nocase(token, coding)) {
        while (!accepts.empty() && accepts.front() == ';') {
            accepts.remove_prefix(1);
            take_token(accepts, true);
        }
        if (!accepts.empty() && accepts.front() == ',') {
            accepts.remove_prefix(1);
        }
        have = !accepts.empty();
        token = have ? take_token(accepts, false) : std::string_view();
    }
    if (!have || token.empty()) {
        return false;
    }
    if (!accepts.empty()) {
        while (!accepts.empty() && accepts.front() == ';') {
            accepts.remove_prefix(1);
        }
        const std::string_view q = take_token(accepts, true);
        constexpr std::string_view kZero = "q=0.000";
        if (q.size() >= 3 && q.size() <= kZero.size() && kZero.substr(0, q.size()) == q) {
            return false;
        }
    }
    return true;
}

std::string_view current_encoding(const Request& r) {
    std::string_view out = request::find_header(r.headers_out, "Content-Encoding").value_or("");
    out = join(r, out, request::find_header(r.err_headers_out, "Content-Encoding").value_or(""));
    return join(r, out, r.content_encoding);
}

bool is_unencoded(std::string_view encoding) {
    std::string_view rest = encoding;
    std::string_view token = take_token(rest, false);
    while (!token.empty()) {
        if (token != "identity" && token != "7bit" && token != "8bit" && token != "binary") {
            return false;
        }
        if (!rest.empty()) {
            rest.remove_prefix(1);
        }
        if (rest.empty()) {
            break;
        }
        token = take_token(rest, false);
    }
    return true;
}

void add_content_encoding(Request& r, std::string_view encoding, std::string_view coding) {
    std::string_view value = coding;
    if (!encoding.empty() && !equals_nocase(encoding, "identity")) {
        // httpd merges into headers_out's own value, whatever the other
        // sources said.
        if (auto own = request::find_header(r.headers_out, "Content-Encoding")) {
            value = r.keep(std::string(*own) + ", " + std::string(coding));
        }
    }
    r.remove_header("Content-Encoding");
    if (!r.content_encoding.empty()) {
        r.content_encoding.assign(value);
    } else {
        r.add_header("Content-Encoding", value);
    }
}

void alter_etag(Request& r, EtagMode mode, std::string_view suffix, bool short_unchanged) {
    if (mode == EtagMode::NoChange) {
        return;
    }
    if (mode == EtagMode::Remove) {
        r.remove_header("ETag");
        return;
    }
    Header* etag = first_header(r.headers_out, "ETag");
    if (etag == nullptr) {
        return;
    }
    const std::string_view v = etag->value;
    if (v.size() <= 2 && short_unchanged) {
        return;
    }
    std::string tag;
    if (v.size() > 2 && v.back() == '"') {
        tag.append(v.substr(0, v.size() - 1)).append("-").append(suffix).append("\"");
    } else {
        tag.append(v).append("-").append(suffix);
    }
    // In place, as apr_table_setn keeps the header where it was.
    etag->value = r.keep(tag);
}

std::optional<std::string_view> negotiate(Request& r, std::string_view coding, bool force) {
    const std::string_view encoding = current_encoding(r);
    if (!encoding.empty() && !is_unencoded(encoding)) {
        return std::nullopt;
    }
    r.merge_header("Vary", "Accept-Encoding");  // httpd's apr_table_mergen
    if (!force) {
        auto accepts = r.header("Accept-Encoding");
        if (!accepts || !accepts_coding(*accepts, coding)) {
            return std::nullopt;
        }
    }
    return encoding;
}

void mark_encoded(Request& r, std::string_view encoding, std::string_view coding, EtagMode mode,
                  bool short_unchanged) {
    add_content_encoding(r, encoding, coding);
    r.remove_header("Content-Length");
    r.remove_header("Content-MD5");
    r.body.length_declared = false;
    alter_etag(r, mode, coding, short_unchanged);
}

bool partial_or_empty_status(const Request& r) {
    // A subrequest's output is part of another response, compressed (or
    // not) with it, as httpd's filters step aside when r->main is set.
    return r.main != nullptr || r.status == 204 || r.status == 206 || request::find_header(r.headers_out, "Content-Range") ||
           !r.body.pieces.empty();
}

std::optional<std::uint64_t> known_body_length(const Request& r) {
    switch (r.body.kind) {
        case request::Body::Kind::None:
            return 0;
        case request::Body::Kind::Memory:
            return r.body.memory.size();
        case request::Body::Kind::File: {
            std::uint64_t n = r.body.length;
            for (const auto& piece : r.body.pieces) {
                n += piece.memory.size() + piece.length;
            }
            return n;
        }
        case request::Body::Kind::Stream:
            if (r.body.length_declared) {
                return r.body.length;
            }
            return std::nullopt;
    }
    return std::nullopt;
}

void set_filter_notes(Request& r, std::string_view input_note, std::string_view output_note,
                      std::string_view ratio_note, std::uint64_t in, std::uint64_t out) {
    const bool any = in > 0;
    set_note(r, input_note, any ? std::to_string(in) : "-");
    set_note(r, output_note, any ? std::to_string(out) : "-");
    set_note(r, ratio_note, any ? std::to_string(static_cast<int>(out * 100 / in)) : "-");
}

}  // namespace sonora::modules::filters::compress
