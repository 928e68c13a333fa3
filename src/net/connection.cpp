#include "net/connection.h"
#include "net/connection_exchange.h"

#include "core/strings.h"
#include "modules/core/request_log.h"
#include "http/body_framing.h"
#include "http/chunked_encoder.h"
#include "http/request_checks.h"
#include "net/response_head.h"
#include "net/worker.h"
#include "request/driver.h"
#include "request/read_request.h"

#include <arpa/inet.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <ctime>

namespace sonora::net {

namespace {

constexpr std::size_t kMaxBatch = 128;  // pipelined requests answered per write
constexpr std::int64_t kLingerTotalMs = 30'000;

// An address as httpd prints it (IPv4-mapped IPv6 as IPv4); returns the port.
int format_address(const sockaddr_storage& a, char* out, std::size_t size) {
    out[0] = '\0';
    if (a.ss_family == AF_INET) {
        const auto& a4 = reinterpret_cast<const sockaddr_in&>(a);
        ::inet_ntop(AF_INET, &a4.sin_addr, out, static_cast<socklen_t>(size));
        return ntohs(a4.sin_port);
    }
    if (a.ss_family == AF_INET6) {
        const auto& a6 = reinterpret_cast<const sockaddr_in6&>(a);
        if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr)) {
            ::inet_ntop(AF_INET, &a6.sin6_addr.s6_addr[12], out, static_cast<socklen_t>(size));
        } else {
            ::inet_ntop(AF_INET6, &a6.sin6_addr, out, static_cast<socklen_t>(size));
        }
        return ntohs(a6.sin6_port);
    }
    return 0;
}

// The first line of `data`, without its line end: the request line as the
// access log's %r shows it, also for requests too broken to parse.
std::string_view first_line(const char* data, std::size_t size) {
    std::string_view s(data, size);
    // Empty lines before a request line are skipped, as the parser does.
    while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    s = s.substr(0, s.find('\n'));
    if (!s.empty() && s.back() == '\r') {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

Connection::Connection(Worker& worker) : worker_(worker) { timer.owner = this; }

Connection::~Connection() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void Connection::open(int fd, const sockaddr_storage& peer, int local_port, const sockaddr_storage* local) {
    fd_ = fd;
    local_port_ = local_port;
    state_ = State::Reading;
    in_len_ = 0;
    body_to_discard_ = 0;
    chunked_active_ = false;
    held_ = false;
    requests_ = 0;
    close_after_ = false;
    want_write_ = false;
    want_read_ = true;
    peer_closed_ = false;
    client_asked_close_ = false;
    peer_error_ = false;
    consumed_pending_ = 0;
    ++serial_;
    name_mode_ = 0;
    remote_host_.clear();
    verified_known_ = false;
    verified_host_.clear();
    local_known_ = false;
    local_host_.clear();
    lookups_asked_ = false;
    await_lookup_ = false;
    rerun_ = false;
    suspended_ = false;
    client_port_ = format_address(peer, client_ip_, sizeof client_ip_);
    local_ip_[0] = '\0';
    if (local != nullptr) {
        format_address(*local, local_ip_, sizeof local_ip_);
    } else if (worker_.settings().need_local_address || worker_.request_context().walker.needs_local_address()) {
        // A wildcard listener: only the kernel knows which address was used,
        // and a log's %A or a <VirtualHost> on one address needs it.
        sockaddr_storage self{};
        socklen_t len = sizeof self;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) == 0) {
            format_address(self, local_ip_, sizeof local_ip_);
        }
    }
    registered_ = false;
    // The address's default server: what answers before a Host is read.
    default_server_ = &worker_.request_context().walker.select_server(local_port_, local_ip_, {});
    header_limits_ = worker_.read_timeouts(*default_server_);
    stage_ = Stage::None;
    set_activity(Activity::Busy);
    worker_.update_wall_clock();
    start_stage(Stage::Header, header_limits_);
    arm_timer(false);
    // With TCP_DEFER_ACCEPT the request is usually here already: read at once,
    // and join the epoll set only if the connection has to wait for something.
    on_readable();
    if (state_ != State::Closed && !registered_) {
        registered_ = true;
        worker_.loop().add(fd_, (want_read_ ? EPOLLIN | EPOLLRDHUP : 0u) | (want_write_ ? EPOLLOUT : 0u), this);
    }
}

void Connection::take_buffers() {
    b_ = worker_.take_buffers();
    b_->parser->set_options(request::protocol_options(*default_server_));
    request::ConnectionInfo& info = b_->info;
    info.client_ip = client_ip_;
    info.client_port = client_port_;
    info.local_ip = local_ip_;
    info.local_port = local_port_;
    info.remote_host = remote_host_;
    info.verified_host = verified_host_;
    info.verified_host_known = verified_known_;
    info.local_host = local_host_;
    info.local_host_known = local_known_;
    info.lookups = this;
}

// Idle: nothing buffered, nothing queued, no request parked or half read.
void Connection::release_buffers_if_idle() {
    if (b_ == nullptr || in_len_ != 0 || body_to_discard_ != 0 || chunked_active_ || suspended_ ||
        b_->out_pos < b_->out.size()) {
        return;
    }
    worker_.give_back(std::move(b_));
}

void Connection::cancel_timers() {
    worker_.read_deadlines().cancel(timer);
    for (event::TimerList* l : {&worker_.keepalive_timers(), &worker_.linger_timers()}) {
        l->cancel(timer);
    }
}

void Connection::arm_timer(bool keepalive) {
    const std::int64_t now = worker_.loop().now_ms();
    if (keepalive) {
        worker_.read_deadlines().cancel(timer);
        worker_.keepalive_timers().schedule(timer, now);
        return;
    }
    worker_.keepalive_timers().cancel(timer);
    std::int64_t deadline = now + worker_.settings().timeout_ms;
    if (stage_ != Stage::None) {
        deadline = std::min(deadline, (stage_deadline_us_ + 999) / 1000);
    }
    worker_.read_deadlines().schedule(timer, deadline);
}

