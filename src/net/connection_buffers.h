#pragma once
// What a connection needs only while it is exchanging requests: the input
// buffer, the parser, the request arena and the queued output. The worker
// keeps a pool of these; a connection takes one when it has bytes to read
// and gives it back when it goes idle (keep-alive with nothing buffered,
// lingering close), so an idle connection costs only its small Connection
// record, as the seeds ask of keep-alive (S15) and the event MPM (S16).

#include "http/chunked_decoder.h"
#include "http/limits.h"
#include "http/request_parser.h"
#include "request/file_cache.h"
#include "request/request.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <vector>

namespace sonora::net {

struct WorkerSettings;

// A queued piece of output: memory bytes, or a range of a file.
struct Segment {
    const char* data = nullptr;  // memory bytes, or null for a file range
    std::size_t length = 0;
    int fd = -1;
    std::uint64_t offset = 0;
    bool sendfile = true;  // false: EnableSendfile Off, copy through a buffer
};

struct ConnectionBuffers {
    explicit ConnectionBuffers(const WorkerSettings& ws);
    ConnectionBuffers(const ConnectionBuffers&) = delete;
    ConnectionBuffers& operator=(const ConnectionBuffers&) = delete;

    // Ready for the next connection (or the same one after an idle spell):
    // nothing buffered, nothing queued, the arena empty, a buffer that grew
    // for a large request head shrunk back.
    void reset();

    // First, so that it outlives every member that allocates from it.
    alignas(std::max_align_t) std::array<std::byte, 16384> arena_buffer;
    std::pmr::monotonic_buffer_resource arena;

    std::vector<char> in;  // the input; Connection::in_len_ says how much is filled
    http::Limits limits;
    std::vector<http::HeaderSlot> slots;
    std::optional<http::RequestParser> parser;
    http::ChunkedDecoder chunked{limits};
    std::vector<request::Header> header_storage;

    std::vector<Segment> out;
    std::size_t out_pos = 0;  // first unsent segment
    std::vector<std::shared_ptr<const request::FileEntry>> holds;  // files the queued bodies use

    // HostnameLookups: a request parked while the resolver works.
    std::optional<request::Request> pending;
    std::shared_ptr<const request::FileEntry> pending_file;

    request::ConnectionInfo info;  // what requests see of the connection
    std::vector<char> copy_buffer;  // for EnableSendfile Off
};

}  // namespace sonora::net
