#include "modules/generators/mod_cgi_exchange.h"

#include "core/strings.h"
#include "modules/core/request_log.h"
#include "modules/core/script_head.h"
#include "modules/generators/mod_cgi_log.h"
#include "os/reaper.h"

#include <sonora/request.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace sonora::modules::generators {

namespace {

using core::ScriptHeadScan;

// What is read from the script at a time, and what its head may take in all
// (httpd reads header lines into 8 KiB buffers but has no overall limit; a
// megabyte of header fields is no script anybody meant).
constexpr std::size_t kReadSize = 65536;
constexpr std::size_t kMaxHead = 1 << 20;

}  // namespace

CgiExchange::CgiExchange(os::Spawned process, std::string script, std::int64_t timeout_ms, bool nph,
                         std::int64_t now_ms, ScriptLogSettings log)
    : p_(process),
      script_(std::move(script)),
      log_(std::move(log)),
      timeout_ms_(timeout_ms),
      deadline_ms_(now_ms + timeout_ms),
      nph_(nph) {}

CgiExchange::~CgiExchange() {
    os::close_pipes(p_);
    os::reap_later(p_.pid);
}

Exchange::Watch CgiExchange::watch() const {
    Watch w;
    w.output = out_eof_ ? -1 : p_.out;
    w.input = input_waiting_ && !in_done_ ? p_.in : -1;
    w.errors = err_eof_ ? -1 : p_.err;
    return w;
}

void CgiExchange::close_finished() {
    if (in_done_) {
        os::close_descriptor(p_.in);
    }
    if (out_eof_) {
        os::close_descriptor(p_.out);
    }
    if (err_eof_) {
        os::close_descriptor(p_.err);
    }
}

void CgiExchange::close_input() {
    in_done_ = true;
    input_waiting_ = false;
}

std::size_t CgiExchange::feed_body(request::Request&, std::string_view bytes, bool last) {
    if (!log_.path.empty() && logged_body_.size() < log_.body_bytes) {
        logged_body_.append(bytes.substr(0, log_.body_bytes - logged_body_.size()));
    }
    std::size_t taken = 0;
    while (p_.in >= 0 && !in_done_ && taken < bytes.size()) {
        const ssize_t n = ::write(p_.in, bytes.data() + taken, bytes.size() - taken);
        if (n > 0) {
            taken += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            input_waiting_ = true;
            return taken;
        }
        close_input();  // the script stopped reading: the rest of the body is dropped
    }
    input_waiting_ = false;
    if (last) {
        close_input();
    }
    return bytes.size();
}

CgiExchange::Read CgiExchange::read_output(std::size_t max) {
    if (p_.out < 0 || out_eof_) {
        return Read::End;
    }
    const std::size_t have = out_.size();
    out_.resize(have + max);
    for (;;) {
        const ssize_t n = ::read(p_.out, out_.data() + have, max);
        if (n > 0) {
            out_.resize(have + static_cast<std::size_t>(n));
            return Read::Some;
        }
        out_.resize(have);
        if (n == 0) {
            out_eof_ = true;
            return Read::End;
        }
        if (errno == EINTR) {
            out_.resize(have + max);
            continue;
        }
        if (errno == EAGAIN) {
            return Read::Wait;
        }
        out_eof_ = true;
        return Read::Failed;
    }
}

