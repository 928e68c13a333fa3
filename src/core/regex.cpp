#include "core/regex.h"

#include <pcre2.h>

#include <algorithm>

namespace sonora {

struct Regex::Code {
    pcre2_code* code = nullptr;
    ~Code() { pcre2_code_free(code); }
};

std::optional<Regex> Regex::compile(std::string_view pattern, unsigned flags, std::string* error) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    std::uint32_t options = (flags & kCaseless) ? PCRE2_CASELESS : 0;
    options |= (flags & kDotAll) ? PCRE2_DOTALL : 0;
    options |= (flags & kDollarEndOnly) ? PCRE2_DOLLAR_ENDONLY : 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     options, &err, &offset, nullptr);
    if (code == nullptr) {
        if (error != nullptr) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(err, buf, sizeof buf);
            *error = reinterpret_cast<const char*>(buf);
        }
        return std::nullopt;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if unavailable
    std::uint32_t captures = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
    auto holder = std::make_shared<Code>();
    holder->code = code;
    return Regex(std::move(holder), std::string(pattern), captures);
}

std::vector<Regex::NamedGroup> Regex::named_groups() const {
    std::vector<NamedGroup> out;
    std::uint32_t count = 0;
    std::uint32_t entry_size = 0;
    PCRE2_SPTR table = nullptr;
    pcre2_pattern_info(code_->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(code_->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(code_->code, PCRE2_INFO_NAMETABLE, &table);
    for (std::uint32_t i = 0; i < count && table != nullptr; ++i) {
        // Each entry: the group number in two bytes, then the name, NUL-terminated.
        const PCRE2_SPTR entry = table + static_cast<std::size_t>(i) * entry_size;
        const std::size_t number = (static_cast<std::size_t>(entry[0]) << 8) | entry[1];
        out.push_back(NamedGroup{std::string(reinterpret_cast<const char*>(entry + 2)), number});
    }
    return out;
}

bool Regex::matches(std::string_view subject) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_->code, nullptr);
    int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                         md, nullptr);
    pcre2_match_data_free(md);
    return rc >= 0;
}

bool Regex::match(std::string_view subject, std::vector<std::string_view>& groups) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_->code, nullptr);
    int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                         md, nullptr);
    groups.clear();
    if (rc >= 0) {
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        for (std::size_t i = 0; i <= captures_; ++i) {
            if (ov[2 * i] == PCRE2_UNSET) {
                groups.emplace_back();
            } else {
                groups.push_back(subject.substr(ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
            }
        }
    }
    pcre2_match_data_free(md);
    return rc >= 0;
}

bool Regex::match_spans(std::string_view subject, std::span<Span> spans) const {
    constexpr std::uint32_t kPairs = 32;
    struct Block {
        pcre2_match_data* md = pcre2_match_data_create(kPairs, nullptr);
        ~Block() { pcre2_match_data_free(md); }
    };
    static thread_local Block block;
    for (Span& s : spans) {
        s = Span{};
    }
    const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                               block.md, nullptr);
    if (rc < 0) {
        return false;
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(block.md);
    const std::size_t n = std::min<std::size_t>({spans.size(), captures_ + 1, kPairs});
    for (std::size_t i = 0; i < n; ++i) {
        if (ov[2 * i] != PCRE2_UNSET) {
            spans[i] = Span{static_cast<std::ptrdiff_t>(ov[2 * i]), static_cast<std::ptrdiff_t>(ov[2 * i + 1])};
        }
    }
    return true;
}

std::string substitute_groups(std::string_view templ, const std::vector<std::string_view>& groups) {
    std::string out;
    for (std::size_t i = 0; i < templ.size(); ++i) {
        char c = templ[i];
        if (c == '$' && i + 1 < templ.size() && templ[i + 1] >= '0' && templ[i + 1] <= '9') {
            auto n = static_cast<std::size_t>(templ[++i] - '0');
            if (n < groups.size()) {
                out.append(groups[n]);
            }
        } else if (c == '\\' && i + 1 < templ.size()) {
            out.push_back(templ[++i]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace sonora
