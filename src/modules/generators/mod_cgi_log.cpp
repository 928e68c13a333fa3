#include "modules/generators/mod_cgi_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <string>

namespace sonora::modules::generators {

namespace {

// The log, opened for appending while it is under ScriptLogLength; -1 otherwise.
int open_log(const ScriptLogSettings& log) {
    if (log.path.empty()) {
        return -1;
    }
    struct stat st {};
    if (::stat(log.path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) > log.max_length) {
        return -1;
    }
    return ::open(log.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

// "%% [Sun Dec 06 23:53:12 2026] GET /cgi-bin/x?q HTTP/1.1\n%% 500 FILE\n"
std::string entry_head(const request::Request& r, int status) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%a %b %d %H:%M:%S %Y", &tm);
    std::string out = "%% [";
    out.append(when).append("] ").append(r.method_name).append(" ").append(r.uri);
    if (!r.query.empty()) {
        out.append("?").append(r.query);
    }
    out.append(r.version == 10 ? " HTTP/1.0" : r.version == 9 ? " HTTP/0.9" : " HTTP/1.1");
    out.append("\n%% ").append(std::to_string(status)).append(" ").append(r.filename).append("\n");
    return out;
}

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

}  // namespace

void script_log_error(const ScriptLogSettings& log, const request::Request& r, int status, std::string_view error) {
    const int fd = open_log(log);
    if (fd < 0) {
        return;
    }
    write_all(fd, entry_head(r, status).append("%error\n").append(error).append("\n"));
}

void script_log_failure(const ScriptLogSettings& log, const request::Request& r, int status, const ScriptFailure& f) {
    const int fd = open_log(log);
    if (fd < 0) {
        return;
    }
    std::string out = entry_head(r, status);
    out.append("%request\n");
    for (const request::Header& h : r.headers) {
        out.append(h.name).append(": ").append(h.value).append("\n");
    }
    if (!f.body.empty()) {
        out.append("\n").append(f.body).append("\n");
    }
    out.append("%response\n");
    for (const request::Header& h : r.err_headers_out) {
        out.append(h.name).append(": ").append(h.value).append("\n");
    }
    if (!f.bad_head.empty()) {
        out.append(f.bad_head).append("\n");
    }
    if (!f.stdout_rest.empty()) {
        out.append("%stdout\n").append(f.stdout_rest);
        if (f.stdout_rest.back() != '\n') {
            out.append("\n");
        }
    }
    if (!f.stderr_text.empty()) {
        out.append("%stderr\n").append(f.stderr_text);
        if (f.stderr_text.back() != '\n') {
            out.append("\n");
        }
    }
    write_all(fd, out);
}

}  // namespace sonora::modules::generators