// Each line the script writes to stderr, as httpd logs it.
void CgiExchange::read_errors(const request::Request& r) {
    char buf[4096];
    for (;;) {
        if (p_.err < 0 || err_eof_) {
            return;
        }
        const ssize_t n = ::read(p_.err, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        const bool end = n == 0 || (n < 0 && errno != EAGAIN);
        if (n > 0) {
            err_line_.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t start = 0;
        for (std::size_t nl; (nl = err_line_.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string_view line(err_line_.data() + start, nl - start);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            core::log_request_error(r, LogLevel::Error, "cgi", "SN01215",
                                    "stderr from " + script_ + ": " + std::string(line));
            if (!head_done_ && !log_.path.empty() && logged_err_.size() < kMaxHead) {
                logged_err_.append(line).append(1, '\n');
            }
        }
        err_line_.erase(0, start);
        if (end) {
            if (!err_line_.empty()) {
                core::log_request_error(r, LogLevel::Error, "cgi", "SN01215", "stderr from " + script_ + ": " + err_line_);
                err_line_.clear();
            }
            err_eof_ = true;
            return;
        }
        if (n < 0) {
            return;  // EAGAIN
        }
    }
}

int CgiExchange::on_ready(request::Request& r, Services& services, std::int64_t now_ms) {
    read_errors(r);
    if (head_done_) {
        return kDeclined;
    }
    if (nph_) {
        // The script's output is the response, head and all; httpd logs it as a 200.
        head_done_ = true;
        r.body.kind = request::Body::Kind::Stream;
        r.body.length_declared = false;
        return kOk;
    }
    for (;;) {
        const Read got = read_output(kReadSize);
        if (got == Read::Some) {
            deadline_ms_ = now_ms + timeout_ms_;
            if (out_.size() < kMaxHead) {
                continue;
            }
        }
        break;
    }
    const ScriptHeadScan scan = core::scan_script_head(out_, out_eof_);
    if (scan.state == ScriptHeadScan::State::Complete && !out_.empty()) {
        read_errors(r);  // what the script said before its head comes first in the log
        return take_head(r, services, scan.length);
    }
    if (scan.state == ScriptHeadScan::State::Malformed || out_.size() >= kMaxHead) {
        read_errors(r);
        core::log_request_error(r, LogLevel::Error, "cgi", "",
                                "malformed header from script '" + std::string(base_name(script_)) +
                                    "': Bad header: " + std::string(scan.bad_line.substr(0, 30)));
        // The whole line for the ScriptLog (the scan keeps what the error log shows).
        std::string_view line = scan.bad_line;
        if (!line.empty() && line.data() >= out_.data() && line.data() < out_.data() + out_.size()) {
            line = std::string_view(out_).substr(static_cast<std::size_t>(line.data() - out_.data()));
            line = line.substr(0, std::min({line.find('\n'), line.size(), core::kMaxScriptHeadLine}));
        }
        return fail(r, 500, line);
    }
    if (out_eof_) {  // nothing, or no end to the head
        read_errors(r);
        core::log_request_error(r, LogLevel::Error, "cgi", "",
                                "End of script output before headers: " + std::string(base_name(script_)));
        return fail(r, 500, {});
    }
    if (now_ms >= deadline_ms_) {
        log_timeout(r);
        core::log_request_error(r, LogLevel::Error, "cgi", "",
                                "Script timed out before returning headers: " + std::string(base_name(script_)));
        return 504;
    }
    return kDeclined;
}

void CgiExchange::log_timeout(const request::Request& r) const {
    core::log_request_error(r, LogLevel::Warn, "cgi", "SN01220", "Timeout waiting for output from CGI script " + script_);
}

// A head that cannot be used: the ScriptLog entry, then the error status.
int CgiExchange::fail(request::Request& r, int status, std::string_view bad_head) {
    if (!log_.path.empty()) {
        const std::string_view rest = bad_head.empty() ? std::string_view(out_) : std::string_view();
        script_log_failure(log_, r, status, ScriptFailure{logged_body_, bad_head, rest, logged_err_});
    }
    return status;
}

int CgiExchange::take_head(request::Request& r, Services& services, std::size_t head_length) {
    const core::ScriptHeadFields fields = core::apply_script_head(r, std::string_view(out_).substr(0, head_length));
    out_pos_ = head_length;
    head_done_ = true;
    // httpd answers the conditions with the script's validators: a 304
    // goes out with the script's head and without its body.
    if (const int cond = core::script_head_conditions(r, fields); cond == 412) {
        return 412;
    } else if (cond == 304) {
        r.status = 304;
    }
    const auto location = request::find_header(r.headers_out, "Location");
    if (location && r.status == 200) {
        if (!location->empty() && location->front() == '/') {
            // httpd follows a local Location as a new GET, dropping the
            // rest of the script's output and the request body.
            const std::string target(*location);
            r.headers_out.clear();
            r.method = request::Method::Get;
            r.method_name = "GET";
            return services.internal_redirect(r, target) ? kRedirected : 500;
        }
        return 302;
    }
    r.body.kind = request::Body::Kind::Stream;
    std::uint64_t declared = 0;
    if (fields.content_length) {
        const std::string_view v = *fields.content_length;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), declared);
        limited_ = ec == std::errc() && end == v.data() + v.size();
    }
    if (limited_) {
        left_ = declared;
        r.body.length = declared;
        r.body.length_declared = true;
    } else if (out_eof_) {
        // All of it is here: its length is known, as httpd's content-length
        // filter finds when the whole body arrives in one go.
        r.body.length = out_.size() - out_pos_;
        r.body.length_declared = true;
    } else {
        r.body.length_declared = false;
    }
    return kOk;
}

Exchange::Output CgiExchange::next_output(request::Request& r, std::int64_t now_ms) {
    for (;;) {
        if (out_pos_ < out_.size()) {
            std::string_view bytes = std::string_view(out_).substr(out_pos_);
            if (limited_) {
                bytes = bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), left_)));
                left_ -= bytes.size();
            }
            out_pos_ = out_.size();
            if (!bytes.empty()) {
                return Output{bytes, false, false};
            }
        }
        out_.clear();
        out_pos_ = 0;
        if (limited_ && left_ == 0) {
            return Output{{}, true, false};
        }
        switch (read_output(kReadSize)) {
            case Read::Some: deadline_ms_ = now_ms + timeout_ms_; continue;
            case Read::End: return Output{{}, true, limited_ && left_ > 0};
            case Read::Failed: return Output{{}, true, true};
            case Read::Wait: break;
        }
        if (now_ms >= deadline_ms_) {
            log_timeout(r);
            return Output{{}, true, true};
        }
        return Output{};
    }
}

}  // namespace sonora::modules::generators
