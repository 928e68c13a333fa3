#include "http/http_date.h"

#include <array>

namespace sonora::http {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// public-domain civil calendar algorithm); month is 1..12.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

Civil civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap(std::int64_t year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

void put2(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Mask letters: '#' digit, '~' digit or space, '@' A-Z, '$' a-z, '*' rest of
// the input (possibly empty); any other mask character must match literally.
bool matches_mask(std::string_view s, std::string_view mask) {
    std::size_t i = 0;
    for (const char m : mask) {
        if (m == '*') {
            return true;
        }
        if (i >= s.size()) {
            return false;
        }
        const char c = s[i++];
        const bool ok = m == '#'   ? is_digit(c)
                        : m == '~' ? (is_digit(c) || c == ' ')
                        : m == '@' ? (c >= 'A' && c <= 'Z')
                        : m == '$' ? (c >= 'a' && c <= 'z')
                                   : c == m;
        if (!ok) {
            return false;
        }
    }
    return i == s.size();
}

unsigned num(std::string_view s, std::size_t pos, std::size_t len) {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
        v = v * 10 + (s[i] == ' ' ? 0U : static_cast<unsigned>(s[i] - '0'));
    }
    return v;
}

struct Fields {
    std::int64_t year = 0;
    unsigned month = 0;  // 1..12, 0 = unknown name
    unsigned day = 0;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
};

unsigned month_number(std::string_view name) {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (kMonths[i] == name) {
            return static_cast<unsigned>(i + 1);
        }
    }
    return 0;
}

// `s` starts after the weekday; `clock` is the offset of "HH:MM:SS".
void read_clock(std::string_view s, std::size_t clock, Fields& f) {
    f.hour = num(s, clock, 2);
    f.minute = num(s, clock + 3, 2);
    f.second = num(s, clock + 6, 2);
}

std::optional<Fields> split_fields(std::string_view s) {
    Fields f;
    if (matches_mask(s, "## @$$ #### ##:##:## *")) {
        f = {num(s, 7, 4), month_number(s.substr(3, 3)), num(s, 0, 2)};
        read_clock(s, 12, f);
    } else if (matches_mask(s, "# @$$ #### ##:##:## *")) {
        f = {num(s, 6, 4), month_number(s.substr(2, 3)), num(s, 0, 1)};
        read_clock(s, 11, f);
    } else if (matches_mask(s, "##-@$$-## ##:##:## *")) {
        const unsigned yy = num(s, 7, 2);
        f = {yy < 70 ? 2000 + yy : 1900 + yy, month_number(s.substr(3, 3)), num(s, 0, 2)};
        read_clock(s, 10, f);
    } else if (matches_mask(s, "@$$ ~# ##:##:## ####*")) {
        f = {num(s, 16, 4), month_number(s.substr(0, 3)), num(s, 4, 2)};
        read_clock(s, 7, f);
    } else {
        return std::nullopt;
    }
    return f;
}

}  // namespace

std::size_t format_http_date(std::int64_t unix_seconds, std::span<char> out) {
    if (out.size() < kHttpDateLength) {
        return 0;
    }
    std::int64_t days = unix_seconds / kSecondsPerDay;
    std::int64_t rem = unix_seconds % kSecondsPerDay;
    if (rem < 0) {
        rem += kSecondsPerDay;
        --days;
    }
    const Civil c = civil_from_days(days);
    if (c.year < 0 || c.year > 9999) {
        return 0;
    }
    const std::int64_t wd = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday (4)
    char* p = out.data();
    const std::string_view wname = kWeekdays[static_cast<std::size_t>(wd)];
    const std::string_view mname = kMonths[c.month - 1];
    p[0] = wname[0], p[1] = wname[1], p[2] = wname[2], p[3] = ',', p[4] = ' ';
    put2(p + 5, c.day);
    p[7] = ' ', p[8] = mname[0], p[9] = mname[1], p[10] = mname[2], p[11] = ' ';
    const auto year = static_cast<unsigned>(c.year);
    put2(p + 12, year / 100);
    put2(p + 14, year % 100);
    p[16] = ' ';
    const auto secs = static_cast<unsigned>(rem);
    put2(p + 17, secs / 3600);
    p[19] = ':';
    put2(p + 20, secs / 60 % 60);
    p[22] = ':';
    put2(p + 23, secs % 60);
    p[25] = ' ', p[26] = 'G', p[27] = 'M', p[28] = 'T';
    return kHttpDateLength;
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) {
        ++start;
    }
    const std::size_t space = text.find(' ', start);
    if (start == text.size() || space == std::string_view::npos) {
        return std::nullopt;
    }
    const std::optional<Fields> f = split_fields(text.substr(space + 1));
    if (!f || f->month == 0 || f->year < 1970 || f->hour > 23 || f->minute > 59 ||
        f->second > 61 || f->day == 0 || f->day > days_in_month(f->year, f->month)) {
        return std::nullopt;
    }
    const std::int64_t t = days_from_civil(f->year, f->month, f->day) * kSecondsPerDay +
                           f->hour * 3600 + f->minute * 60 + f->second;
    if (t <= 0) {
        return std::nullopt;  // Apache's "bad date" value is the epoch itself
    }
    return t;
}

}  // namespace sonora::http
