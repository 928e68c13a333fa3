#pragma once
// One running CGI script as an Exchange (sonora/exchange.h): the request
// body goes to its stdin, its stdout is scanned for the CGI head and then
// passed on, its stderr is logged line by line (httpd's AH01215).

#include "modules/generators/mod_cgi.h"
#include "os/spawn.h"

#include <sonora/exchange.h>

#include <cstdint>
#include <string>

namespace sonora::modules::generators {

class CgiExchange final : public Exchange {
public:
    // `script`: the file run; `timeout_ms`: CGIScriptTimeout; `nph`: the
    // script writes the whole response.
    CgiExchange(os::Spawned process, std::string script, std::int64_t timeout_ms, bool nph, std::int64_t now_ms,
                ScriptLogSettings log);
    ~CgiExchange() override;

    Watch watch() const override;
    std::int64_t deadline_ms() const override { return deadline_ms_; }
    std::size_t feed_body(request::Request& r, std::string_view bytes, bool last) override;
    int on_ready(request::Request& r, Services& services, std::int64_t now_ms) override;
    Output next_output(request::Request& r, std::int64_t now_ms) override;
    bool raw_output() const override { return nph_; }
    void close_finished() override;

private:
    enum class Read : std::uint8_t { Some, Wait, End, Failed };
    Read read_output(std::size_t max);
    void read_errors(const request::Request& r);
    int take_head(request::Request& r, Services& services, std::size_t head_length);
    void close_input();
    int fail(request::Request& r, int status, std::string_view bad_head);
    void log_timeout(const request::Request& r) const;  // SN01220

    os::Spawned p_;
    std::string script_;
    std::string out_;          // stdout bytes not yet passed on
    std::size_t out_pos_ = 0;  // first of them not yet handed out
    std::string err_line_;     // a stderr line not yet ended
    ScriptLogSettings log_;
    std::string logged_body_;  // the request body's first ScriptLogBuffer bytes, for the ScriptLog
    std::string logged_err_;   // stderr before the head, for the ScriptLog (bounded)
    std::int64_t timeout_ms_;
    std::int64_t deadline_ms_;
    std::uint64_t left_ = 0;   // the script's Content-Length still to pass on
    bool limited_ = false;     // left_ applies
    bool nph_;
    bool head_done_ = false;
    bool out_eof_ = false;
    bool input_waiting_ = false;  // feed_body left bytes the pipe did not take
    bool in_done_ = false;        // stdin to be closed (close_finished)
    bool err_eof_ = false;
};

}  // namespace sonora::modules::generators
