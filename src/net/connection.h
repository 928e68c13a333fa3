#pragma once
// One client connection driven by the event loop: reads request heads,
// runs each request through the driver, and writes the responses, pipelined
// requests answered in order with their responses coalesced into as few
// writes as possible. Keep-alive, timeouts and lingering close live here.
//
// Memory: a Connection is a small record (a few hundred bytes); the buffers
// a request needs (input, parser, arena, queued output) are taken from the
// worker's pool when there is input to read and given back when the
// connection goes idle, so idle keep-alive and lingering connections cost
// almost nothing. The static path allocates nothing once the pool has grown
// to the traffic's peak of busy connections.

#include "core/scoreboard.h"
#include "event/loop.h"
#include "http/request_line.h"
#include "net/connection_buffers.h"
#include "request/file_cache.h"
#include "request/request.h"

#include <netinet/in.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sonora::net {

class Worker;

class Connection final : public event::Handler, private request::HostLookups {
public:
    explicit Connection(Worker& worker);
    ~Connection();
    // `local`: the listener's address when it is a specific one, else null
    // (the connection then asks the kernel, when the logs need it).
    void open(int fd, const sockaddr_storage& peer, int local_port, const sockaddr_storage* local = nullptr);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void on_event(std::uint32_t events) override;
    // Called by the worker when this connection's timer expires.
    void on_timeout();
    bool closed() const { return state_ == State::Closed; }
    // Holds pooled buffers (it is reading, handling or writing a request).
    bool holds_buffers() const { return b_ != nullptr; }

    event::TimerNode timer;  // linked into one of the worker's timer lists

private:
    // Exchanging: a handler's Exchange (sonora/exchange.h) is answering the
    // request in b_->pending (connection_exchange.cpp); pipelined requests
    // wait behind it.
    enum class State : std::uint8_t { Reading, Writing, Exchanging, Lingering, Closed };
    enum class Activity : std::uint8_t { None, Busy, KeepAlive, Lingering };

    void on_readable();
    void take_buffers();
    void release_buffers_if_idle();
    void handle_input(std::size_t start = 0);
    bool name_known(request::Request& r);
    // Host-based access rules: the verified (double-reverse) name, looked up
    // when a rule first asks; the request is run again from its head at
    // `start` once it is known. False while the resolver works.
    bool verified_host_known();
    bool await_verified_host(std::size_t start, std::size_t& pos);
    // request::HostLookups, for the request's hooks: answers from the
    // resolver's cache, or the lookup started and the request run again from
    // its head once it has ended (await_verified_host sees it asked).
    std::optional<std::span<const request::IpAddress>> addresses(std::string_view name) override;
    std::optional<std::string_view> local_host() override;
    static void on_resolved(void* owner, std::uint64_t ticket);
    void resume();
    bool handle_one(std::size_t& pos);
    void release_held(bool too_large);
    void queue_response(request::Request& r, std::shared_ptr<const request::FileEntry> file);
    void queue_error(int status, std::string_view detail, bool close_after, std::size_t pos);
    void finish_request(request::Request& r);
    void queue_bare_500(request::Request& r);
    void queue_memory(std::string_view bytes);
    bool flush();
    bool retry_after_write_error();
    void after_flush();
    void start_lingering();
    void close();
    void set_activity(Activity a);
    void record_request_start(const request::Request& r);
    void record_request(const request::Request& r);
    std::size_t max_input() const;
    enum class Drain { NeedMore, Done, Error };
    Drain drain_chunked(std::string_view in, std::size_t& used, int& error_status);
    void arm_timer(bool keepalive);
    void cancel_timers();
    // Nothing buffered or owed: the connection waits for its next request.
    bool between_requests() const { return in_len_ == 0 && body_to_discard_ == 0 && !chunked_active_; }
    // mod_reqtimeout: the clock of the stage being read, moved on by data.
    enum class Stage : std::uint8_t { None, Header, Body };
    void start_stage(Stage stage, const ReadTimeouts* limits);
    void extend_stage(std::size_t bytes);
    void stage_timed_out();
    void log_unanswered(int status);
    void fill_connection_request(request::Request& r);
    void update_interest(bool want_write);