// A stage's clock starts with its first byte (httpd starts it when it begins
// reading the stage); a keep-alive wait is KeepAliveTimeout's business.
void Connection::start_stage(Stage stage, const ReadTimeouts* limits) {
    if (stage == Stage::Header) {
        request_start_us_ = worker_.wall_us();
    }
    const StageTimeout* st = limits == nullptr ? nullptr : stage == Stage::Header ? &limits->header : &limits->body;
    if (st == nullptr || !st->enabled()) {
        stage_ = Stage::None;
        return;
    }
    const std::int64_t now_us = worker_.loop().now_ms() * 1000;
    stage_ = stage;
    stage_deadline_us_ = now_us + std::int64_t{st->timeout_s} * 1'000'000;
    stage_max_us_ = st->max_timeout_s > 0 ? now_us + std::int64_t{st->max_timeout_s} * 1'000'000 : 0;
    stage_rate_ = st->min_rate;
}

void Connection::extend_stage(std::size_t bytes) {
    if (stage_ == Stage::None || stage_rate_ <= 0) {
        return;
    }
    stage_deadline_us_ += static_cast<std::int64_t>(bytes) * 1'000'000 / stage_rate_;
    if (stage_max_us_ != 0 && stage_deadline_us_ > stage_max_us_) {
        stage_deadline_us_ = stage_max_us_;
    }
}

// Level-triggered: input is read once per event, and interest in input is
// dropped while the buffer is full and a response is still being written.
void Connection::update_interest(bool want_write) {
    bool want_read = state_ == State::Exchanging
                         ? exchange_wants_read()
                         : !((state_ == State::Writing || suspended_) && b_ != nullptr && in_len_ == b_->in.size());
    if (want_write == want_write_ && want_read == want_read_) {
        return;
    }
    want_write_ = want_write;
    want_read_ = want_read;
    if (!registered_) {
        return;  // open() registers with the final interest
    }
    worker_.loop().modify(fd_, (want_read ? EPOLLIN | EPOLLRDHUP : 0u) | (want_write ? EPOLLOUT : 0u), this);
}

