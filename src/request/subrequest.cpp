#include "request/subrequest.h"

#include "core/strings.h"
#include "request/body_reader.h"

#include <optional>
#include <string>

namespace sonora::request {

namespace {

class RunningSubrequest final : public Subrequest {
public:
    RunningSubrequest(Context& ctx, Request& r, std::string_view uri) : ctx_(ctx), sub_(r.arena) {
        init_subrequest(sub_, r, uri);
        if (r.kept_body) {
            carry_kept_body(r);
        }
        // httpd decodes and normalises a subrequest's path as the client's
        // ("../x" relative to an included document's directory).
        if (const int status = decode_uri(sub_); status != 0) {
            error_response(sub_, ctx_, status);
        } else {
            process_request(sub_, ctx_, file_);
        }
        settle();
    }

    int poll(std::int64_t now_ms) override {
        if (exchange_ == nullptr) {
            return status_;
        }
        feed_kept_body();
        const int status = exchange_ready(sub_, ctx_, *exchange_, now_ms);
        exchange_->close_finished();
        if (status_ != kDeclined || status == kDeclined) {
            return status_;
        }
        if (status == kOk) {
            resume_exchange(sub_, ctx_, status, file_);
            status_ = sub_.status;
            return status_;
        }
        // Redirected, or an error page: the phases go on without this script.
        exchange_.reset();
        resume_exchange(sub_, ctx_, status, file_);
        settle();
        return status_;
    }

    Exchange::Output next_output(std::int64_t now_ms) override {
        if (exchange_ != nullptr) {
            Exchange::Output o = exchange_->next_output(sub_, now_ms);
            exchange_->close_finished();
            return o;
        }
        if (!reader_) {
            return Exchange::Output{{}, true};
        }
        return reader_->pull(sub_, now_ms);
    }

    Exchange::Watch watch() const override {
        if (exchange_ == nullptr) {
            return {};
        }
        return exchange_->watch();
    }

    std::int64_t deadline_ms() const override { return exchange_ != nullptr ? exchange_->deadline_ms() : 0; }

    const Request& request() const override { return sub_; }

private:
    // After the phases ran: a script (or a filtered body) answers over time;
    // anything else is known now.
    void settle() {
        if (sub_.exchange != nullptr) {
            exchange_.reset(sub_.exchange);
            sub_.exchange = nullptr;
            feed_kept_body();
            exchange_->close_finished();
            status_ = kDeclined;
            return;
        }
        // A host name to look up is not waited for inside another response.
        status_ = sub_.awaiting_host_name ? 500 : sub_.status;
        if (sub_.body.kind == Body::Kind::Memory || sub_.body.kind == Body::Kind::File) {
            reader_.emplace(sub_.body);
        }
    }

    // mod_request's kept body (KeptBodySize) is the subrequest's body: httpd
    // keeps the body headers for it, with its length (KEPT_BODY's filter
    // init), and mod_include asks with the including request's method.
    void carry_kept_body(const Request& r) {
        sub_.kept_body = r.kept_body;
        sub_.method = r.method;
        sub_.method_name = r.method_name;
        auto* headers = static_cast<Header*>(r.arena->allocate(sizeof(Header) * (r.headers.size() + 1), alignof(Header)));
        std::size_t n = 0;
        for (const Header& h : r.headers) {
            if (!equals_nocase(h.name, "Content-Length") && !equals_nocase(h.name, "Transfer-Encoding")) {
                headers[n++] = h;
            }
        }
        headers[n++] = Header{"Content-Length", r.keep(std::to_string(r.kept_body->size()))};
        sub_.headers = std::span<const Header>(headers, n);
    }

    // A subrequest's script gets the kept body, or none; offered again as
    // its stdin takes it.
    void feed_kept_body() {
        const std::string_view body = sub_.kept_body.value_or(std::string_view());
        if (body_given_ > body.size()) {
            return;
        }
        body_given_ += exchange_->feed_body(sub_, body.substr(body_given_), true);
        if (body_given_ == body.size()) {
            body_given_ = body.size() + 1;  // the end is given
        }
    }

    Context& ctx_;
    Request sub_;
    std::size_t body_given_ = 0;
    std::shared_ptr<const FileEntry> file_;
    std::unique_ptr<Exchange> exchange_;
    std::optional<BodyReader> reader_;
    int status_ = kDeclined;
};

}  // namespace

std::unique_ptr<Subrequest> start_subrequest(Context& ctx, Request& r, std::string_view uri) {
    return std::make_unique<RunningSubrequest>(ctx, r, uri);
}

}  // namespace sonora::request
