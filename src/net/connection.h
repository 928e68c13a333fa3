#pragma once
// One client connection driven by the event loop: reads request heads,
// runs each request through the driver, and writes the responses, pipelined
// requests answered in order with their responses coalesced into as few
// writes as possible. Keep-alive, timeouts and lingering close live here.
//
// Memory: the input buffer and the per-request arena belong to the
// connection and are reused; the static path allocates nothing once they
// have grown to the size the traffic needs.

#include "core/scoreboard.h"
#include "event/loop.h"
#include "http/chunked_decoder.h"
#include "http/limits.h"
#include "http/request_line.h"
#include "http/request_parser.h"
#include "request/file_cache.h"
#include "request/request.h"

#include <netinet/in.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <vector>

namespace sonora::net {

class Worker;

class Connection final : public event::Handler {
public:
    // Buffers are allocated once; a closed connection is reused by open().
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

    event::TimerNode timer;  // linked into one of the worker's timer lists

private:
    enum class State : std::uint8_t { Reading, Writing, Lingering, Closed };
    enum class Activity : std::uint8_t { None, Busy, KeepAlive, Lingering };

    struct Segment {
        const char* data = nullptr;  // memory bytes, or null for a file range
        std::size_t length = 0;
        int fd = -1;
        std::uint64_t offset = 0;
        bool sendfile = true;  // false: EnableSendfile Off, copy through a buffer
    };

    void on_readable();
    void handle_input(std::size_t start = 0);
    bool name_known(request::Request& r);
    static void on_resolved(void* owner, std::uint64_t ticket);
    void resume();
    bool handle_one(std::size_t& pos);
    void queue_response(request::Request& r, std::shared_ptr<const request::FileEntry> file);
    void queue_error(int status, std::string_view detail, bool close_after, std::size_t pos);
    void finish_request(request::Request& r);
    void queue_memory(std::string_view bytes);
    bool flush();
    bool retry_after_write_error();
    void after_flush();
    void start_lingering();
    void close();
    void set_activity(Activity a);
    void record_request(const request::Request& r);
    std::size_t max_input() const;
    enum class Drain { NeedMore, Done, Error };
    Drain drain_chunked(std::string_view in, std::size_t& used, int& error_status);
    int decode_target(request::Request& r, http::TargetForm form);
    void arm_timer(bool keepalive);
    void update_interest(bool want_write);

    Worker& worker_;
    int fd_;
    State state_ = State::Reading;
    Activity activity_ = Activity::None;
    scoreboard::WorkerSlot* slot_ = nullptr;  // while a request is in flight
    int local_port_;
    char client_ip_[64] = {};
    char local_ip_[64] = {};
    request::ConnectionInfo info_;

    // HostnameLookups: the peer's name, once looked up, and a request parked
    // while the resolver works (the connection reads no further meanwhile).
    char remote_host_[1025] = {};
    std::uint8_t name_mode_ = 0;  // 0: not looked up, 1: On, 2: Double
    std::uint64_t serial_ = 0;    // tells this connection's lookups from a previous one's
    bool suspended_ = false;
    std::size_t resume_pos_ = 0;
    std::optional<request::Request> pending_;
    std::shared_ptr<const request::FileEntry> pending_file_;

    std::vector<char> in_;
    std::size_t in_len_ = 0;
    std::uint64_t body_to_discard_ = 0;  // request body bytes still to skip
    http::Limits limits_;
    std::vector<http::HeaderSlot> slots_;
    std::optional<http::RequestParser> parser_;
    http::ChunkedDecoder chunked_{limits_};
    bool chunked_active_ = false;        // a chunked body is being dropped as it arrives
    unsigned requests_ = 0;              // served on this connection
    bool close_after_ = false;           // the queued responses end the connection
    bool want_write_ = false;
    bool want_read_ = true;
    bool registered_ = false;  // in the loop's epoll set
    bool peer_closed_ = false;
    bool client_asked_close_ = false;  // Connection: close (or HTTP/1.0 without keep-alive)
    bool peer_error_ = false;          // a malformed request was answered
    std::size_t consumed_pending_ = 0;  // input bytes answered by the queued responses
    std::int64_t linger_deadline_ms_ = 0;

    std::vector<Segment> out_;
    std::size_t out_pos_ = 0;  // first unsent segment
    std::vector<std::shared_ptr<const request::FileEntry>> holds_;  // files the queued bodies use

    alignas(std::max_align_t) std::array<std::byte, 16384> arena_buffer_;
    std::pmr::monotonic_buffer_resource arena_;
    std::vector<request::Header> header_storage_;
    std::vector<char> copy_buffer_;  // for EnableSendfile Off
};

}  // namespace sonora::net
