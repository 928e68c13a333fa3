#include "net/connection_buffers.h"

#include "net/worker.h"

namespace sonora::net {

namespace {

constexpr std::size_t kInitialInput = 8192;

}  // namespace

ConnectionBuffers::ConnectionBuffers(const WorkerSettings& ws) : arena(arena_buffer.data(), arena_buffer.size()) {
    in.resize(kInitialInput);
    limits.request_line = static_cast<std::uint32_t>(ws.limit_request_line);
    limits.field_size = static_cast<std::uint32_t>(ws.limit_request_fieldsize);
    limits.fields = static_cast<std::uint32_t>(ws.limit_request_fields);
    header_storage.resize(ws.limit_request_fields + 1);
    slots.resize(ws.limit_request_fields + 1);
    parser.emplace(limits, slots);
    chunked = http::ChunkedDecoder(limits);
}

void ConnectionBuffers::reset() {
    if (in.size() > 4 * kInitialInput) {
        in.resize(kInitialInput);
        in.shrink_to_fit();
    }
    parser->reset();
    chunked.reset();
    out.clear();
    out_pos = 0;
    holds.clear();
    pending.reset();
    pending_file.reset();
    info = request::ConnectionInfo{};
    arena.release();
}

}  // namespace sonora::net
