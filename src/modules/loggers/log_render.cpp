// Renderer for mod_log_config formats (see log_render.h). What each letter
// prints was checked against Apache 2.4.71 (tests/integration/access_log_test.cpp
// compares whole logs with the installed httpd).

#include "modules/loggers/log_render.h"

#include "core/strings.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace sonora::modules::loggers {

namespace {

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

void append_signed(std::string& out, std::int64_t v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

// An escaped value, or "-" when there is none.
void append_item(std::string& out, std::string_view s, bool present = true) {
    if (!present) {
        out += '-';
        return;
    }
    append_escaped(out, s);
}

std::string_view find_header(std::span<const request::Header> headers, std::string_view name, bool& found) {
    auto v = request::find_header(headers, name);
    found = v.has_value();
    return v.value_or(std::string_view());
}

// A response header as httpd's r->headers_out has it: Content-Type comes
// from the content type without parameters; Date, Server and the connection
// headers are not part of it.
std::string_view response_header(const request::Request& r, std::string_view name, bool& found) {
    if (equals_nocase(name, "Content-Type")) {
        found = !r.content_type.empty();
        std::string_view t = r.content_type;
        t = t.substr(0, t.find(';'));
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) {
            t.remove_suffix(1);
        }
        return t;
    }
    if (equals_nocase(name, "Content-Encoding") && !r.content_encoding.empty()) {
        found = true;
        return r.content_encoding;
    }
    if (equals_nocase(name, "Content-Language") && !r.content_language.empty()) {
        found = true;
        return r.content_language;
    }
    return find_header(r.headers_out, name, found);
}

// The value of cookie `name` in the Cookie header (httpd: pairs split at ';',
// spaces around names and values trimmed).
std::string_view find_cookie(const request::Request& r, std::string_view name, bool& found) {
    found = false;
    for (const request::Header& h : r.headers) {
        if (!equals_nocase(h.name, "Cookie")) {
            continue;
        }
        std::string_view rest = h.value;
        while (!rest.empty()) {
            std::size_t semi = rest.find(';');
            std::string_view pair = rest.substr(0, semi);
            rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
            std::size_t eq = pair.find('=');
            if (eq == std::string_view::npos) {
                continue;
            }
            if (trim(pair.substr(0, eq)) == name) {
                found = true;
                std::string_view v = pair.substr(eq + 1);
                while (!v.empty() && v.front() == ' ') {
                    v.remove_prefix(1);
                }
                while (!v.empty() && v.back() == ' ') {
                    v.remove_suffix(1);
                }
                return v;
            }
        }
    }
    return {};
}

struct ClfCache {
    std::int64_t second = -1;
    char text[40] = {};
    std::size_t length = 0;
};

void append_clf_time(std::string& out, std::int64_t us) {
    thread_local ClfCache cache;
    const std::int64_t sec = us / 1'000'000;
    if (sec != cache.second) {
        std::time_t t = static_cast<std::time_t>(sec);
        std::tm local{};
        ::localtime_r(&t, &local);
        static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        long off = local.tm_gmtoff;
        char sign = off < 0 ? '-' : '+';
        off = off < 0 ? -off : off;
        int n = std::snprintf(cache.text, sizeof cache.text, "[%02d/%s/%d:%02d:%02d:%02d %c%02ld%02ld]",
                              local.tm_mday, kMonths[local.tm_mon], local.tm_year + 1900, local.tm_hour,
                              local.tm_min, local.tm_sec, sign, off / 3600, (off % 3600) / 60);
        cache.length = n > 0 ? static_cast<std::size_t>(n) : 0;
        cache.second = sec;
    }
    out.append(cache.text, cache.length);
}

void append_time(std::string& out, const TimeFormat& tf, const LogRecord& rec) {
    const std::int64_t us = tf.at_end ? rec.end_us : rec.start_us;
    switch (tf.kind) {
        case TimeFormat::Kind::Clf: append_clf_time(out, us); return;
        case TimeFormat::Kind::Sec: append_signed(out, us / 1'000'000); return;
        case TimeFormat::Kind::Msec: append_signed(out, us / 1000); return;
        case TimeFormat::Kind::Usec: append_signed(out, us); return;
        case TimeFormat::Kind::MsecFrac: {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%03d", static_cast<int>((us / 1000) % 1000));
            out += buf;
            return;
        }
        case TimeFormat::Kind::UsecFrac: {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%06d", static_cast<int>(us % 1'000'000));
            out += buf;
            return;
        }
        case TimeFormat::Kind::Strftime: {
            std::time_t t = static_cast<std::time_t>(us / 1'000'000);
            std::tm local{};
            ::localtime_r(&t, &local);
            char buf[256];
            // The pattern is the operator's, from LogFormat, as in httpd.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            std::size_t n = std::strftime(buf, sizeof buf, tf.pattern.c_str(), &local);
#pragma GCC diagnostic pop
            out.append(buf, n);
            return;
        }
    }
}

void append_duration(std::string& out, const LogItem& item, const LogRecord& rec) {
    const std::int64_t us = rec.end_us > rec.start_us ? rec.end_us - rec.start_us : 0;
    switch (item.unit) {
        case DurationUnit::Millis: append_signed(out, us / 1000); return;
        case DurationUnit::Micros: append_signed(out, us); return;
        case DurationUnit::Seconds:
        case DurationUnit::Bogus: append_signed(out, us / 1'000'000); return;
    }
}

bool status_listed(const LogItem& item, int status) {
    for (int s : item.statuses) {
        if (s == status) {
            return true;
        }
    }
    return false;
}

void append_field(std::string& out, const LogItem& item, const LogRecord& rec) {
    const request::Request& r = *rec.r;
    const bool orig = item.want_original;
    bool found = false;
    switch (item.field) {
        case LogField::Literal: out += item.text; return;
        case LogField::RemoteHost:
            out += item.arg == "c" ? rec.peer_ip : rec.remote_host;
            return;
        case LogField::RemoteAddr: out += item.arg == "c" ? rec.peer_ip : rec.client_ip; return;
        case LogField::LocalAddr: out += rec.local_ip; return;
        case LogField::BytesClf:
            if (rec.bytes_sent == 0) {
                out += '-';
            } else {
                append_number(out, rec.bytes_sent);
            }
            return;
        case LogField::Bytes: append_number(out, rec.bytes_sent); return;
        case LogField::Cookie: {
            std::string_view v = find_cookie(r, item.arg, found);
            append_item(out, v, found);
            return;
        }
        case LogField::DurationUs: append_signed(out, rec.end_us > rec.start_us ? rec.end_us - rec.start_us : 0); return;
        case LogField::Env:
        case LogField::Note: {
            LogRecord::Lookup fn = item.field == LogField::Env ? rec.env : rec.notes;
            const void* ctx = item.field == LogField::Env ? rec.env_ctx : rec.notes_ctx;
            std::string_view v = fn != nullptr ? fn(ctx, item.arg, found) : std::string_view();
            append_item(out, v, found);
            return;
        }
        case LogField::Filename: append_item(out, r.filename, !r.filename.empty()); return;
        case LogField::Protocol: append_escaped(out, rec.protocol); return;
        case LogField::HeaderIn: {
            std::string_view v = find_header(r.headers, item.arg, found);
            append_item(out, v, found);
            return;
        }
        case LogField::KeepAlives: append_number(out, rec.keepalives); return;
        case LogField::RemoteLogname: append_item(out, rec.remote_logname, !rec.remote_logname.empty()); return;
        case LogField::LogId: append_item(out, rec.log_id, !rec.log_id.empty()); return;
        case LogField::Method: append_escaped(out, rec.method); return;
        case LogField::HeaderOut: {
            if (equals_nocase(item.arg, "Content-Length") && r.content_length) {
                append_number(out, *r.content_length);
                return;
            }
            std::string_view v = response_header(r, item.arg, found);
            append_item(out, v, found);
            return;
        }
        case LogField::Port:
            switch (item.port) {
                case PortKind::Canonical: append_number(out, static_cast<std::uint64_t>(rec.canonical_port)); return;
                case PortKind::Local: append_number(out, static_cast<std::uint64_t>(rec.local_port)); return;
                case PortKind::Remote: append_number(out, static_cast<std::uint64_t>(rec.remote_port)); return;
                case PortKind::Bogus: out += item.arg; return;
            }
            return;
        case LogField::PidTid:
            switch (item.pid) {
                case PidKind::Pid: append_signed(out, rec.pid); return;
                case PidKind::Tid: append_signed(out, rec.tid); return;
                case PidKind::HexTid: {
                    char buf[24];
                    std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(rec.tid));
                    out += buf;
                    return;
                }
                case PidKind::Bogus: out += item.arg; return;
            }
            return;
        case LogField::Query:
            if (rec.has_query) {
                out += '?';
                append_escaped(out, rec.query);
            }
            return;
        case LogField::RequestLine: append_item(out, rec.request_line, !rec.request_line.empty()); return;
        case LogField::Handler: {
            std::string_view h = orig ? rec.original_handler : std::string_view(r.handler);
            append_item(out, h, !h.empty());
            return;
        }
        case LogField::Status: {
            int s = orig ? rec.original_status : rec.final_status;
            if (s <= 0) {
                out += '-';
            } else {
                append_number(out, static_cast<std::uint64_t>(s));
            }
            return;
        }
        case LogField::Time: append_time(out, item.time, rec); return;
        case LogField::Duration: append_duration(out, item, rec); return;
        case LogField::User:
            if (rec.has_user && rec.user.empty()) {
                out += "\"\"";  // httpd tells an empty user name from none
                return;
            }
            append_item(out, rec.user, rec.has_user);
            return;
        case LogField::Uri: append_escaped(out, orig ? rec.original_uri : rec.final_uri); return;
        case LogField::VirtualHost: append_escaped(out, rec.virtual_host); return;
        case LogField::ServerName: append_escaped(out, rec.server_name); return;
        case LogField::ConnStatus: out += rec.conn_status; return;
        case LogField::BytesIn: append_number(out, rec.bytes_in); return;
        case LogField::BytesOut: append_number(out, rec.bytes_out); return;
        case LogField::BytesCombined: append_number(out, rec.bytes_in + rec.bytes_out); return;
        case LogField::TimeToFirstByte:
            if (rec.first_byte_us > rec.start_us) {
                append_signed(out, rec.first_byte_us - rec.start_us);
            } else {
                out += '-';
            }
            return;
        case LogField::TrailerIn:
        case LogField::TrailerOut: out += '-'; return;
    }
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) { append_log_escaped<true>(out, s); }

void render_log_line(const LogFormat& fmt, const LogRecord& rec, std::string& out) {
    for (const LogItem& item : fmt.items) {
        if (!item.statuses.empty() && item.field != LogField::Literal) {
            // httpd compares with the final status; '!' inverts the list.
            bool listed = status_listed(item, rec.final_status);
            if (listed == item.negate_statuses) {
                out += '-';
                continue;
            }
        }
        append_field(out, item, rec);
    }
    out += '\n';
}

}  // namespace sonora::modules::loggers
