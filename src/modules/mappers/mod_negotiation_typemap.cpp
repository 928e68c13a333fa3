// The type-map reader, with httpd's quirks kept: lines are read 8 KiB at a
// time, a continuation line is joined with its line break, a Body's end tag
// is looked for in the 8 KiB after the Body line, and a header name is
// matched by its prefix ("uri:" also takes "uri:x").

#include "modules/mappers/mod_negotiation_typemap.h"

#include "core/strings.h"

#include <charconv>
#include <cstring>

namespace sonora::modules::mappers::negotiation {

namespace {

constexpr std::size_t kMaxLine = 8192;  // httpd's MAX_STRING_LEN

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}
    bool eof() const { return pos_ >= data_.size(); }
    // One line with its '\n', at most kMaxLine - 1 bytes (as fgets).
    bool gets(std::string& line) {
        if (eof()) {
            return false;
        }
        std::size_t end = data_.find('\n', pos_);
        std::size_t len = end == std::string_view::npos ? data_.size() - pos_ : end - pos_ + 1;
        len = std::min(len, kMaxLine - 1);
        line.assign(data_.substr(pos_, len));
        pos_ += len;
        return true;
    }
    int getc() { return eof() ? -1 : static_cast<unsigned char>(data_[pos_++]); }
    void ungetc() { --pos_; }
    std::size_t pos() const { return pos_; }
    void seek(std::size_t p) { pos_ = std::min(p, data_.size()); }
    std::string_view data() const { return data_; }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

enum class Line { Eof, Header, Separator };

Line read_header_line(Reader& in, std::string& buf) {
    do {
        if (!in.gets(buf)) {
            return Line::Eof;
        }
    } while (buf[0] == '#');
    std::size_t i = 0;
    while (i < buf.size() && is_space(buf[i])) {
        ++i;
    }
    if (i == buf.size()) {
        return Line::Separator;
    }
    if (buf.size() >= 5 && lower(buf[0]) == 'b' && lower(buf[1]) == 'o' && lower(buf[2]) == 'd' &&
        lower(buf[3]) == 'y' && buf[4] == ':') {
        return Line::Header;  // no continuation after a Body line
    }
    int c;
    while ((c = in.getc()) != -1) {
        if (c == '#') {
            while ((c = in.getc()) != -1 && c != '\n') {
            }
        } else if (is_space(static_cast<char>(c))) {
            while (c != '\n' && is_space(static_cast<char>(c))) {
                c = in.getc();
                if (c == -1) {
                    break;
                }
            }
            if (c != -1) {
                in.ungetc();
            }
            if (c == '\n') {
                return Line::Header;  // a blank line follows: it ends the record
            }
            while (buf.size() < kMaxLine - 2 && (c = in.getc()) != -1 && c != '\n') {
                buf.push_back(static_cast<char>(c));
            }
            buf.push_back('\n');
        } else {
            in.ungetc();
            return Line::Header;
        }
    }
    return Line::Header;
}

// Blanks out (comments) outside quoted strings.
void strip_paren_comments(std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == '"') {
            std::size_t q = s.find('"', i + 1);
            if (q == std::string::npos) {
                return;
            }
            i = q + 1;
        } else if (s[i] == '(') {
            while (i < s.size() && s[i] != ')') {
                s[i++] = ' ';
            }
            if (i < s.size()) {
                s[i++] = ' ';
            }
        } else {
            ++i;
        }
    }
}

// ap_get_token without white space inside: takes the first word off `s`
// and the blanks after it.
std::string_view take_word(std::string_view& s) { return get_token(s, false); }

std::string_view first_token(std::string_view s) { return take_word(s); }

}  // namespace

