// A connection while a handler's Exchange answers its request (a CGI
// script): the request body goes from the input buffer to the exchange as it
// arrives, decoded and with back-pressure (the client is read only while the
// exchange takes what it has); the response head is written once the
// exchange knows it, and its body streamed as the exchange produces it,
// chunked when its length is unknown. Nothing blocks: the exchange's
// descriptors are in this worker's loop beside the client's socket.

#include "net/connection_exchange.h"

#include "http/body_framing.h"
#include "http/chunked_encoder.h"
#include "net/worker.h"
#include "request/driver.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sonora::net {

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// The input buffer grows to this while a body streams through it.
constexpr std::size_t kBodyBuffer = 65536;

}  // namespace

void Connection::begin_exchange(request::Request& r, std::shared_ptr<const request::FileEntry> file,
                                std::size_t start, std::size_t body_start, int body_kind, std::uint64_t body_length,
                                bool expects_continue) {
    if (ex_ == nullptr) {
        ex_ = std::make_unique<ExchangeState>();
    }
    ExchangeState& x = *ex_;
    x.reset(this);
    x.active = true;
    exchange_began_ = true;
    x.exchange.reset(r.exchange);
    r.exchange = nullptr;
    x.file = std::move(file);
    x.start = start;
    x.body_pos = body_start;
    // The body is the exchange's now, not dropped as it arrives.
    body_to_discard_ = 0;
    chunked_active_ = false;
    stage_ = Stage::None;
    if (body_kind == static_cast<int>(http::BodyFraming::Kind::kLength) && body_length > 0) {
        x.mode = ExchangeState::BodyMode::Length;
        x.body_left = body_length;
    } else if (body_kind == static_cast<int>(http::BodyFraming::Kind::kChunked)) {
        x.mode = ExchangeState::BodyMode::Chunked;
        b_->chunked.reset();
        r.bytes_in = body_start - start;  // the chunked body is counted as it is decoded
    } else {
        x.body_done = true;
    }
    b_->pending.emplace(std::move(r));
    state_ = State::Exchanging;
    cancel_timers();
    exchange_read_body();  // what of the body came with the head
    if (expects_continue && !ex_->body_done) {
        queue_memory(kContinue);
    }
    pump_exchange();
}

bool Connection::exchange_wants_read() const {
    return ex_ != nullptr && ex_->active && !ex_->body_done && b_ != nullptr &&
           (in_len_ < b_->in.size() || b_->in.size() < std::min(kBodyBuffer, max_input()));
}

// Decodes what the input buffer holds beyond the ready bytes; with `read`,
// first reads what the client has sent.
void Connection::exchange_read_body() {
    ExchangeState& x = *ex_;
    if (x.body_done) {
        return;
    }
    if (in_len_ == b_->in.size() && b_->in.size() < std::min(kBodyBuffer, max_input())) {
        b_->in.resize(std::min({b_->in.size() * 2, kBodyBuffer, max_input()}));
    }
    if (in_len_ < b_->in.size()) {
        const ssize_t n = ::read(fd_, b_->in.data() + in_len_, b_->in.size() - in_len_);
        if (n > 0) {
            in_len_ += static_cast<std::size_t>(n);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            // The client is gone mid-body: the exchange gets what came, and
            // the connection ends with this request.
            peer_closed_ = true;
            x.body_done = true;
            x.body_broken = true;
        }
    }
    const std::size_t raw_start = x.body_pos + x.ready;
    if (x.mode == ExchangeState::BodyMode::Length) {
        x.ready = static_cast<std::size_t>(std::min<std::uint64_t>(x.body_left, in_len_ - x.body_pos));
        if (x.ready == x.body_left) {
            x.body_done = true;
        }
    } else if (x.mode == ExchangeState::BodyMode::Chunked && raw_start < in_len_ && !x.body_broken) {
        const http::ChunkDecodeResult res = b_->chunked.decode_in_place(b_->in.data() + raw_start, in_len_ - raw_start);
        b_->pending->bytes_in += res.consumed;
        if (res.status == http::ChunkStatus::kError) {
            x.body_done = true;
            x.body_broken = true;
            in_len_ = raw_start + res.produced;
        } else {
            std::memmove(b_->in.data() + raw_start + res.produced, b_->in.data() + raw_start + res.consumed,
                         in_len_ - raw_start - res.consumed);
            in_len_ -= res.consumed - res.produced;
            if (res.status == http::ChunkStatus::kDone) {
                x.body_done = true;
            }
        }
        x.ready += res.produced;
    }
}

