#include "logs/error_log.h"

#include "core/strings.h"
#include "core/log.h"
#include "logs/log_writer.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace sonora::logs {

namespace {

std::optional<int> facility_named(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kFacilities[] = {
        {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
        {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
        {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
    for (const auto& [n, f] : kFacilities) {
        if (n == name) {
            return f;
        }
    }
    return std::nullopt;
}

int priority_of(LogLevel level) {
    switch (level) {
        case LogLevel::Emerg: return LOG_EMERG;
        case LogLevel::Alert: return LOG_ALERT;
        case LogLevel::Crit: return LOG_CRIT;
        case LogLevel::Error: return LOG_ERR;
        case LogLevel::Warn: return LOG_WARNING;
        case LogLevel::Notice: return LOG_NOTICE;
        case LogLevel::Info: return LOG_INFO;
        case LogLevel::Debug:
        case LogLevel::Trace1:
        case LogLevel::Trace2:
        case LogLevel::Trace3:
        case LogLevel::Trace4:
        case LogLevel::Trace5:
        case LogLevel::Trace6:
        case LogLevel::Trace7:
        case LogLevel::Trace8: return LOG_DEBUG;
    }
    return LOG_NOTICE;
}


}  // namespace

std::optional<std::string> open_error_log(const std::string& target, const std::string& program) {
    if (target.starts_with("syslog")) {
        std::string_view name = std::string_view(target).substr(6);
        int facility = LOG_LOCAL7;
        if (!name.empty()) {
            name.remove_prefix(1);  // ':'
            auto f = facility_named(name);
            if (!f) {
                return errno_text(EINVAL) + ": SN10036: " + program + ": could not open syslog error log " +
                       std::string(name) + ".";
            }
            facility = *f;
        }
        static std::string ident;
        ident = program;
        ::openlog(ident.c_str(), LOG_NDELAY | LOG_CONS | LOG_PID, facility);
        // syslog stamps time and pid itself: the message starts at "[module:level]".
        set_startup_log_sink([](LogLevel level, std::string_view line) {
            std::string_view msg = line;
            if (auto end = msg.find("] "); end != std::string_view::npos && msg.starts_with("[")) {
                msg.remove_prefix(end + 2);
            }
            ::syslog(priority_of(level), "%.*s", static_cast<int>(msg.size()), msg.data());
        });
        return std::nullopt;
    }
    int fd = -1;
    if (target.starts_with("|")) {
        std::string error;
        LogWriter* w = access_log_writers().open(target, {}, false, error);
        if (w == nullptr) {
            return error;
        }
        fd = w->pipe_fd();
        // Error messages are rare and must not be lost: stderr blocks, as httpd's does.
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        ::dup2(fd, STDERR_FILENO);
        return std::nullopt;
    }
    fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return errno_text(errno) + ": could not open error log file " + target + ".";
    }
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    return std::nullopt;
}

}  // namespace sonora::logs
