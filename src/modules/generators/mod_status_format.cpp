#include "modules/generators/mod_status_format.h"

#include "core/strings.h"
#include "modules/loggers/log_render.h"

#include <time.h>

#include <cstdio>

namespace sonora::modules::generators::status {

namespace {

constexpr std::uint64_t kKilo = 1024;
constexpr std::uint64_t kMega = kKilo * kKilo;
constexpr std::uint64_t kGiga = kMega * kKilo;

// One decimal and a unit, computed in float as httpd computes it.
std::string one_decimal(float v, const char* unit) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f %s", static_cast<double>(v), unit);
    return buf;
}

void append_unit(std::string& out, std::uint64_t n, const char* unit) {
    if (n == 0) {
        return;
    }
    out += ' ';
    out += std::to_string(n);
    out += ' ';
    out += unit;
    if (n != 1) {
        out += 's';
    }
}

}  // namespace

std::string format_g(double value, int precision) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    std::string s(buf);
    const std::size_t digits = s.front() == '-' ? 1 : 0;
    if (s.compare(digits, 2, "0.") == 0) {
        s.erase(digits, 1);
    }
    if (std::size_t e = s.find('e'); e != std::string::npos) {
        // The sign stays; zeros between it and the first digit go.
        std::size_t first = e + 2;
        while (first + 1 < s.size() && s[first] == '0') {
            s.erase(first, 1);
        }
    }
    return s;
}

std::string format_bytes(std::uint64_t bytes) {
    if (bytes < 5 * kKilo) {
        return std::to_string(bytes) + " B";
    }
    if (bytes < kMega / 2) {
        return one_decimal(static_cast<float>(bytes) / kKilo, "kB");
    }
    if (bytes < kGiga / 2) {
        return one_decimal(static_cast<float>(bytes) / kMega, "MB");
    }
    return one_decimal(static_cast<float>(bytes) / kGiga, "GB");
}

std::string format_kbytes(std::uint64_t kbytes) {
    if (kbytes < kKilo) {
        return std::to_string(kbytes) + " kB";
    }
    if (kbytes < kMega) {
        return one_decimal(static_cast<float>(kbytes) / kKilo, "MB");
    }
    return one_decimal(static_cast<float>(kbytes) / kMega, "GB");
}

std::string format_uptime(std::uint64_t seconds) {
    std::string out;
    append_unit(out, seconds / 86400, "day");
    append_unit(out, seconds / 3600 % 24, "hour");
    append_unit(out, seconds / 60 % 60, "minute");
    append_unit(out, seconds % 60, "second");
    return out;
}

std::string format_time(std::int64_t us) {
    const time_t t = static_cast<time_t>(us / 1'000'000);
    tm local{};
    ::localtime_r(&t, &local);
    char buf[128];
    std::size_t n = std::strftime(buf, sizeof buf, "%A, %d-%b-%Y %H:%M:%S %Z", &local);
    return std::string(buf, n);
}

void append_html(std::string& out, std::string_view s) { append_html_escaped(out, s); }

void append_logitem_html(std::string& out, std::string_view s) {
    std::string escaped;
    loggers::append_escaped(escaped, s);
    append_html(out, escaped);
}

}  // namespace sonora::modules::generators::status