void Connection::on_event(std::uint32_t events) {
    if (state_ == State::Closed) {
        return;
    }
    if (state_ == State::Exchanging) {
        exchange_socket_event(events);
        return;
    }
    if (state_ == State::Writing && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        if (!flush()) {
            return;
        }
        after_flush();
        if (state_ == State::Closed) {
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        on_readable();
    }
}

void Connection::on_timeout() {
    if (state_ == State::Exchanging) {
        exchange_timeout();
        return;
    }
    worker_.update_wall_clock();
    if (state_ == State::Lingering) {
        if (worker_.loop().now_ms() < linger_deadline_ms_) {
            // Each read may wait 2 s; the whole linger at most 30 s.
            worker_.linger_timers().schedule(timer, worker_.loop().now_ms());
            return;
        }
        close();
        return;
    }
    if (state_ == State::Reading && stage_ != Stage::None &&
        worker_.loop().now_ms() * 1000 >= stage_deadline_us_) {
        stage_timed_out();
        return;
    }
    if (state_ == State::Reading && in_len_ > 0 && body_to_discard_ == 0 && !chunked_active_) {
        // A request started but did not complete in time: 408, as httpd,
        // answered once its request line is whole; before that httpd only
        // logs it and closes.
        std::string_view started(b_->in.data(), in_len_);
        started.remove_prefix(std::min(started.size(), started.find_first_not_of("\r\n")));
        if (started.find('\n') == std::string_view::npos) {
            log_unanswered(408);
            close();
            return;
        }
        queue_error(408, {}, true, 0);
        if (flush()) {
            after_flush();
        }
        if (state_ != State::Closed) {
            close();
        }
        return;
    }
    close();
}

// mod_reqtimeout's limit ran out: logged as httpd logs it (AH01382, at info),
// then the connection ends the way a core Timeout ends it. A body that is
// still arriving belongs to a request already answered (Sonora answers
// before it has dropped the body), so the connection just closes.
void Connection::stage_timed_out() {
    const bool header = stage_ == Stage::Header;
    stage_ = Stage::None;
    modules::core::log_connection_error(*default_server_,
                                        client_ip_, client_port_, LogLevel::Info, "reqtimeout", "SN01382",
                                        header ? "Request header read timeout" : "Request body read timeout");
    if (header && in_len_ > 0) {
        on_timeout();
        return;
    }
    close();
}

// Runs the chunked decoder over `in`, dropping the data.
Connection::Drain Connection::drain_chunked(std::string_view in, std::size_t& used, int& error_status) {
    used = 0;
    for (;;) {
        http::ChunkStep step = b_->chunked.next(in.substr(used));
        used += step.consumed;
        switch (step.status) {
            case http::ChunkStatus::kData: continue;
            case http::ChunkStatus::kDone: return Drain::Done;
            case http::ChunkStatus::kNeedMore: return Drain::NeedMore;
            case http::ChunkStatus::kError: error_status = step.error.status; return Drain::Error;
        }
    }
}

std::size_t Connection::max_input() const {
    const WorkerSettings& ws = worker_.settings();
    return ws.limit_request_line + (ws.limit_request_fieldsize + 2) * (ws.limit_request_fields + 1) + 4;
}

void Connection::on_readable() {
    if (state_ == State::Lingering) {
        char sink[4096];
        for (;;) {
            ssize_t n = ::read(fd_, sink, sizeof sink);
            if (n > 0) {
                continue;
            }
            if (n == 0 || errno != EAGAIN) {
                close();
            }
            return;
        }
    }
    if (b_ == nullptr) {
        take_buffers();
    }
    bool got_any = false;
    for (;;) {
        if (in_len_ == b_->in.size()) {
            std::size_t limit = max_input();
            // Parked requests point into the buffer: it must not move.
            if (b_->in.size() >= limit || state_ == State::Writing || suspended_ || held_) {
                break;
            }
            b_->in.resize(std::min(b_->in.size() * 2, limit));
        }
        ssize_t n = ::read(fd_, b_->in.data() + in_len_, b_->in.size() - in_len_);
        if (n > 0) {
            in_len_ += static_cast<std::size_t>(n);
            extend_stage(static_cast<std::size_t>(n));
            got_any = true;
            if (in_len_ < b_->in.size()) {
                break;  // level-triggered: anything left is reported again
            }
            continue;
        }
        if (n == 0) {
            // Peer closed its side. Answer what is complete, then close.
            peer_closed_ = true;
            if (in_len_ == 0 && state_ == State::Reading) {
                close();
                return;
            }
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            close();
            return;
        }
        break;
    }
    if (state_ == State::Writing || suspended_) {
        // Keep what arrived for after the queued responses; stop reading when full.
        update_interest(want_write_);
        return;
    }
    if (got_any || peer_closed_) {
        handle_input();
    } else {
        release_buffers_if_idle();  // woken with nothing to read
    }
}

void Connection::handle_input(std::size_t start) {
    worker_.update_wall_clock();
    if (activity_ == Activity::KeepAlive) {
        set_activity(Activity::Busy);
        start_stage(Stage::Header, header_limits_);  // the next request's first bytes
    }
    worker_.request_context().now_ms = worker_.loop().now_ms();
    // A held request's head stays before pinned_: its body goes on after it.
    std::size_t pos = held_ ? std::max(start, pinned_) : start;
    std::size_t answered = 0;
    while (state_ == State::Reading && answered < kMaxBatch) {
        if (chunked_active_) {
            std::size_t used = 0;
            int error_status = 0;
            Drain st = drain_chunked(std::string_view(b_->in.data() + pos, in_len_ - pos), used, error_status);
            pos += used;
            if (held_) {
                b_->pending->bytes_in += used;
                if (st == Drain::Error) {
                    held_ = false;
                    b_->pending.reset();
                    b_->pending_file.reset();
                    chunked_active_ = false;
                    queue_error(error_status, {}, true, held_start_);
                    break;
                }
                if (b_->chunked.body_bytes() > held_limit_) {
                    release_held(true);
                    break;
                }
                if (st == Drain::Done) {
                    release_held(false);
                }
            }
            if (st == Drain::Error) {
                close_after_ = true;  // the response already went out; nothing sane can follow
                break;
            }
            if (st == Drain::NeedMore) {
                break;
            }
            chunked_active_ = false;
            stage_ = Stage::None;
        }
        if (body_to_discard_ > 0) {
            std::uint64_t skip = std::min<std::uint64_t>(body_to_discard_, in_len_ - pos);
            pos += static_cast<std::size_t>(skip);
            body_to_discard_ -= skip;
            if (body_to_discard_ > 0) {
                break;
            }
            stage_ = Stage::None;
        }
        if (pos >= in_len_) {
            break;
        }
        if (stage_ == Stage::None) {
            start_stage(Stage::Header, header_limits_);  // a pipelined request
        }
        std::size_t before = pos;
        if (!handle_one(pos)) {
            break;
        }
        if (exchange_began_) {
            // An exchange answers the request; it may even have ended and
            // gone on to what follows (or closed): this pass is over.
            exchange_began_ = false;
            return;
        }
        if (suspended_) {
            // Waiting for the client's name: no timer runs out meanwhile (the
            // resolver always answers), and nothing is written or compacted.
            resume_pos_ = pos;
            cancel_timers();
            return;
        }
        ++answered;
        if (pos == before || close_after_) {
            break;
        }
    }
    // Keep the unparsed tail for the next read; the answered heads stay alive
    // until their responses are written, so compact only when nothing is queued.
    const std::size_t keep = held_ ? pinned_ : 0;
    if (b_->out_pos >= b_->out.size() && pos > keep) {
        std::memmove(b_->in.data() + keep, b_->in.data() + pos, in_len_ - pos);
        in_len_ -= pos - keep;
        pos = keep;
    }
    if (!b_->out.empty() && b_->out_pos < b_->out.size()) {
        state_ = State::Writing;
        consumed_pending_ = pos;
        if (flush()) {
            after_flush();
        }
        return;
    }
    // A held response goes out once its body has been read, whatever
    // follows it.
    if ((close_after_ && !held_) || peer_closed_) {
        close();
        return;
    }
    if (between_requests()) {
        stage_ = Stage::None;
        set_activity(Activity::KeepAlive);
    }
    arm_timer(between_requests());
    release_buffers_if_idle();
}

bool Connection::handle_one(std::size_t& pos) {
    const std::size_t start = pos;
    const WorkerSettings& ws = worker_.settings();
    http::ParseResult res = b_->parser->parse(b_->in.data() + pos, in_len_ - pos);
    if (res.status == http::ParseStatus::kIncomplete) {
        if (peer_closed_ && b_->parser->reading_headers()) {
            // httpd answers a head cut short after its request line; before it, it just closes.
            b_->parser->reset();
            queue_error(400, {}, true, pos);
            return true;
        }
        return false;
    }
    if (res.status == http::ParseStatus::kError) {
        b_->parser->reset();
        queue_error(res.error.status, res.error.note, true, pos);
        return true;
    }
    const http::RequestHead& head = b_->parser->head();
    const std::size_t head_bytes = res.consumed;

    request::Request r(&b_->arena);
    r.time_s = worker_.wall_seconds();
    r.time_us = worker_.wall_us();
    r.local_port = local_port_;
    r.client_ip = client_ip_;
    r.client_port = client_port_;
    r.connection = &b_->info;
    r.the_request = first_line(head.line.method.data(), in_len_ - static_cast<std::size_t>(head.line.method.data() - b_->in.data()));
    // Read before the parser is reset once the body is framed.
    const request::HeadVerdict verdict =
        request::read_request_head(r, head, b_->header_storage, worker_.request_context().walker, local_ip_,
                                   b_->parser->options().unsafe);
    ++requests_;
    if (slot_ != nullptr) {
        slot_->state.store(static_cast<char>(scoreboard::State::Writing), std::memory_order_relaxed);
    }
    // A draining child (graceful restart) answers this request and closes:
    // the client learns it from Connection: close instead of a reset.
    bool keep = ws.keepalive && http::client_allows_keep_alive(head) && !worker_.draining();
    client_asked_close_ = !http::client_allows_keep_alive(head);
    // MaxKeepAliveRequests counts the requests after the first, as httpd's
    // keepalives counter does: N allows N + 1 requests on a connection.
    if (ws.max_keepalive_requests != 0 && requests_ > ws.max_keepalive_requests) {
        keep = false;
    }
    r.keep_alive = keep;

    const http::TargetForm target_form = head.line.form;

    // Request body framing (Apache's rules); a body on a request for a file is
    // read and dropped, a chunked one decoded first so that its errors answer.
    std::uint64_t body_length = 0;
    std::uint64_t wire_body = 0;  // body bytes as sent (chunk framing included), for %I
    auto framing = http::decide_body_framing(head, b_->limits);
    if (const auto* err = std::get_if<http::HttpError>(&framing)) {
        b_->parser->reset();
        queue_error(err->status, err->note, true, pos);
        return true;
    }
    const auto& body = std::get<http::BodyFraming>(framing);
    if (body.must_close) {
        close_after_ = true;
    }
    std::size_t body_start = pos + head_bytes;
    if (body.kind == http::BodyFraming::Kind::kChunked) {
        b_->chunked.reset();
        std::size_t used = 0;
        int error_status = 0;
        Drain st = drain_chunked(std::string_view(b_->in.data() + body_start, in_len_ - body_start), used, error_status);
        if (st == Drain::Error) {
            b_->parser->reset();
            queue_error(error_status, {}, true, pos);
            return true;
        }
        if (st == Drain::NeedMore && in_len_ < max_input()) {
            --requests_;
            return false;  // the parser keeps its place; the body is decoded again when complete
        }
        b_->parser->reset();
        pos = body_start + used;
        wire_body = used;
        body_length = b_->chunked.body_bytes();
        chunked_active_ = st == Drain::NeedMore;  // too big to hold: dropped as it streams
    } else {
        b_->parser->reset();
        pos = body_start;
        if (body.kind == http::BodyFraming::Kind::kLength) {
            body_length = body.length;
            wire_body = body.length;
            std::uint64_t here = std::min<std::uint64_t>(body.length, in_len_ - pos);
            pos += static_cast<std::size_t>(here);
            body_to_discard_ = body.length - here;
        }
    }
    // A client that expects 100-continue may never send the body once it has
    // a final answer; end the connection rather than read its next request as body.
    if (verdict.expects_continue && (body_to_discard_ > 0 || chunked_active_)) {
        r.keep_alive = false;
        body_to_discard_ = 0;
        chunked_active_ = false;
    }

    std::shared_ptr<const request::FileEntry> file;
    if (slot_ != nullptr && worker_.extended_status()) {
        record_request_start(r);
    }
    request::run_request(r, worker_.request_context(), verdict.status, target_form, file);
    if (r.awaiting_host_name) {
        return await_verified_host(start, pos);
    }
    const bool refused = request::refuse_large_body(r, worker_.request_context(), body_length, file);
    if (refused) {
        body_to_discard_ = 0;  // the lingering close drains it
        if (r.exchange != nullptr) {
            delete r.exchange;  // the script goes without its body
            r.exchange = nullptr;
        }
    }
    if (r.exchange != nullptr) {
        if (!r.keep_alive) {
            close_after_ = true;
        }
        r.bytes_in = head_bytes + wire_body;
        begin_exchange(r, std::move(file), start, body_start, static_cast<int>(body.kind), body.length,
                       verdict.expects_continue);
        return true;
    }
    if (!r.keep_alive) {
        close_after_ = true;
    }
    r.bytes_in = head_bytes + wire_body;
    if (body_to_discard_ > 0 || chunked_active_) {
        start_stage(Stage::Body, r.server != nullptr ? worker_.read_timeouts(*r.server) : nullptr);
    } else {
        stage_ = Stage::None;
    }
    if (!name_known(r)) {
        b_->pending.emplace(std::move(r));
        b_->pending_file = std::move(file);
        suspended_ = true;
        return true;
    }
    // Only with nothing queued before it: sending those would release the
    // arena the held request lives in.
    if (chunked_active_ && !refused && b_->out.empty() && request::body_limit(r) != 0) {
        held_limit_ = request::body_limit(r);
        held_start_ = start;
        pinned_ = body_start;
        held_ = true;
        b_->pending.emplace(std::move(r));
        b_->pending_file = std::move(file);
        return true;
    }
    queue_response(r, std::move(file));
    finish_request(r);
    return true;
}

void Connection::release_held(bool too_large) {
    held_ = false;
    request::Request& r = *b_->pending;
    std::shared_ptr<const request::FileEntry> file = std::move(b_->pending_file);
    if (too_large) {
        // The rest of the body is unread: chunked_active_ stays set so that
        // the connection ends with a lingering close, which drains it, even
        // when the client asked to close (a plain close would reset the 413
        // away while the client still sends).
        request::refuse_large_body(r, worker_.request_context(), b_->chunked.body_bytes(), file);
        stage_ = Stage::None;
    }
    if (!r.keep_alive) {
        close_after_ = true;
    }
    queue_response(r, std::move(file));
    finish_request(r);
    b_->pending.reset();
}

// HostnameLookups for this request's directory: true when nothing needs to
// be looked up or the answer is known (cached); false when the resolver is
// working and will call on_resolved().
bool Connection::name_known(request::Request& r) {
    const int mode = request::hostname_lookups(r);
    if (mode == 0) {
        return true;
    }
    r.lookups_wanted = true;
    const auto wanted = static_cast<std::uint8_t>(mode);
    if (name_mode_ == wanted) {
        return true;
    }
    Resolver::Answer a = worker_.resolver().lookup(client_ip_, wanted == 2 ? Resolver::Mode::Double
                                                                           : Resolver::Mode::Single,
                                                   &Connection::on_resolved, this, serial_);
    if (a.status == Resolver::Answer::Status::Pending) {
        return false;
    }
    remote_host_.assign(a.name.substr(0, 1024));
    b_->info.remote_host = remote_host_;
    name_mode_ = wanted;
    return true;
}

bool Connection::verified_host_known() {
    if (verified_known_) {
        return true;
    }
    Resolver::Answer a = worker_.resolver().lookup(client_ip_, Resolver::Mode::Double, &Connection::on_resolved,
                                                   this, serial_);
    if (a.status == Resolver::Answer::Status::Pending) {
        return false;
    }
    verified_host_.assign(a.status == Resolver::Answer::Status::Name ? a.name.substr(0, 1024) : std::string_view());
    verified_known_ = true;
    b_->info.verified_host = verified_host_;
    b_->info.verified_host_known = true;
    return true;
}

std::optional<std::span<const request::IpAddress>> Connection::addresses(std::string_view name) {
    Resolver::Addresses a = worker_.resolver().lookup_addresses(name, &Connection::on_resolved, this, serial_);
    if (a.status == Resolver::Answer::Status::Pending) {
        lookups_asked_ = true;
        return std::nullopt;
    }
    return a.list;
}

// httpd looks the local address up once per connection and keeps the name.
std::optional<std::string_view> Connection::local_host() {
    if (local_known_) {
        return local_host_;
    }
    if (local_ip_[0] == '\0') {
        // A wildcard listener: only the kernel knows which address was used.
        sockaddr_storage self{};
        socklen_t len = sizeof self;
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&self), &len) == 0) {
            format_address(self, local_ip_, sizeof local_ip_);
            b_->info.local_ip = local_ip_;
        }
    }
    Resolver::Answer a = worker_.resolver().lookup(local_ip_, Resolver::Mode::Single, &Connection::on_resolved,
                                                   this, serial_);
    if (a.status == Resolver::Answer::Status::Pending) {
        lookups_asked_ = true;
        return std::nullopt;
    }
    local_host_.assign(a.name.substr(0, 1024));
    local_known_ = true;
    b_->info.local_host = local_host_;
    b_->info.local_host_known = true;
    return local_host_;
}

