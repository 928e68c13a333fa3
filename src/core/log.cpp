#include "core/log.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace sonora {

namespace {
std::function<void(LogLevel, std::string_view)>& sink() {
    static std::function<void(LogLevel, std::string_view)> s;
    return s;
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
    }
    return "unknown";
}

std::string format_log_line(LogLevel level, std::string_view module, std::string_view id,
                            std::string_view message) {
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
    if (!id.empty()) {
        line += id;
        line += ": ";
    }
    line += message;
    return line;
}

void log_startup(LogLevel level, std::string_view module, std::string_view id, std::string_view message) {
    std::string line = format_log_line(level, module, id, message);
    if (sink()) {
        sink()(level, line);
        return;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

void set_startup_log_sink(std::function<void(LogLevel, std::string_view)> s) { sink() = std::move(s); }

}  // namespace sonora