// Hands the ready body bytes to the exchange; those it takes leave the buffer.
bool Connection::exchange_feed_body() {
    ExchangeState& x = *ex_;
    while (!x.body_fed) {
        const std::string_view bytes(b_->in.data() + x.body_pos, x.ready);
        if (bytes.empty() && !x.body_done) {
            return true;  // more must come from the client
        }
        const std::size_t n = x.exchange->feed_body(*b_->pending, bytes, x.body_done);
        if (n > 0) {
            std::memmove(b_->in.data() + x.body_pos, b_->in.data() + x.body_pos + n, in_len_ - x.body_pos - n);
            in_len_ -= n;
            x.ready -= n;
            if (x.mode == ExchangeState::BodyMode::Length) {
                x.body_left -= n;
            }
        }
        if (x.body_done && x.ready == 0) {
            x.body_fed = true;
            break;
        }
        if (n < bytes.size() || bytes.empty()) {
            break;  // the exchange waits until it can take more
        }
        if (!x.body_done) {
            exchange_read_body();  // room was made: more of the body may be waiting
        }
    }
    return true;
}

void Connection::on_exchange_event(int) { pump_exchange(); }

void Connection::exchange_socket_event(std::uint32_t events) {
    if ((events & EPOLLOUT) && b_->out_pos < b_->out.size()) {
        if (!flush()) {
            return;  // still blocked, or closed
        }
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        if (!ex_->body_done) {
            exchange_read_body();
        } else if (events & (EPOLLERR | EPOLLHUP)) {
            close();  // the client is gone; nothing it would see remains to send
            return;
        }
    }
    pump_exchange();
}

void Connection::exchange_timeout() {
    worker_.update_wall_clock();
    pump_exchange();
}

// Runs the exchange as far as it goes now, then waits for what it needs.
void Connection::pump_exchange() {
    if (state_ != State::Exchanging || ex_ == nullptr || !ex_->active) {
        return;
    }
    const std::int64_t now = worker_.loop().now_ms();
    exchange_feed_body();
    request::Request& r = *b_->pending;
    const int status = request::exchange_ready(r, worker_.request_context(), *ex_->exchange, now);
    if (!ex_->head_done && status != kDeclined) {
        if (!exchange_head(status)) {
            return;
        }
    }
    if (ex_->head_done && !exchange_output()) {
        return;
    }
    sync_exchange_watches();
    std::int64_t deadline = ex_->exchange->deadline_ms();
    if (deadline <= 0) {
        deadline = now + worker_.settings().timeout_ms;
    }
    worker_.read_deadlines().schedule(timer, std::max(deadline, now + 1));
    update_interest(b_->out_pos < b_->out.size());
}

// The exchange has decided: its head is on the request, or the request goes
// on elsewhere (a redirect, an error page, another exchange). False when the
// exchange is over.
bool Connection::exchange_head(int status) {
    ExchangeState& x = *ex_;
    request::Request& r = *b_->pending;
    request::Context& ctx = worker_.request_context();
    if (status == kOk) {
        x.head_done = true;
        request::resume_exchange(r, ctx, status, x.file);
        if (x.exchange->raw_output()) {
            x.raw = true;
        } else {
            queue_stream_head(r);
        }
        return true;
    }
    // This exchange is over; the request body is not read any further.
    x.unwatch(worker_.loop());
    x.exchange.reset();
    if (!x.body_fed) {
        close_after_ = true;
        x.body_fed = true;
        x.body_done = true;
    }
    // kFinished: the exchange only read the body (input filters); the
    // handler's response, its file included, goes out as it is.
    std::shared_ptr<const request::FileEntry> file = status == kFinished ? std::move(x.file) : nullptr;
    request::resume_exchange(r, ctx, status, file);
    if (r.exchange != nullptr) {
        // Another script answers now (a Location naming one): it gets no body.
        x.exchange.reset(r.exchange);
        r.exchange = nullptr;
        x.exchange->feed_body(r, {}, true);
        return true;
    }
    queue_response(r, std::move(file));
    finish_request(r);
    end_exchange();
    return false;
}

// The head of a streamed body: chunked to an HTTP/1.1 client when the length
// is unknown, up to the close to an HTTP/1.0 one.
void Connection::queue_stream_head(request::Request& r) {
    ExchangeState& x = *ex_;
    const bool header_only = (r.header_only || r.method == request::Method::Head) && r.version != 9;
    x.discard = header_only || r.status == 304 || r.status == 204;
    if (!r.body.length_declared && !x.discard && r.version != 9) {
        if (r.version >= 11) {
            x.chunked = true;
        } else {
            r.keep_alive = false;
            close_after_ = true;
        }
    }
    x.declared = r.body.length_declared ? r.body.length : 0;
    queue_response(r, nullptr);
    if (r.body.kind != request::Body::Kind::Stream) {
        // The head was refused (a bare 500): the script's body is read and dropped.
        x.discard = true;
        x.chunked = false;
    }
}