// Nothing of the run that stopped is kept: its head (and any body bytes read
// so far) are still in the input buffer, and the request is parsed and run
// again from there. What it waits for: an answer a HostLookups call started
// (any callback then runs it again), else the client's verified name.
bool Connection::await_verified_host(std::size_t start, std::size_t& pos) {
    const bool looked_up_already = verified_known_;
    --requests_;
    body_to_discard_ = 0;
    chunked_active_ = false;
    b_->parser->reset();
    pos = start;
    if (lookups_asked_ && worker_.resolver().waiting(this, serial_)) {
        await_lookup_ = true;
        rerun_ = true;
        suspended_ = true;
        return true;
    }
    if (looked_up_already) {
        // A hook asked for a name it was given: a bug; fail closed.
        queue_error(500, {}, true, pos);
        return true;
    }
    if (verified_host_known()) {
        return handle_one(pos);  // the resolver's cache knew it
    }
    rerun_ = true;
    suspended_ = true;
    return true;
}

void Connection::on_resolved(void* owner, std::uint64_t ticket) {
    auto* c = static_cast<Connection*>(owner);
    if (c->serial_ == ticket && c->suspended_) {
        c->resume();
    }
}

// The parked request's name is known now: answer it, then go on with the input.
void Connection::resume() {
    if (rerun_) {
        if (!await_lookup_ && !verified_host_known()) {
            return;
        }
        await_lookup_ = false;
        rerun_ = false;
        suspended_ = false;
        handle_input(resume_pos_);
        return;
    }
    request::Request& r = *b_->pending;
    if (!name_known(r)) {
        return;  // the answer expired in between: waiting again
    }
    suspended_ = false;
    queue_response(r, std::move(b_->pending_file));
    finish_request(r);
    b_->pending.reset();
    handle_input(resume_pos_);
}

