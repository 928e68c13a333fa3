#include "http/request_line.h"

#include "http/char_class.h"

namespace sonora::http {
namespace {

using detail::has_class;

constexpr HttpError bad_request(std::string_view reason) {
    return HttpError{400, reason, {}};
}

bool is_tchar_run(std::string_view s) {
    for (char c : s) {
        if (!has_class(c, detail::kTchar)) {
            return false;
        }
    }
    return !s.empty();
}

// Strict accepts exactly "HTTP/" DIGIT "." DIGIT with a non-zero major, as Apache does:
// HTTP/1.2 and HTTP/2.0 are served (as HTTP/1.1), HTTP/3, HTTP/0.9, HTTP/1.10 are not.
bool parse_version(std::string_view v, RequestLine& out) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') {
        return false;
    }
    if (v[5] < '1' || v[5] > '9' || v[7] < '0' || v[7] > '9') {
        return false;
    }
    out.version_major = static_cast<std::uint8_t>(v[5] - '0');
    out.version_minor = static_cast<std::uint8_t>(v[7] - '0');
    return true;
}

bool has_scheme(std::string_view target) {
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'
    const std::size_t colon = target.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
        return false;
    }
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = target[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
                                            c == '.'));
        if (!ok) {
            return false;
        }
    }
    return true;
}

// The target's form; its bytes were checked by the caller.
std::optional<HttpError> classify_form(RequestLine& out) {
    const std::string_view t = out.target;
    out.well_formed = true;
    if (t.empty()) {
        return bad_request("unable to parse URI");
    }
    if (t[0] == '/') {
        out.form = TargetForm::kOrigin;
    } else if (out.method_id == Method::kConnect) {
        out.form = TargetForm::kAuthority;
    } else if (t == "*" && out.method_id == Method::kOptions) {
        out.form = TargetForm::kAsterisk;
    } else if (has_scheme(t)) {
        out.form = TargetForm::kAbsolute;
    } else {
        return bad_request("unable to parse URI");
    }
    return std::nullopt;
}

std::optional<HttpError> classify_target(RequestLine& out) {
    const std::string_view t = out.target;
    for (char c : t) {
        if (!has_class(c, detail::kTargetChar)) {
            return bad_request("URI incorrectly encoded");
        }
    }
    if (t.find('#') != std::string_view::npos) {
        out.well_formed = true;
        return bad_request("URI must not contain a fragment");
    }
    return classify_form(out);
}

// httpd's whitespace (isspace): what may end a part of the request line.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Skips a run of whitespace at `i`; false when any of it is not SP (httpd refuses
// a tab or CR between the parts even under Unsafe).
bool skip_spaces(std::string_view line, std::size_t& i) {
    for (; i < line.size() && is_space(line[i]); ++i) {
        if (line[i] != ' ') {
            return false;
        }
    }
    return true;
}

// A run of visible or obs-text bytes from `i`; false when it ends on anything but
// whitespace or the end of the line (a control byte, NUL, DEL).
bool scan_word(std::string_view line, std::size_t& i) {
    while (i < line.size() && has_class(line[i], detail::kTargetChar)) {
        ++i;
    }
    return i == line.size() || is_space(line[i]);
}

bool parse_version_any_case(std::string_view v, RequestLine& out) {
    if (v.size() != 8) {
        return false;
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (detail::ascii_lower(v[i]) != "http"[i]) {
            return false;
        }
    }
    char canonical[8] = {'H', 'T', 'T', 'P', v[4], v[5], v[6], v[7]};
    return parse_version(std::string_view(canonical, 8), out);
}

}  // namespace

std::optional<HttpError> parse_request_line(std::string_view line, RequestLine& out) {
    out = RequestLine{};
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) {
        return bad_request("malformed request line");
    }
    out.method = line.substr(0, sp1);
    if (!is_tchar_run(out.method)) {
        return bad_request("invalid method token or whitespace");
    }
    out.method_id = classify_method(out.method);

    const std::string_view rest = line.substr(sp1 + 1);
    const std::size_t sp2 = rest.find(' ');
    if (sp2 == std::string_view::npos) {
        // Allow0.9: "GET /path" is a simple request; only GET is allowed.
        out.target = rest;
        out.http09 = true;
        out.version_major = 0;
        out.version_minor = 9;
        if (out.method_id != Method::kGet) {
            return bad_request("only GET is allowed for HTTP/0.9 requests");
        }
    } else if (sp2 + 1 == rest.size()) {
        // "GET / " is still a simple request to httpd: one SP may end the target.
        out.target = rest.substr(0, sp2);
        out.http09 = true;
        out.version_major = 0;
        out.version_minor = 9;
        if (out.method_id != Method::kGet) {
            return bad_request("only GET is allowed for HTTP/0.9 requests");
        }
    } else {
        out.target = rest.substr(0, sp2);
        if (!parse_version(rest.substr(sp2 + 1), out)) {
            return bad_request("unrecognized protocol or excess whitespace");
        }
    }
    if (out.target.empty()) {
        return bad_request("excess whitespace");
    }
    return classify_target(out);
}

std::optional<HttpError> parse_request_line_unsafe(std::string_view line, RequestLine& out) {
    out = RequestLine{};
    std::size_t i = 0;
    if (!scan_word(line, i) || i == 0) {
        return bad_request("invalid method token or whitespace");
    }
    out.method = line.substr(0, i);
    out.method_id = classify_method(out.method);
    if (!skip_spaces(line, i)) {
        return bad_request("whitespace other than SP in the request line");
    }
    const std::size_t target_begin = i;
    if (!scan_word(line, i)) {
        return bad_request("URI incorrectly encoded");
    }
    out.target = line.substr(target_begin, i - target_begin);
    if (out.target.empty()) {
        return bad_request("missing URI");
    }
    if (!skip_spaces(line, i)) {
        return bad_request("whitespace other than SP in the request line");
    }
    if (i == line.size()) {
        out.http09 = true;  // any method: Unsafe lifts Strict's GET-only rule
        out.version_major = 0;
        out.version_minor = 9;
    } else {
        const std::size_t version_begin = i;
        if (!scan_word(line, i)) {
            return bad_request("unrecognized protocol");
        }
        const std::string_view version = line.substr(version_begin, i - version_begin);
        if (!skip_spaces(line, i) || i != line.size()) {
            return bad_request("text or whitespace other than SP after the protocol");
        }
        if (!parse_version_any_case(version, out)) {
            return bad_request("unrecognized protocol");
        }
    }
    // httpd parses the fragment off and serves the rest.
    out.target = out.target.substr(0, out.target.find('#'));
    return classify_form(out);
}

}  // namespace sonora::http
