#pragma once
// Logical lines of a configuration file, as httpd's ap_cfg_getline gives them:
// a backslash right before the end of a physical line joins the next line
// (comment lines included, as in httpd); leading and trailing whitespace is
// removed. Comments and blank lines are returned too; the caller skips them.

#include <cstddef>
#include <string>
#include <string_view>

namespace sonora::config {

class LineReader {
public:
    // Lines longer than this are a configuration error (httpd has a similar cap).
    static constexpr std::size_t kMaxLine = 1u << 20;

    explicit LineReader(std::string text) : text_(std::move(text)) {}

    enum class Result { Line, End, TooLong };
    // Fills `out` with the next logical line.
    Result next(std::string& out);
    // Physical line number of the last line consumed (httpd reports this one).
    int line_number() const { return line_; }

private:
    std::string text_;
    std::size_t pos_ = 0;
    int line_ = 0;
};

}  // namespace sonora::config