    // ---- a handler's exchange (connection_exchange.cpp) ----
    struct ExchangeState;
    friend struct ExchangeState;
    // `start`: the request's head in the input; `body_start`: its body.
    void begin_exchange(request::Request& r, std::shared_ptr<const request::FileEntry> file, std::size_t start,
                        std::size_t body_start, int body_kind, std::uint64_t body_length, bool expects_continue);
    void on_exchange_event(int which);
    void exchange_socket_event(std::uint32_t events);
    void exchange_timeout();
    void pump_exchange();
    void exchange_read_body();
    bool exchange_feed_body();
    bool exchange_head(int status);
    bool exchange_output();
    void end_exchange();
    void abort_exchange();
    void sync_exchange_watches();
    bool exchange_wants_read() const;
    void queue_stream_head(request::Request& r);

    Worker& worker_;
    std::unique_ptr<ConnectionBuffers> b_;  // while busy; see the header comment
    scoreboard::WorkerSlot* slot_ = nullptr;  // while a request is in flight
    int fd_ = -1;
    int local_port_ = 0;
    int client_port_ = 0;
    State state_ = State::Closed;
    Activity activity_ = Activity::None;

    std::size_t in_len_ = 0;              // bytes in b_->in
    std::size_t consumed_pending_ = 0;    // input bytes answered by the queued responses
    std::uint64_t body_to_discard_ = 0;   // request body bytes still to skip
    std::int64_t linger_deadline_ms_ = 0;
    const ReadTimeouts* header_limits_ = nullptr;  // the address's default server's
    std::int64_t request_start_us_ = 0;  // wall clock at the current request's first bytes
    std::int64_t stage_deadline_us_ = 0;
    std::int64_t stage_max_us_ = 0;  // 0: no ceiling
    int stage_rate_ = 0;             // MinRate, bytes per second; 0: no extension
    Stage stage_ = Stage::None;
    unsigned requests_ = 0;               // served on this connection
    bool chunked_active_ = false;         // a chunked body is being dropped as it arrives
    // A response held (in b_->pending) until the chunked body that came with
    // its request has been read, as httpd's default handler reads a body
    // before it answers: over LimitRequestBody it becomes a 413. The head
    // stays where it is in the input buffer, which is compacted down to
    // `pinned_` (the head's end) meanwhile.
    bool held_ = false;
    std::size_t held_start_ = 0;
    std::size_t pinned_ = 0;
    std::uint64_t held_limit_ = 0;
    bool close_after_ = false;            // the queued responses end the connection
    bool want_write_ = false;
    bool want_read_ = true;
    bool registered_ = false;             // in the loop's epoll set
    bool peer_closed_ = false;
    bool client_asked_close_ = false;     // Connection: close (or HTTP/1.0 without keep-alive)
    bool peer_error_ = false;             // a malformed request was answered
    bool exchange_began_ = false;         // handle_one handed its request to an exchange

    // HostnameLookups: the peer's name once looked up (kept while idle), and
    // a request parked while the resolver works (the connection reads no
    // further meanwhile).
    std::uint8_t name_mode_ = 0;  // 0: not looked up, 1: On, 2: Double
    bool suspended_ = false;
    bool rerun_ = false;          // the parked request runs again from its head (resume_pos_)
    bool verified_known_ = false;  // verified_host_ is the answer (empty: no verified name)
    bool local_known_ = false;     // local_host_ is the answer (empty: the address has no name)
    bool lookups_asked_ = false;   // a HostLookups call left a callback to come (close() cancels it)
    bool await_lookup_ = false;    // the parked request waits for a HostLookups answer
    std::size_t resume_pos_ = 0;
    std::uint64_t serial_ = 0;    // tells this connection's lookups from a previous one's
    std::string remote_host_;
    std::string verified_host_;
    std::string local_host_;  // UseCanonicalName DNS

    char client_ip_[INET6_ADDRSTRLEN] = {};
    char local_ip_[INET6_ADDRSTRLEN] = {};
    const Server* default_server_ = nullptr;
    std::unique_ptr<ExchangeState> ex_;  // while State::Exchanging
};

}  // namespace sonora::net