// What the access log needs once the response is queued, then the
// log_transaction hooks.
void Connection::finish_request(request::Request& r) {
    // httpd counts a connection's keep-alive responses, this one included
    // when it keeps the connection open, and logs that count less one.
    const unsigned earlier = requests_ > 0 ? requests_ - 1 : 0;
    const bool kept = r.keep_alive && !close_after_;
    r.keep_alive = kept;
    r.keepalives = kept ? earlier : (earlier > 0 ? earlier - 1 : 0);
    if (slot_ != nullptr) {
        slot_->state.store(static_cast<char>(scoreboard::State::Logging), std::memory_order_relaxed);
    }
    request::log_transaction(r, worker_.request_context());
    if (slot_ != nullptr) {
        // httpd logs once the reply is sent; here the log comes first, and
        // what is queued is still being sent.
        slot_->state.store(static_cast<char>(scoreboard::State::Writing), std::memory_order_relaxed);
        if (worker_.extended_status()) {
            record_request(r);
        }
    }
}

// ExtendedStatus: whom the slot serves, as soon as the request and its
// virtual host are known, so that mod_status shows requests in flight.
void Connection::record_request_start(const request::Request& r) {
    slot_->start_us.store(r.time_us, std::memory_order_relaxed);
    scoreboard::copy_field(slot_->client, sizeof slot_->client, client_ip_);
    std::string_view name = r.server_name;
    if (name.empty() && r.server != nullptr) {
        name = request::configured_server_name(*r.server);
        if (name.empty()) {
            name = r.self_host();
        }
    }
    char vhost[scoreboard::kVhostLen + 8];  // httpd's "name:port", cut to the field
    const std::size_t n = std::min(name.size(), static_cast<std::size_t>(scoreboard::kVhostLen));
    std::memcpy(vhost, name.data(), n);
    vhost[n] = ':';
    char* end = std::to_chars(vhost + n + 1, vhost + sizeof vhost, r.local_port).ptr;
    const std::string_view name_port(vhost, static_cast<std::size_t>(end - vhost));
    scoreboard::copy_field(slot_->vhost, sizeof slot_->vhost, name_port);
    std::string_view line = r.the_request;
    constexpr std::size_t kKept = scoreboard::kRequestLen - 1;
    if (line.size() > kKept) {
        // SeeRequestTail: the end of a long line (its URL's last part) instead of its start.
        if (worker_.settings().see_request_tail) {
            line = line.substr(line.size() - kKept);
        }
    }
    scoreboard::copy_field(slot_->request, sizeof slot_->request, line);
}

