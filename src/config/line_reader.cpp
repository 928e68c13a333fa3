#include "config/line_reader.h"

#include "core/strings.h"

namespace sonora::config {

LineReader::Result LineReader::next(std::string& out) {
    out.clear();
    if (pos_ >= text_.size()) {
        return Result::End;
    }
    for (;;) {
        std::size_t eol = text_.find('\n', pos_);
        std::size_t end = eol == std::string::npos ? text_.size() : eol;
        std::string_view physical(text_.data() + pos_, end - pos_);
        pos_ = eol == std::string::npos ? text_.size() : eol + 1;
        ++line_;
        if (!physical.empty() && physical.back() == '\r') {
            physical.remove_suffix(1);
        }
        bool continued = !physical.empty() && physical.back() == '\\' && pos_ < text_.size();
        if (continued) {
            physical.remove_suffix(1);
        }
        if (out.size() + physical.size() > kMaxLine) {
            return Result::TooLong;
        }
        out.append(physical);
        if (!continued) {
            break;
        }
    }
    std::string_view trimmed = trim(out);
    out = std::string(trimmed);
    return Result::Line;
}

}  // namespace sonora::config
