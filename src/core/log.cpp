#include "core/log.h"

#include "core/strings.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <ctime>

namespace sonora {

namespace {
std::function<void(LogLevel, std::string_view)>& sink() {
    static std::function<void(LogLevel, std::string_view)> s;
    return s;
}

LogLevelSetting& level_setting() {
    static LogLevelSetting setting;
    return setting;
}

std::optional<LogLevel> level_from_name(std::string_view name) {
    static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
        {"emerg", LogLevel::Emerg}, {"alert", LogLevel::Alert}, {"crit", LogLevel::Crit},
        {"error", LogLevel::Error}, {"warn", LogLevel::Warn},   {"notice", LogLevel::Notice},
        {"info", LogLevel::Info},   {"debug", LogLevel::Debug}};
    std::string lower;
    for (char c : name) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lower.size() == 6 && lower.starts_with("trace") && lower[5] >= '1' && lower[5] <= '8') {
        return trace_level(lower[5] - '0');
    }
    for (const auto& [n, l] : kNames) {
        if (n == lower) {
            return l;
        }
    }
    return std::nullopt;
}

// "ssl", "ssl_module" and "mod_ssl.c" name the same module.
std::string module_key(std::string_view m) {
    if (m.starts_with("mod_") && m.ends_with(".c")) {
        m = m.substr(4, m.size() - 6);
    }
    if (m.ends_with("_module")) {
        m.remove_suffix(7);
    }
    return std::string(m);
}
}  // namespace

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::Emerg: return "emerg";
        case LogLevel::Alert: return "alert";
        case LogLevel::Crit: return "crit";
        case LogLevel::Error: return "error";
        case LogLevel::Warn: return "warn";
        case LogLevel::Notice: return "notice";
        case LogLevel::Info: return "info";
        case LogLevel::Debug: return "debug";
        case LogLevel::Trace1: return "trace1";
        case LogLevel::Trace2: return "trace2";
        case LogLevel::Trace3: return "trace3";
        case LogLevel::Trace4: return "trace4";
        case LogLevel::Trace5: return "trace5";
        case LogLevel::Trace6: return "trace6";
        case LogLevel::Trace7: return "trace7";
        case LogLevel::Trace8: return "trace8";
    }
    return "unknown";
}

std::string format_log_line(LogLevel level, std::string_view module, std::string_view id,
                            std::string_view message, std::string_view client) {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    tm local{};
    localtime_r(&tv.tv_sec, &local);
    char stamp[64];
    std::size_t n = std::strftime(stamp, sizeof stamp, "%a %b %d %H:%M:%S", &local);
    std::snprintf(stamp + n, sizeof stamp - n, ".%06ld %d", static_cast<long>(tv.tv_usec), local.tm_year + 1900);
    std::string line;
    line.reserve(96 + message.size());
    line += '[';
    line += stamp;
    line += "] [";
    line += module;
    line += ':';
    line += log_level_name(level);
    line += "] [pid ";
    line += std::to_string(getpid());
    line += ":tid ";
    line += std::to_string(static_cast<long>(syscall(SYS_gettid)));
    line += "] ";
    if (!client.empty()) {
        line += "[client ";
        line += client;
        line += "] ";
    }
    if (!id.empty()) {
        line += id;
        line += ": ";
    }
    // httpd's ap_escape_errorlog_item: no message can break the log's lines
    // or smuggle terminal controls.
    append_log_escaped<false>(line, message);
    return line;
}

bool LogLevelSetting::enabled(LogLevel message_level, std::string_view module) const {
    if (message_level == LogLevel::Notice) {
        return true;
    }
    LogLevel limit = level;
    for (const auto& [name, l] : modules) {
        if (name == module) {
            limit = l;
        }
    }
    return static_cast<int>(message_level) <= static_cast<int>(limit);
}

LogLevelSetting LogLevelSetting::parse(std::string_view words) {
    LogLevelSetting s;
    while (!words.empty()) {
        std::size_t sp = words.find(' ');
        std::string_view w = words.substr(0, sp);
        words = sp == std::string_view::npos ? std::string_view() : words.substr(sp + 1);
        if (w.empty()) {
            continue;
        }
        if (auto colon = w.find(':'); colon != std::string_view::npos) {
            if (auto l = level_from_name(w.substr(colon + 1))) {
                s.modules.emplace_back(module_key(w.substr(0, colon)), *l);
            }
        } else if (auto l = level_from_name(w)) {
            s.level = *l;
        }
    }
    return s;
}

void set_log_level(LogLevelSetting setting) { level_setting() = std::move(setting); }

void log_startup(LogLevel level, std::string_view module, std::string_view id, std::string_view message) {
    if (!level_setting().enabled(level, module)) {
        return;
    }
    write_log_line(level, format_log_line(level, module, id, message));
}

void write_log_line(LogLevel level, std::string line) {
    if (sink()) {
        sink()(level, line);
        return;
    }
    // One write per line: O_APPEND keeps lines from several processes whole.
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

void set_startup_log_sink(std::function<void(LogLevel, std::string_view)> s) { sink() = std::move(s); }

}  // namespace sonora
