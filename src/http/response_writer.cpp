#include "http/response_writer.h"

#include <cstring>

#include "http/reason_phrase.h"

namespace sonora::http {

void ResponseHeadWriter::append(std::string_view s) {
    if (s.empty()) {
        return;
    }
    if (!ok_ || s.size() > cap_ - len_) {
        ok_ = false;
        return;
    }
    std::memcpy(buf_ + len_, s.data(), s.size());
    len_ += s.size();
}

void ResponseHeadWriter::append_number(std::uint64_t n) {
    char digits[20];
    std::size_t i = sizeof digits;
    do {
        digits[--i] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    append({digits + i, sizeof digits - i});
}

void ResponseHeadWriter::status(int code) {
    const std::string_view line = status_line(code);
    if (line.empty()) {
        status(code, {});
        return;
    }
    append("HTTP/1.1 ");
    append(line);
    append("\r\n");
}

void ResponseHeadWriter::status(int code, std::string_view reason) {
    append("HTTP/1.1 ");
    if (code < 100 || code > 999) {
        append(status_line(500));
    } else {
        append_number(static_cast<std::uint64_t>(code));
        append(" ");
        append(reason);
    }
    append("\r\n");
}

void ResponseHeadWriter::header(std::string_view name, std::string_view value) {
    append(name);
    append(": ");
    append(value);
    append("\r\n");
}

void ResponseHeadWriter::header(std::string_view name, std::uint64_t value) {
    append(name);
    append(": ");
    append_number(value);
    append("\r\n");
}

std::string_view ResponseHeadWriter::finish() {
    append("\r\n");
    return ok_ ? std::string_view(buf_, len_) : std::string_view{};
}

}  // namespace sonora::http
