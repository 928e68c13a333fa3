#include "http/date_cache.h"

namespace sonora::http {
namespace {

constexpr char kDays[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Civil {
    std::int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras.
Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

void put2(char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void format_imf_fixdate(std::int64_t unix_seconds, char (&out)[kImfFixdateLength]) {
    constexpr std::int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr std::int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
    const std::int64_t t = unix_seconds < kMin ? kMin : (unix_seconds > kMax ? kMax : unix_seconds);
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    const Civil c = civil_from_days(days);
    const auto weekday = static_cast<int>(((days % 7) + 7) % 7);
    const char* wd = kDays[weekday];
    const char* mon = kMonths[c.month - 1];
    const auto year = static_cast<int>(c.year);
    out[0] = wd[0];
    out[1] = wd[1];
    out[2] = wd[2];
    out[3] = ',';
    out[4] = ' ';
    put2(out + 5, c.day);
    out[7] = ' ';
    out[8] = mon[0];
    out[9] = mon[1];
    out[10] = mon[2];
    out[11] = ' ';
    put2(out + 12, year / 100);
    put2(out + 14, year % 100);
    out[16] = ' ';
    put2(out + 17, static_cast<int>(secs / 3600));
    out[19] = ':';
    put2(out + 20, static_cast<int>(secs / 60 % 60));
    out[22] = ':';
    put2(out + 23, static_cast<int>(secs % 60));
    out[25] = ' ';
    out[26] = 'G';
    out[27] = 'M';
    out[28] = 'T';
}

std::string_view DateCache::get(std::int64_t unix_seconds) {
    if (unix_seconds != second_) {
        format_imf_fixdate(unix_seconds, text_);
        second_ = unix_seconds;
    }
    return {text_, kImfFixdateLength};
}

}  // namespace sonora::http
