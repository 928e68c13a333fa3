#pragma once
// Output a codec filter has made but not passed on yet, and httpd's rule for
// when a filter with a fixed buffer passes it on: each time its buffer of
// `buffer_size` bytes fills (what is in the current, partly filled buffer
// stays). Shared by the compressing filters and INFLATE.

#include <sonora/exchange.h>

#include <cstdint>
#include <string>

namespace sonora::modules::filters::compress {

class PendingOutput {
public:
    std::string& bytes() { return pending_; }

    // The first `n` pending bytes as a filter's output (valid until the next
    // take), `flush` when they go before the end.
    Exchange::Output take(std::size_t n, bool flush) {
        sent_.assign(pending_, 0, n);
        pending_.erase(0, n);
        Exchange::Output out;
        out.bytes = sent_;
        out.flush = flush;
        return out;
    }
    // The stream is over: everything left goes out now, and the end on the
    // next pull (done()). The end never rides on bytes, so a puller that
    // reads bytes first and looks for the end on its next call sees both.
    Exchange::Output take_rest() {
        done_ = true;
        if (pending_.empty()) {
            return ended(false);
        }
        return take(pending_.size(), false);
    }
    bool done() const { return done_; }
    // How many pending bytes a `buffer_size` buffer would have passed on now
    // that the codec has written `total_out` bytes into it in all (0: none
    // since the last call). Pending bytes before the buffered stream (a
    // gzip header) go with the first full buffer, as httpd's do.
    std::size_t filled_buffers(std::uint64_t total_out, std::size_t buffer_size) {
        const std::uint64_t filled = total_out / buffer_size;
        if (filled <= buffers_passed_) {
            return 0;
        }
        buffers_passed_ = filled;
        return pending_.size() - static_cast<std::size_t>(total_out % buffer_size);
    }

    static Exchange::Output ended(bool failed) {
        Exchange::Output out;
        out.end = true;
        out.failed = failed;
        return out;
    }

private:
    std::string pending_;
    std::string sent_;
    std::uint64_t buffers_passed_ = 0;
    bool done_ = false;
};

}  // namespace sonora::modules::filters::compress
