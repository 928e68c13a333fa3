#include "expr/expr_regex.h"

#include <pcre2.h>

#include <cstdint>

namespace sonora::expr {

struct ExprRegex::Code {
    pcre2_code* code = nullptr;
    Code() = default;
    Code(const Code&) = delete;
    Code& operator=(const Code&) = delete;
    ~Code() { pcre2_code_free(code); }
};

std::optional<ExprRegex> ExprRegex::compile(std::string_view pattern, bool caseless,
                                            std::string* error) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    std::uint32_t options = caseless ? PCRE2_CASELESS : 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     options, &err, &offset, nullptr);
    if (code == nullptr) {
        if (error != nullptr) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(err, buf, sizeof buf);
            *error = reinterpret_cast<const char*>(buf);
            *error += " at offset " + std::to_string(offset);
        }
        return std::nullopt;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // interpreter fallback if JIT is unavailable
    auto holder = std::make_shared<Code>();
    holder->code = code;
    return ExprRegex(std::move(holder), std::string(pattern), caseless);
}

bool ExprRegex::match(std::string_view subject, Backrefs* refs) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_->code, nullptr);
    if (md == nullptr) {
        return false;
    }
    int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                         0, 0, md, nullptr);
    if (rc >= 0 && refs != nullptr) {
        std::uint32_t pairs = pcre2_get_ovector_count(md);
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        for (int i = 0; i < Backrefs::kMax; ++i) {
            auto idx = static_cast<std::uint32_t>(i);
            bool have = idx < pairs && (rc == 0 || i < rc) && ov[2 * idx] != PCRE2_UNSET &&
                        ov[2 * idx + 1] >= ov[2 * idx];
            refs->set[idx] = have;
            refs->group[idx] = have ? std::string(subject.substr(ov[2 * idx],
                                                                 ov[2 * idx + 1] - ov[2 * idx]))
                                    : std::string();
        }
    }
    pcre2_match_data_free(md);
    return rc >= 0;
}

}  // namespace sonora::expr