// ExtendedStatus: the finished request's counts and time (one clock read:
// the loop's cached clock is the time the input arrived, not the end).
void Connection::record_request(const request::Request& r) {
    record_request_start(r);  // again: error responses to unparsable requests start here
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    const std::int64_t now = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
    slot_->access_count.fetch_add(1, std::memory_order_relaxed);
    slot_->my_access_count.fetch_add(1, std::memory_order_relaxed);
    slot_->bytes_served.fetch_add(r.bytes_out, std::memory_order_relaxed);
    slot_->my_bytes_served.fetch_add(r.bytes_out, std::memory_order_relaxed);
    slot_->conn_bytes.fetch_add(r.bytes_out, std::memory_order_relaxed);
    slot_->conn_count.store(requests_, std::memory_order_relaxed);
    slot_->duration_us.fetch_add(std::max<std::int64_t>(0, now - r.time_us), std::memory_order_relaxed);
    slot_->stop_us.store(now, std::memory_order_relaxed);
}

// A head httpd would not send (has_invalid_response_header): it answers a
// bodiless 500 with nothing of the response's own headers and closes.
void Connection::queue_bare_500(request::Request& r) {
    const WorkerSettings& ws = worker_.settings();
    std::pmr::string head(&b_->arena);
    head.append("HTTP/1.1 500 Internal Server Error\r\nDate: ").append(worker_.date());
    head.append("\r\nServer: ").append(ws.server_header).append("\r\nContent-Length: 0\r\n\r\n");
    r.status = 500;
    r.keep_alive = false;
    close_after_ = true;
    r.body.kind = request::Body::Kind::None;  // a streamed body must not follow this head
    r.content_length = std::nullopt;
    r.bytes_sent = 0;
    const std::string_view kept = r.version == 9 ? std::string_view{} : r.keep(head);
    queue_memory(kept);
    r.bytes_out = kept.size();
}

void Connection::queue_memory(std::string_view bytes) {
    if (!bytes.empty()) {
        b_->out.push_back(Segment{bytes.data(), bytes.size(), -1, 0});
    }
}

// httpd ends the connection after these statuses (ap_status_drops_connection).
bool drops_connection(int status) {
    switch (status) {
        case 400: case 408: case 411: case 413: case 414: case 417: case 500: case 501: case 503: return true;
        default: return false;
    }
}

// A script's own reason phrase (httpd's r->status_line), when it is for the
// status being sent: "299 Custom" gives "Custom".
std::string_view custom_reason(const request::Request& r) {
    std::string_view line = r.status_line;
    char digits[3];
    if (line.size() <= 4 || line[3] != ' ' || std::to_chars(digits, digits + 3, r.status).ptr != digits + 3 ||
        line.substr(0, 3) != std::string_view(digits, 3)) {
        return {};
    }
    return line.substr(4);
}

void Connection::queue_response(request::Request& r, std::shared_ptr<const request::FileEntry> file) {
    const WorkerSettings& ws = worker_.settings();
    if (drops_connection(r.status)) {
        r.keep_alive = false;
        close_after_ = true;
    }
    std::uint64_t length = 0;
    switch (r.body.kind) {
        case request::Body::Kind::None: break;
        case request::Body::Kind::Memory: length = r.body.memory.size(); break;
        case request::Body::Kind::Stream: length = r.body.length_declared ? r.body.length : 0; break;
        case request::Body::Kind::File:
            if (r.body.pieces.empty()) {
                length = r.body.length;
            } else {
                for (const auto& p : r.body.pieces) {
                    length += p.memory.size() + p.length;
                }
            }
            break;
    }
    // httpd streams the TRACE echo: chunked to HTTP/1.1, up to the close to HTTP/1.0.
    const bool trace_echo =
        r.method == request::Method::Trace && r.status == 200 && r.body.kind == request::Body::Kind::Memory;
    if (trace_echo) {
        if (r.version >= 11) {
            r.add_header("Transfer-Encoding", "chunked");
        } else {
            r.keep_alive = false;
            close_after_ = true;
        }
    }
    const bool error_page = r.status >= 300 && r.body.kind == request::Body::Kind::Memory;
    // A stream of unknown length to an HTTP/1.1 client (queue_stream_head decided).
    const bool stream_chunked = r.body.kind == request::Body::Kind::Stream && ex_ != nullptr && ex_->chunked;
    // Not only the file handler's HEAD: an access check's or a mapper's error page too.
    // A simple request (HTTP/0.9, Unsafe lets it be HEAD) gets the body regardless.
    const bool header_only = (r.header_only || r.method == request::Method::Head) && r.version != 9;
    // httpd's order: err_headers_out first (apr_table_overlay), then headers_out.
    r.headers_out.insert(r.headers_out.begin(), r.err_headers_out.begin(), r.err_headers_out.end());
    if (request::has_invalid_response_header(r)) [[unlikely]] {
        queue_bare_500(r);
        return;
    }
    ResponseHead head{r.status, worker_.date(), ws.server_header, r.headers_out, r.content_type,
                      error_page ? std::string_view{} : std::string_view(r.content_encoding),
                      error_page ? std::string_view{} : std::string_view(r.content_language), length,
                      // httpd makes no error page for HEAD, so nothing gives it a length
                      (r.body.kind != request::Body::Kind::None || r.status >= 200) && !(error_page && header_only) &&
                          !trace_echo && !(header_only && !r.body.length_declared) &&
                          !(r.body.kind == request::Body::Kind::Stream && !r.body.length_declared),
                      r.keep_alive && !close_after_, r.version, ws.keepalive_timeout_ms / 1000,
                      ws.max_keepalive_requests == 0 ? 0 : ws.max_keepalive_requests + 1 - requests_,
                      custom_reason(r), stream_chunked};
    // An HTTP/0.9 client reads the body alone, as httpd sends it.
    std::string_view head_bytes = r.version == 9 ? std::string_view{} : write_response_head(head, &b_->arena);
    queue_memory(head_bytes);
    r.bytes_out = head_bytes.size();
    r.content_length = r.body.kind != request::Body::Kind::None && r.status != 304 && r.status != 204
                           ? std::optional<std::uint64_t>(length)
                           : std::nullopt;
    if (header_only || r.status == 304 || r.status == 204) {
        return;
    }
    if (r.body.kind == request::Body::Kind::Stream) {
        r.content_length = r.body.length_declared ? std::optional<std::uint64_t>(length) : std::nullopt;
        return;  // the connection writes the body as the exchange makes it
    }
    r.bytes_sent = length;
    r.bytes_out += length;
    if (r.body.kind == request::Body::Kind::Memory) {
        if (trace_echo && r.version >= 11 && length != 0) {
            char size_line[http::kMaxChunkHeader];
            const std::size_t n = http::format_chunk_header(length, size_line);
            auto* kept = static_cast<char*>(b_->arena.allocate(n, 1));
            std::memcpy(kept, size_line, n);
            queue_memory(std::string_view(kept, n));
            queue_memory(r.body.memory);
            queue_memory(http::kChunkEnd);
            queue_memory(http::kLastChunk);
            r.bytes_out += n + http::kChunkEnd.size() + http::kLastChunk.size();
            return;
        }
        queue_memory(r.body.memory);
        return;
    }
    if (r.body.kind != request::Body::Kind::File) {
        return;
    }
    auto add_range = [&](std::uint64_t off, std::uint64_t len) {
        if (len == 0) {
            return;
        }
        if (r.body.mapped != nullptr) {
            b_->out.push_back(Segment{r.body.mapped + off, static_cast<std::size_t>(len), -1, 0});
        } else {
            b_->out.push_back(Segment{nullptr, static_cast<std::size_t>(len), r.body.fd, off, r.body.sendfile});
        }
    };
    if (r.body.pieces.empty()) {
        add_range(r.body.offset, r.body.length);
    } else {
        for (const auto& p : r.body.pieces) {
            queue_memory(p.memory);
            add_range(p.offset, p.length);
        }
    }
    if (file) {
        b_->holds.push_back(std::move(file));
    }
}

