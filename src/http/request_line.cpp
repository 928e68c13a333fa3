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

std::optional<HttpError> classify_target(RequestLine& out) {
    const std::string_view t = out.target;
    for (char c : t) {
        if (!has_class(c, detail::kTargetChar)) {
            return bad_request("URI incorrectly encoded");
        }
    }
    if (t.find('#') != std::string_view::npos) {
        return bad_request("URI must not contain a fragment");
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

}  // namespace sonora::http