// Writes what is queued and pulls the next body bytes while the client
// takes them. False when the exchange is over.
bool Connection::exchange_output() {
    ExchangeState& x = *ex_;
    request::Request& r = *b_->pending;
    x.waiting_output = false;
    // What is queued may point into the exchange's buffers, which its next
    // call reuses: it is written first. The head alone (in the arena) may
    // wait for the first body bytes, to go out in one write with them.
    bool borrowed = b_->out_pos < b_->out.size() && x.body_started;
    for (;;) {
        if (borrowed && b_->out_pos < b_->out.size() && !flush()) {
            return state_ == State::Exchanging;  // waits for the socket (EPOLLOUT)
        }
        if (b_->out_pos == b_->out.size()) {
            b_->out.clear();
            b_->out_pos = 0;
        }
        const Exchange::Output o = x.exchange->next_output(r, worker_.loop().now_ms());
        if (!o.bytes.empty() && !x.discard) {
            r.bytes_sent += o.bytes.size();
            r.bytes_out += o.bytes.size();
            // Last bytes that came with the end go out with the last chunk,
            // after the exchange is gone: they are kept in the connection's arena.
            const auto kept = [&](std::string_view bytes) {
                if (!o.end) {
                    return bytes;
                }
                auto* copy = static_cast<char*>(b_->arena.allocate(bytes.size(), 1));
                std::memcpy(copy, bytes.data(), bytes.size());
                return std::string_view(copy, bytes.size());
            };
            if (x.chunked) {
                const std::size_t n = http::format_chunk_header(o.bytes.size(), x.chunk_line);
                queue_memory(kept(std::string_view(x.chunk_line, n)));
                queue_memory(kept(o.bytes));
                queue_memory(http::kChunkEnd);
                r.bytes_out += n + http::kChunkEnd.size();
            } else {
                queue_memory(kept(o.bytes));
            }
            borrowed = true;
            x.body_started = true;
        }
        if (!o.end && !o.bytes.empty()) {
            continue;
        }
        if (!o.end) {
            x.waiting_output = true;
            if (b_->out_pos < b_->out.size() && !flush()) {
                return state_ == State::Exchanging;
            }
            return true;
        }
        const bool short_body = !x.chunked && !x.raw && !x.discard && r.body.length_declared && r.bytes_sent < x.declared;
        if (o.failed || short_body) {
            close_after_ = true;  // the client must not take a cut body for a whole one
        } else if (x.chunked) {
            queue_memory(http::kLastChunk);
            r.bytes_out += http::kLastChunk.size();
        }
        if (x.raw) {
            r.content_length = std::nullopt;
        }
        finish_request(r);
        end_exchange();
        return false;
    }
}

// Keeps the loop's registrations in step with what the exchange waits for,
// then lets it close what it is done with.
void Connection::sync_exchange_watches() {
    ExchangeState& x = *ex_;
    const Exchange::Watch w = x.exchange->watch();
    const bool output_blocked = x.head_done && (!x.waiting_output || b_->out_pos < b_->out.size());
    const int want[3] = {output_blocked ? -1 : w.output, w.input, w.errors};
    for (int i = 0; i < 3; ++i) {
        ExchangeState::Watch& watch = x.watches[i];
        if (watch.fd == want[i]) {
            continue;
        }
        if (watch.fd >= 0) {
            worker_.loop().remove(watch.fd);
        }
        watch.fd = want[i];
        if (watch.fd >= 0) {
            watch.events = i == 1 ? EPOLLOUT : EPOLLIN;
            worker_.loop().add(watch.fd, watch.events, &watch);
        }
    }
    x.exchange->close_finished();
}

// The response is queued: the connection goes back to its requests once it
// has been written. A body the exchange did not read to its end is not
// worth reading now: the connection closes after the response.
void Connection::end_exchange() {
    ExchangeState& x = *ex_;
    x.unwatch(worker_.loop());
    x.exchange.reset();
    std::size_t consumed = x.body_pos;
    if (!x.body_done || x.body_broken || x.ready > 0) {
        close_after_ = true;
        consumed = in_len_;
    }
    if (x.file) {
        b_->holds.push_back(std::move(x.file));
    }
    b_->pending.reset();
    x.reset(this);
    worker_.read_deadlines().cancel(timer);
    state_ = State::Writing;
    consumed_pending_ = consumed;
    if (flush()) {
        after_flush();
    }
}

// The connection closes with the exchange still running: the script is let
// go (terminated and reaped), and the request logged as far as it got.
void Connection::abort_exchange() {
    ExchangeState& x = *ex_;
    x.unwatch(worker_.loop());
    x.exchange.reset();
    if (b_ != nullptr && b_->pending) {
        finish_request(*b_->pending);
        b_->pending.reset();
    }
    x.reset(this);
}

}  // namespace sonora::net
