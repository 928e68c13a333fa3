#pragma once
// What a connection keeps while a handler's Exchange answers its request
// (sonora/exchange.h): the exchange, the loop registrations of its
// descriptors, where the request body stands in the input buffer, and how
// the response body is framed. Private to Connection (connection.cpp,
// connection_exchange.cpp).

#include "net/connection.h"

#include "http/chunked_encoder.h"

#include <sonora/exchange.h>

#include <memory>

namespace sonora::net {

struct Connection::ExchangeState {
    // One of the exchange's descriptors in the loop.
    struct Watch final : event::Handler {
        Connection* owner = nullptr;
        int which = 0;       // 0 output, 1 input, 2 errors
        int fd = -1;         // registered descriptor, -1: none
        std::uint32_t events = 0;
        void on_event(std::uint32_t) override { owner->on_exchange_event(which); }
    };

    // The record outlives its exchanges (a connection keeps it once made):
    // an event the loop already fetched for a watch that an earlier handler
    // in the same turn took out must still find a live handler.
    bool active = false;
    std::unique_ptr<Exchange> exchange;
    Watch watches[3];
    // Takes every descriptor out of the loop (before the exchange closes them).
    void unwatch(event::Loop& loop) {
        for (Watch& w : watches) {
            if (w.fd >= 0) {
                loop.remove(w.fd);
                w.fd = -1;
            }
        }
    }
    std::shared_ptr<const request::FileEntry> file;

    // The request body: decoded bytes ready to hand over sit at body_pos in
    // the input buffer (`ready` of them); raw bytes still to decode follow.
    enum class BodyMode : std::uint8_t { None, Length, Chunked };
    BodyMode mode = BodyMode::None;
    std::size_t start = 0;        // the request's head
    std::size_t body_pos = 0;     // the head's end: the body region
    std::size_t ready = 0;
    std::uint64_t body_left = 0;  // Length: bytes not yet handed over
    bool body_done = false;       // every body byte is in the buffer (decoded)
    bool body_fed = false;        // the exchange has them all, or wants no more
    bool body_broken = false;     // the client's body was cut or malformed

    // The response.
    bool head_done = false;
    bool chunked = false;   // chunk framing of a body of unknown length
    bool discard = false;   // HEAD, 204, 304: the body is read and dropped
    bool raw = false;       // the exchange writes the head itself (nph)
    bool waiting_output = false;  // next_output() asked to wait for its descriptor
    bool body_started = false;    // body bytes were queued: what is queued may be the exchange's
    std::uint64_t declared = 0;   // Content-Length sent, when !chunked
    char chunk_line[http::kMaxChunkHeader] = {};

    // Ready for the next exchange; the watches keep their addresses.
    void reset(Connection* owner) {
        ExchangeState fresh;
        *this = std::move(fresh);
        for (int i = 0; i < 3; ++i) {
            watches[i].owner = owner;
            watches[i].which = i;
        }
    }
};

}  // namespace sonora::net