TypeMap parse_type_map(std::string_view text, std::string_view map_path, std::pmr::memory_resource* arena) {
    TypeMap map(arena);
    auto keep = [arena](std::string_view s) -> std::string_view {
        if (s.empty()) {
            return {};
        }
        char* p = static_cast<char*>(arena->allocate(s.size(), 1));
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    };
    // NUL ends what httpd's string functions see of a line; keep it simple
    // and stop the whole file there.
    text = text.substr(0, text.find('\0'));
    const std::string_view map_name = map_path.substr(map_path.rfind('/') + 1);
    Reader in(text);
    std::string buf;
    Variant v;
    bool has_content = false;
    bool has_name = false;
    Line state;
    do {
        state = read_header_line(in, buf);
        if (state == Line::Header) {
            std::size_t colon = 0;
            for (; colon < buf.size() && buf[colon] != ':'; ++colon) {
                buf[colon] = lower(buf[colon]);
            }
            if (colon == buf.size()) {
                std::string shown = buf;
                map.status = 500;
                map.error_id = "SN00681";
                map.error = "Syntax error in type map, no ':' in " + std::string(map_path) + " for header " + shown;
                return map;
            }
            std::size_t at = colon + 1;
            while (at < buf.size() && is_space(buf[at])) {
                ++at;
            }
            if (at == buf.size()) {
                map.status = 500;
                map.error_id = "SN00682";
                map.error = "Syntax error in type map --- no header body: " + std::string(map_path) + " for " + buf;
                return map;
            }
            std::string body = buf.substr(at);
            strip_paren_comments(body);
            std::string_view name(buf.data(), colon + 1);
            if (name.starts_with("uri:")) {
                v.file_name = keep(first_token(body));
                has_name = !v.file_name.empty();
            } else if (name.starts_with("content-type:")) {
                std::string lowered = body;
                for (char& c : lowered) {
                    c = lower(c);
                }
                std::string_view kept = keep(lowered);
                AcceptItem item;
                parse_item(kept, item);
                v.set_content_type(item);
                has_content = true;
            } else if (name.starts_with("content-length:")) {
                std::string_view token = first_token(body);
                std::int64_t n = 0;
                auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), n);
                if (token.empty() || ec != std::errc() || end != token.data() + token.size() || n < 0 ||
                    token.front() == '+' || token.front() == '-') {
                    map.error_id = "SN00684";
                    map.error = "Parse error in type map, Content-Length: '" + std::string(token) + "' in " +
                                std::string(map_path) + " is invalid.";
                    break;
                }
                v.bytes = n;
                has_content = true;
            } else if (name.starts_with("content-language:")) {
                std::string langs;
                std::string_view rest = body;
                while (!rest.empty()) {
                    std::string_view tok = take_word(rest);
                    if (!rest.empty() && (rest.front() == ',' || rest.front() == ';')) {
                        rest.remove_prefix(1);
                    }
                    if (!langs.empty()) {
                        langs.push_back(',');
                    }
                    for (char c : tok) {
                        langs.push_back(lower(c));
                    }
                }
                v.languages = keep(langs);
                has_content = true;
            } else if (name.starts_with("content-encoding:")) {
                v.encoding = keep(first_token(body));
                has_content = true;
            } else if (name.starts_with("description:")) {
                std::string desc = body;
                for (char& c : desc) {
                    c = c == '\n' ? ' ' : c;
                }
                if (!desc.empty()) {
                    desc.pop_back();  // httpd drops the last byte, the line's end
                }
                v.description = keep(desc);
            } else if (name.starts_with("body:")) {
                std::string tag = body;
                while (!tag.empty() && is_space(tag.back())) {
                    tag.pop_back();
                }
                const std::size_t start = in.pos();
                std::string_view window = in.data().substr(start, kMaxLine - 1);
                std::size_t found = tag.empty() ? 0 : window.find(tag);
                if (found == std::string_view::npos) {
                    map.error_id = "SN00685";
                    map.error = "Syntax error in type map, no end tag '" + tag + "' found in " +
                                std::string(map_path) + " for Body: content.";
                    break;
                }
                std::size_t after = found + tag.size();
                std::size_t eol = window.find('\n', after);
                after = eol == std::string_view::npos ? window.size() : eol + 1;
                in.seek(start + after);
                v.has_body = true;
                v.body_offset = start;
                v.bytes = static_cast<std::int64_t>(found);
                v.file_name = map_name;
                has_name = true;
            }
        } else {
            if (has_name && has_content) {
                map.variants.push_back(v);
            }
            v = Variant{};
            has_content = false;
            has_name = false;
        }
    } while (state != Line::Eof);
    return map;
}

}  // namespace sonora::modules::mappers::negotiation
