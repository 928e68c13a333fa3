// The exchange between the client's body and what reads it: the connection
// feeds it the decoded body, it passes each slice through the input filters
// and hands the result on, holding the client back while the reader takes
// nothing. The body is taken in small slices so that what a filter makes of
// one (an inflated slice) stays small.

#include "request/input_chain.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"

#include <sonora/exchange.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <vector>

namespace sonora::request {

namespace {

// Body bytes given to the first filter at a time.
constexpr std::size_t kSlice = 4096;

class InputChainExchange final : public Exchange {
public:
    InputChainExchange(std::unique_ptr<Exchange> inner, std::vector<std::unique_ptr<InputFilter>> filters,
                       bool finished, std::int64_t timeout_ms)
        : inner_(std::move(inner)), filters_(std::move(filters)), hold_(finished), timeout_ms_(timeout_ms) {}

    Watch watch() const override { return inner_ ? inner_->watch() : Watch{}; }

    // While a finished response waits for the body, a client that stops
    // sending gets Timeout, as httpd's read in its default handler (a
    // script's own timeout covers the other case).
    std::int64_t deadline_ms() const override {
        const std::int64_t inner = inner_ ? inner_->deadline_ms() : 0;
        if (!waiting_for_body() || last_progress_ms_ == 0) {
            return inner;
        }
        const std::int64_t mine = last_progress_ms_ + timeout_ms_;
        return inner > 0 ? std::min(inner, mine) : mine;
    }

    std::size_t feed_body(Request& r, std::string_view bytes, bool last) override {
        if (ended_) {
            return bytes.size();  // after an error: the rest goes nowhere
        }
        give_pending(r);
        if (!pending_.empty()) {
            return 0;  // the reader has not taken the last slice yet
        }
        std::size_t taken = 0;
        while (!ended_ && (taken < bytes.size() || last)) {
            const std::string_view slice = bytes.substr(taken, kSlice);
            const bool slice_last = last && taken + slice.size() == bytes.size();
            taken += slice.size();
            fed_ += slice.size();
            if (!run_filters(r, slice, slice_last)) {
                break;
            }
            ended_ = slice_last;
            give_pending(r);
            if (!pending_.empty()) {
                break;
            }
        }
        return taken;
    }

    int on_ready(Request& r, Services& services, std::int64_t now_ms) override {
        give_pending(r);
        if (error_ != 0 && !head_known_) {
            return error_;
        }
        if (waiting_for_body()) {
            if (last_progress_ms_ == 0 || fed_ != fed_seen_) {
                fed_seen_ = fed_;
                last_progress_ms_ = now_ms;
            } else if (now_ms >= last_progress_ms_ + timeout_ms_) {
                fail(r, 408);
                return 408;
            }
            return kDeclined;
        }
        if (!inner_) {
            return kFinished;
        }
        const int status = inner_->on_ready(r, services, now_ms);
        head_known_ = head_known_ || status != kDeclined;
        return status;
    }

    Output next_output(Request& r, std::int64_t now_ms) override { return inner_->next_output(r, now_ms); }
    void close_finished() override {
        if (inner_) {
            inner_->close_finished();
        }
    }
    bool raw_output() const override { return inner_ && inner_->raw_output(); }

private:
    bool waiting_for_body() const { return hold_ && !(ended_ && pending_.empty()); }

    // The slice through every filter, its output added to pending_. False
    // when a filter ended the body with an error.
    bool run_filters(Request& r, std::string_view slice, bool last) {
        std::string_view in = slice;
        for (std::size_t i = 0; i < filters_.size(); ++i) {
            std::string& out = i + 1 == filters_.size() ? pending_ : scratch_[i % 2];
            if (&out != &pending_) {
                out.clear();
            }
            if (const int status = filters_[i]->filter(r, in, last, out); status != 0) {
                fail(r, status);
                return false;
            }
            in = out;
        }
        return true;
    }

    // httpd's handler stops reading at the error; a script already
    // answering gets the end of what it had.
    void fail(Request& r, int status) {
        error_ = status;
        ended_ = true;
        pending_.clear();
        if (inner_) {
            inner_->feed_body(r, {}, true);
        }
    }

    void give_pending(Request& r) {
        if (!inner_) {
            pending_.clear();
            return;
        }
        if (pending_.empty() && !(ended_ && !end_given_)) {
            return;
        }
        const std::size_t n = inner_->feed_body(r, pending_, ended_);
        pending_.erase(0, n);
        end_given_ = ended_ && pending_.empty();
    }

    std::unique_ptr<Exchange> inner_;
    std::vector<std::unique_ptr<InputFilter>> filters_;
    bool hold_;
    std::int64_t timeout_ms_;
    std::uint64_t fed_ = 0;           // body bytes taken from the connection
    std::uint64_t fed_seen_ = 0;      // ... when on_ready last looked
    std::int64_t last_progress_ms_ = 0;
    std::string pending_;  // filtered bytes the reader has not taken
    std::string scratch_[2];
    bool ended_ = false;      // the filters have seen the body's end
    bool end_given_ = false;  // ... and so has the reader
    bool head_known_ = false;
    int error_ = 0;
};

bool has_body(const Request& r) {
    if (r.header("Transfer-Encoding")) {
        return true;
    }
    const auto length = r.header("Content-Length");
    std::uint64_t n = 0;
    return length && std::from_chars(length->data(), length->data() + length->size(), n).ec == std::errc() && n > 0;
}

const InputFilterSpec* find_spec(const Pipeline& p, std::string_view name) {
    for (const InputFilterSpec* spec : p.input_filters()) {
        if (equals_nocase(spec->name, name)) {
            return spec;
        }
    }
    return nullptr;
}

}  // namespace

void attach_input_filters(Request& r, Context& ctx, Services& services, bool finished) {
    if (r.input_filters.empty() || r.main != nullptr || ctx.pipeline == nullptr || !has_body(r)) {
        return;
    }
    std::vector<const InputFilterSpec*> specs;
    for (std::string_view name : r.input_filters) {
        if (const InputFilterSpec* spec = find_spec(*ctx.pipeline, name)) {
            specs.push_back(spec);
        } else {
            modules::core::log_request_error(r, LogLevel::Error, "core", "SN00082",
                                             "an unknown filter was not added: " + std::string(name));
        }
    }
    // The filter nearest the network reads first.
    std::stable_sort(specs.begin(), specs.end(),
                     [](const InputFilterSpec* a, const InputFilterSpec* b) { return a->type > b->type; });
    std::vector<std::unique_ptr<InputFilter>> filters;
    for (const InputFilterSpec* spec : specs) {
        if (auto f = spec->make(r, services)) {
            filters.push_back(std::move(f));
        }
    }
    if (filters.empty()) {
        return;
    }
    const auto timeout = modules::core::server_config(*r.server).timeout_ms;
    r.exchange = new InputChainExchange(std::unique_ptr<Exchange>(r.exchange), std::move(filters), finished,
                                        timeout && *timeout > 0 ? *timeout : 60'000);
}

}  // namespace sonora::request