// An answer to input that is not a request Sonora can process; logged with
// the first line at `pos` as its request line, as httpd does.
void Connection::queue_error(int status, std::string_view detail, bool close_after, std::size_t pos) {
    peer_error_ = true;
    request::Request r(&b_->arena);
    r.the_request = first_line(b_->in.data() + pos, in_len_ - std::min(pos, in_len_));
    // httpd logs the line's first word as the method and reads no further.
    r.method_name = r.the_request.substr(0, r.the_request.find(' '));
    {
        std::string_view rest(b_->in.data() + pos, in_len_ - std::min(pos, in_len_));
        std::size_t eol = rest.find('\n');
        r.bytes_in = eol == std::string_view::npos ? rest.size() : eol + 1;
    }
    fill_connection_request(r);
    r.keep_alive = !close_after;
    if (close_after) {
        close_after_ = true;
    }
    if (status == 501) {
        // RegisteredMethods' refusal, before any handler could add its methods.
        r.add_header("Allow", "TRACE");
    }
    request::error_response(r, worker_.request_context(), status, detail);
    request::finish_headers(r, worker_.request_context());
    queue_response(r, nullptr);
    finish_request(r);
}

// Input that never became a request (a request line cut short by a
// timeout): httpd answers nothing and logs "-" with the status.
void Connection::log_unanswered(int status) {
    request::Request r(&b_->arena);
    fill_connection_request(r);
    r.status = status;
    r.keep_alive = false;
    close_after_ = true;
    finish_request(r);
}

// What a request made up by the connection itself carries: the address's
// default server, the time, the client.
void Connection::fill_connection_request(request::Request& r) {
    r.version = 10;
    r.client_ip = client_ip_;
    r.client_port = client_port_;
    r.connection = &b_->info;
    r.local_port = local_port_;
    // As httpd's request_time: when the request's first bytes were read.
    r.time_us = request_start_us_;
    r.time_s = request_start_us_ / 1'000'000;
    r.uri.assign(1, '/');
    r.server = default_server_;
    r.dir_config = &r.server->lookup_defaults;
    r.server_name = request::configured_server_name(*r.server);
}

// After a failed write: true to retry at once (EINTR); otherwise the
// connection waits for EPOLLOUT (EAGAIN) or has been closed.
bool Connection::retry_after_write_error() {
    if (errno == EINTR) {
        return true;
    }
    if (errno == EAGAIN) {
        update_interest(true);
    } else {
        close();
    }
    return false;
}

