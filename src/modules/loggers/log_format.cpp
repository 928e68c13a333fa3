// Compiler for mod_log_config's format strings (see log_format.h).

#include "modules/loggers/log_format.h"

#include "core/strings.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sonora::modules::loggers {

namespace {

struct Letter {
    std::string_view name;  // "h", or "^ti" for the three-character forms
    LogField field;
    bool original_by_default;  // httpd logs these from the original request unless '>' is given
};

// Every directive httpd 2.4 knows with mod_log_config and mod_logio loaded.
constexpr std::array kLetters = {
    Letter{"h", LogField::RemoteHost, false},     Letter{"a", LogField::RemoteAddr, false},
    Letter{"A", LogField::LocalAddr, false},      Letter{"l", LogField::RemoteLogname, false},
    Letter{"u", LogField::User, false},           Letter{"t", LogField::Time, false},
    Letter{"f", LogField::Filename, false},       Letter{"b", LogField::BytesClf, false},
    Letter{"B", LogField::Bytes, false},          Letter{"i", LogField::HeaderIn, false},
    Letter{"o", LogField::HeaderOut, false},      Letter{"n", LogField::Note, false},
    Letter{"L", LogField::LogId, true},           Letter{"e", LogField::Env, false},
    Letter{"V", LogField::ServerName, false},     Letter{"v", LogField::VirtualHost, false},
    Letter{"p", LogField::Port, false},           Letter{"P", LogField::PidTid, false},
    Letter{"H", LogField::Protocol, false},       Letter{"m", LogField::Method, false},
    Letter{"q", LogField::Query, false},          Letter{"X", LogField::ConnStatus, false},
    Letter{"C", LogField::Cookie, false},         Letter{"k", LogField::KeepAlives, false},
    Letter{"r", LogField::RequestLine, true},     Letter{"D", LogField::DurationUs, true},
    Letter{"T", LogField::Duration, true},        Letter{"U", LogField::Uri, true},
    Letter{"s", LogField::Status, true},          Letter{"R", LogField::Handler, true},
    Letter{"^ti", LogField::TrailerIn, false},    Letter{"^to", LogField::TrailerOut, false},
    Letter{"I", LogField::BytesIn, false},        Letter{"O", LogField::BytesOut, false},
    Letter{"S", LogField::BytesCombined, false},  Letter{"^FB", LogField::TimeToFirstByte, false},
};

const Letter* find_letter(std::string_view name) {
    for (const Letter& l : kLetters) {
        if (l.name == name) {
            return &l;
        }
    }
    return nullptr;
}

// Appends literal text up to the next '%', decoding the backslash escapes.
void literal_run(std::string_view& s, std::string& out) {
    while (!s.empty() && s.front() != '%') {
        char c = s.front();
        s.remove_prefix(1);
        if (c != '\\' || s.empty()) {
            out += c;
            continue;
        }
        switch (s.front()) {
            case '\\': out += '\\'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            default:
                // Kept as written; the next character is read normally (it may be '%').
                out += '\\';
                continue;
        }
        s.remove_prefix(1);
    }
}

TimeFormat decode_time(const std::string& arg) {
    TimeFormat tf;
    if (arg.empty()) {
        return tf;
    }
    std::string_view rest = arg;
    std::string pattern = arg;
    // "begin"/"end" alone mean CLF at that instant; with ':' the rest is the format.
    for (std::string_view point : {std::string_view("begin"), std::string_view("end")}) {
        if (rest.starts_with(point)) {
            rest.remove_prefix(point.size());
            tf.at_end = point == "end";
            if (rest.empty()) {
                return tf;
            }
            if (rest.front() == ':') {
                rest.remove_prefix(1);
                pattern = std::string(rest);
            }
            break;
        }
    }
    if (rest == "sec") {
        tf.kind = TimeFormat::Kind::Sec;
    } else if (rest == "msec") {
        tf.kind = TimeFormat::Kind::Msec;
    } else if (rest == "usec") {
        tf.kind = TimeFormat::Kind::Usec;
    } else if (rest == "msec_frac") {
        tf.kind = TimeFormat::Kind::MsecFrac;
    } else if (rest == "usec_frac") {
        tf.kind = TimeFormat::Kind::UsecFrac;
    } else if (rest.empty()) {
        tf.kind = TimeFormat::Kind::Clf;
    } else {
        tf.kind = TimeFormat::Kind::Strftime;
        tf.pattern = std::move(pattern);
    }
    return tf;
}

void decode_argument(LogItem& item) {
    const std::string& a = item.arg;
    switch (item.field) {
        case LogField::Time: item.time = decode_time(a); break;
        case LogField::Port:
            item.port = a.empty() || equals_nocase(a, "canonical") ? PortKind::Canonical
                        : equals_nocase(a, "remote")               ? PortKind::Remote
                        : equals_nocase(a, "local")                ? PortKind::Local
                                                                   : PortKind::Bogus;
            break;
        case LogField::PidTid:
            item.pid = a.empty() || equals_nocase(a, "pid") ? PidKind::Pid
                       : equals_nocase(a, "tid")            ? PidKind::Tid
                       : equals_nocase(a, "hextid")         ? PidKind::HexTid
                                                            : PidKind::Bogus;
            break;
        case LogField::Duration:
            item.unit = a.empty() || equals_nocase(a, "s") ? DurationUnit::Seconds
                        : equals_nocase(a, "ms")           ? DurationUnit::Millis
                        : equals_nocase(a, "us")           ? DurationUnit::Micros
                                                           : DurationUnit::Bogus;
            break;
        default: break;
    }
}

constexpr std::string_view kRanOff = "Ran off end of LogFormat parsing args to some directive";

// Parses one directive; `s` starts just after its '%'.
std::optional<std::string> directive(std::string_view& s, LogItem& item) {
    std::optional<bool> original;
    while (!s.empty()) {
        const char c = s.front();
        if (c == '!') {
            item.negate_statuses = !item.negate_statuses;
            s.remove_prefix(1);
        } else if (c == '<' || c == '>') {
            original = c == '<';
            s.remove_prefix(1);
        } else if (c == ',') {
            s.remove_prefix(1);
        } else if (c == '{') {
            std::size_t close = s.find('}', 1);
            item.arg = std::string(s.substr(1, close == std::string_view::npos ? s.npos : close - 1));
            s.remove_prefix(close == std::string_view::npos ? s.size() : close + 1);
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            long long status = 0;
            while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
                // Saturate: httpd's int would overflow; no real status is this large.
                status = std::min<long long>(status * 10 + (s.front() - '0'), 1'000'000'000);
                s.remove_prefix(1);
            }
            item.statuses.push_back(static_cast<int>(status));
        } else {
            const Letter* letter = nullptr;
            if (c == '^' && s.size() >= 3) {
                letter = find_letter(s.substr(0, 3));
                if (letter != nullptr) {
                    s.remove_prefix(3);
                }
            }
            if (letter == nullptr) {
                letter = find_letter(s.substr(0, 1));
                if (letter == nullptr) {
                    return "Unrecognized LogFormat directive %" + std::string(1, c);
                }
                s.remove_prefix(1);
            }
            item.field = letter->field;
            item.want_original = original.value_or(letter->original_by_default);
            decode_argument(item);
            return std::nullopt;
        }
    }
    return std::string(kRanOff);
}

}  // namespace

std::optional<std::string> compile_log_format(std::string_view text, LogFormat& out) {
    out.source = std::string(text);
    out.items.clear();
    std::string_view s = text;
    auto literal = [&out]() -> std::string& {
        if (out.items.empty() || out.items.back().field != LogField::Literal) {
            out.items.emplace_back();
        }
        return out.items.back().text;
    };
    while (!s.empty()) {
        if (s.front() != '%') {
            literal_run(s, literal());
            continue;
        }
        s.remove_prefix(1);
        if (!s.empty() && s.front() == '%') {
            s.remove_prefix(1);
            literal() += '%';
            continue;
        }
        LogItem item;
        if (auto err = directive(s, item)) {
            return err;
        }
        out.items.push_back(std::move(item));
    }
    return std::nullopt;
}

}  // namespace sonora::modules::loggers
