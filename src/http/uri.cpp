#include "http/uri.h"

#include "http/char_class.h"

namespace sonora::http {
namespace {

using detail::has_class;
using sonora::hex_value;

// Decodes the escape at path[i] ('%'); returns -1 if it is not '%' HEX HEX.
int escape_at(std::string_view path, std::size_t i) {
    if (i + 2 >= path.size()) {
        return -1;
    }
    const int hi = hex_value(path[i + 1]);
    const int lo = hex_value(path[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

std::uint16_t http_status(PathStatus s) {
    switch (s) {
        case PathStatus::kOk:
            return 0;
        case PathStatus::kEncodedSlash:
        case PathStatus::kEncodedNul:
            return 404;
        case PathStatus::kNoSpace:
            return 500;
        case PathStatus::kNotAbsolute:
        case PathStatus::kBadEscape:
        case PathStatus::kAboveRoot:
            break;
    }
    return 400;
}

TargetParts split_target(std::string_view target, TargetForm form) {
    TargetParts p;
    if (form == TargetForm::kAsterisk) {
        p.path = target;
        return p;
    }
    if (form == TargetForm::kAuthority) {
        p.authority = target;
        return p;
    }
    std::string_view rest = target;
    if (form == TargetForm::kAbsolute) {
        const std::size_t colon = rest.find(':');
        p.scheme = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
        if (rest.substr(0, 2) == "//") {
            rest.remove_prefix(2);
            const std::size_t end = rest.find_first_of("/?");
            p.authority = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        }
    }
    const std::size_t q = rest.find('?');
    p.path = rest.substr(0, q);
    if (q != std::string_view::npos) {
        p.has_query = true;
        p.query = rest.substr(q + 1);
    }
    return p;
}

PathResult normalize_path(std::string_view path, char* out, std::size_t capacity,
                          NormalizeOptions options) {
    if (path.empty() || path[0] != '/') {
        return {PathStatus::kNotAbsolute, 0};
    }
    if (capacity < path.size()) {
        return {PathStatus::kNoSpace, 0};
    }
    std::size_t o = 0;
    out[o++] = '/';
    std::size_t i = 1;
    while (true) {
        const std::size_t seg_start = o;
        // Copy one segment, decoding unreserved escapes.
        while (i < path.size() && path[i] != '/') {
            if (path[i] == '%') {
                const int c = escape_at(path, i);
                if (c < 0) {
                    return {PathStatus::kBadEscape, 0};
                }
                if (has_class(static_cast<char>(c), detail::kUnreserved)) {
                    out[o++] = static_cast<char>(c);
                } else {
                    out[o++] = path[i];
                    out[o++] = path[i + 1];
                    out[o++] = path[i + 2];
                }
                i += 3;
            } else {
                out[o++] = path[i++];
            }
        }
        const bool last = i >= path.size();
        const std::string_view seg(out + seg_start, o - seg_start);
        if (seg == ".") {
            o = seg_start;
        } else if (seg == "..") {
            if (seg_start == 1) {
                return {PathStatus::kAboveRoot, 0};
            }
            o = seg_start - 1;
            while (out[o - 1] != '/') {
                --o;
            }
        } else if (!last && !(seg.empty() && options.merge_slashes)) {
            out[o++] = '/';
        }
        if (last) {
            break;
        }
        ++i;  // the '/'
    }
    return {PathStatus::kOk, o};
}

PathResult unescape_path(std::string_view path, char* out, std::size_t capacity,
                         EncodedSlashes slashes) {
    if (capacity < path.size()) {
        return {PathStatus::kNoSpace, 0};
    }
    std::size_t o = 0;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] != '%') {
            out[o++] = path[i++];
            continue;
        }
        const int c = escape_at(path, i);
        if (c < 0) {
            return {PathStatus::kBadEscape, 0};
        }
        if (c == 0) {
            return {PathStatus::kEncodedNul, 0};
        }
        if (c == '/' && slashes != EncodedSlashes::kDecode) {
            if (slashes == EncodedSlashes::kReject) {
                return {PathStatus::kEncodedSlash, 0};
            }
            out[o++] = path[i];
            out[o++] = path[i + 1];
            out[o++] = path[i + 2];
        } else {
            out[o++] = static_cast<char>(c);
        }
        i += 3;
    }
    return {PathStatus::kOk, o};
}

PathResult decode_request_path(std::string_view path, char* out, std::size_t capacity,
                               NormalizeOptions options, EncodedSlashes slashes) {
    const PathResult n = normalize_path(path, out, capacity, options);
    if (n.status != PathStatus::kOk) {
        return n;
    }
    return unescape_path({out, n.length}, out, capacity, slashes);
}

}  // namespace sonora::http