// Writes queued segments: memory runs with one writev (sendmsg, MSG_MORE when a
// file range follows so the head and the file share a segment), file ranges
// with sendfile. Returns true when everything is written.
bool Connection::flush() {
    while (b_->out_pos < b_->out.size()) {
        Segment& s = b_->out[b_->out_pos];
        if (s.data == nullptr) {
            off_t off = static_cast<off_t>(s.offset);
            ssize_t n;
            if (s.sendfile) {
                n = ::sendfile(fd_, s.fd, &off, std::min<std::size_t>(s.length, 1u << 30));
            } else {
                // EnableSendfile Off: read a piece, write it; a short write
                // re-reads the rest next time (the offset only moves by what was sent).
                b_->copy_buffer.resize(65536);
                ssize_t got = ::pread(s.fd, b_->copy_buffer.data(), std::min(s.length, b_->copy_buffer.size()), off);
                n = got <= 0 ? got : ::send(fd_, b_->copy_buffer.data(), static_cast<std::size_t>(got), MSG_NOSIGNAL);
            }
            if (n < 0) {
                if (retry_after_write_error()) {
                    continue;
                }
                return false;
            }
            if (n == 0) {
                // The file shrank under us: the promised length cannot be met.
                close();
                return false;
            }
            s.offset += static_cast<std::uint64_t>(n);
            s.length -= static_cast<std::size_t>(n);
            if (s.length == 0) {
                ++b_->out_pos;
            }
            continue;
        }
        iovec iov[64];
        int count = 0;
        std::size_t i = b_->out_pos;
        for (; i < b_->out.size() && count < 64 && b_->out[i].data != nullptr; ++i) {
            iov[count++] = iovec{const_cast<char*>(b_->out[i].data), b_->out[i].length};
        }
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<std::size_t>(count);
        int flags = MSG_NOSIGNAL | (i < b_->out.size() ? MSG_MORE : 0);
        ssize_t n = ::sendmsg(fd_, &msg, flags);
        if (n < 0) {
            if (retry_after_write_error()) {
                continue;
            }
            return false;
        }
        std::size_t left = static_cast<std::size_t>(n);
        while (left > 0) {
            Segment& seg = b_->out[b_->out_pos];
            if (left >= seg.length) {
                left -= seg.length;
                ++b_->out_pos;
            } else {
                seg.data += left;
                seg.length -= left;
                left = 0;
            }
        }
    }
    update_interest(false);
    return true;
}

void Connection::after_flush() {
    b_->out.clear();
    b_->out_pos = 0;
    b_->holds.clear();
    // The answered requests' bytes can go now; keep what follows them.
    if (consumed_pending_ > 0) {
        std::memmove(b_->in.data(), b_->in.data() + consumed_pending_, in_len_ - consumed_pending_);
        in_len_ -= consumed_pending_;
        consumed_pending_ = 0;
    }
    b_->arena.release();
    if (close_after_) {
        // Linger (httpd's lingering close) unless the client itself asked to
        // close and nothing of its is left unread: then a plain close cannot
        // reset the response away (nginx decides the same way).
        if (client_asked_close_ && in_len_ == 0 && body_to_discard_ == 0 && !chunked_active_ && !peer_error_) {
            close();
            return;
        }
        start_lingering();
        return;
    }
    state_ = State::Reading;
    update_interest(false);
    if (in_len_ > 0 || peer_closed_) {
        handle_input();  // pipelined requests waiting behind the batch
    } else if (!between_requests()) {
        arm_timer(false);  // the rest of a request body is still to come
    } else {
        stage_ = Stage::None;
        set_activity(Activity::KeepAlive);
        arm_timer(true);
        release_buffers_if_idle();
    }
}

// httpd's lingering close: stop writing, then read and drop what the client
// still sends, so that it sees the response rather than a reset.
void Connection::start_lingering() {
    ::shutdown(fd_, SHUT_WR);
    state_ = State::Lingering;
    stage_ = Stage::None;
    cancel_timers();
    // What the client sent beyond the answered requests is read and dropped.
    in_len_ = 0;
    body_to_discard_ = 0;
    chunked_active_ = false;
    worker_.give_back(std::move(b_));
    set_activity(Activity::Lingering);
    linger_deadline_ms_ = worker_.loop().now_ms() + kLingerTotalMs;
    worker_.linger_timers().schedule(timer, worker_.loop().now_ms());
    on_readable();
}

// The scoreboard's view: a worker slot while a request is in flight, the
// process's keep-alive and lingering counts otherwise.
void Connection::set_activity(Activity a) {
    if (a == activity_) {
        return;
    }
    scoreboard::ProcessSlot* p = worker_.process_slot();
    if (p != nullptr) {
        if (activity_ == Activity::KeepAlive) {
            p->keep_alive.fetch_sub(1, std::memory_order_relaxed);
        } else if (activity_ == Activity::Lingering) {
            p->lingering.fetch_sub(1, std::memory_order_relaxed);
        }
        if (a == Activity::KeepAlive) {
            p->keep_alive.fetch_add(1, std::memory_order_relaxed);
        } else if (a == Activity::Lingering) {
            p->lingering.fetch_add(1, std::memory_order_relaxed);
        }
        if (a == Activity::Busy && slot_ == nullptr) {
            slot_ = worker_.acquire_slot();
            if (slot_ != nullptr && worker_.extended_status()) {
                slot_->start_us.store(worker_.wall_us(), std::memory_order_relaxed);
                slot_->conn_count.store(requests_, std::memory_order_relaxed);
            }
        } else if (slot_ != nullptr && a != Activity::Busy && a != Activity::None && worker_.thread_per_connection()) {
            // A worker MPM thread stays with its connection while it idles:
            // its slot shows why it is not free (K, or C while lingering).
            slot_->state.store(static_cast<char>(a == Activity::KeepAlive ? scoreboard::State::KeepAlive
                                                                          : scoreboard::State::Closing),
                               std::memory_order_relaxed);
        } else if (a != Activity::Busy && slot_ != nullptr) {
            if (worker_.extended_status()) {
                // A waiting slot serves no connection (httpd clears these too).
                slot_->conn_count.store(0, std::memory_order_relaxed);
                slot_->conn_bytes.store(0, std::memory_order_relaxed);
            }
            worker_.release_slot(slot_);
            slot_ = nullptr;
        } else if (a == Activity::Busy && slot_ != nullptr) {
            slot_->state.store(static_cast<char>(scoreboard::State::Reading), std::memory_order_relaxed);
        }
    }
    activity_ = a;
}

void Connection::close() {
    if (state_ == State::Closed) {
        return;
    }
    state_ = State::Closed;
    if (ex_ != nullptr && ex_->active) {
        abort_exchange();
    }
    if (suspended_ || lookups_asked_) {
        worker_.resolver().cancel(this, serial_);
        suspended_ = false;
    }
    cancel_timers();
    ::close(fd_);  // also leaves the epoll set: the descriptor is not shared
    fd_ = -1;
    set_activity(Activity::None);
    if (b_ != nullptr) {
        worker_.give_back(std::move(b_));
    }
    worker_.retire(this);
}

}  // namespace sonora::net

