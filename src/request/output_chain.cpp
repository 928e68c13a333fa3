// The exchange a filtered response's body comes from: it pulls the last
// filter's output, each filter pulling from the one before, down to the
// handler's body or its script. Before the head goes out it pulls ahead
// until the output ends (the response then gets a Content-Length, as httpd's
// content-length filter gives one to output that arrives whole) or a filter
// passes bytes on early (flush), or enough is held; then it streams.

#include "request/output_chain.h"

#include "core/strings.h"
#include "modules/core/request_log.h"
#include "request/body_reader.h"
#include "request/hook_services.h"
#include "request/http_metadata.h"

#include <algorithm>
#include <optional>

namespace sonora::request {

namespace {

// Output held back while deciding on Content-Length; past it the response
// is streamed (chunked), so a large filtered body is never held whole.
constexpr std::size_t kHoldLimit = 65536;
// Pieces are gathered up to this before they are handed to the connection.
constexpr std::size_t kBatch = 16384;

class ChainExchange final : public Exchange {
public:
    // A script's exchange: the filters are made when its head is known.
    ChainExchange(Context& ctx, std::unique_ptr<Exchange> source) : ctx_(ctx), source_(std::move(source)) {}
    // A finished body with its filters made.
    ChainExchange(Context& ctx, const Body& body, std::vector<std::unique_ptr<OutputFilter>> filters)
        : ctx_(ctx), reader_(std::in_place, body), phase_(Stage::Hold) {
        set_filters(std::move(filters));
    }

    Watch watch() const override {
        Watch w = source_ ? source_->watch() : Watch{};
        if (phase_ == Stage::SourceHead || phase_ == Stage::Through) {
            return w;
        }
        for (auto it = filters_.rbegin(); it != filters_.rend(); ++it) {
            const Watch fw = (*it)->watch();
            if (fw.output >= 0) {
                w.output = fw.output;  // the filter waits on its own: the source is not what blocks
                break;
            }
            w.input = w.input >= 0 ? w.input : fw.input;
            w.errors = w.errors >= 0 ? w.errors : fw.errors;
        }
        return w;
    }

    std::int64_t deadline_ms() const override {
        std::int64_t d = source_ ? source_->deadline_ms() : 0;
        for (const auto& f : filters_) {
            const std::int64_t fd = f->deadline_ms();
            if (fd > 0 && (d == 0 || fd < d)) {
                d = fd;
            }
        }
        return d;
    }

    std::size_t feed_body(Request& r, std::string_view bytes, bool last) override {
        return source_ ? source_->feed_body(r, bytes, last) : bytes.size();  // a file's handler reads no body
    }

    int on_ready(Request& r, Services& services, std::int64_t now_ms) override {
        services_ = &services;
        if (phase_ == Stage::SourceHead) {
            const int status = source_->on_ready(r, services, now_ms);
            if (status != kOk) {
                return status;
            }
            if (source_->raw_output()) {
                phase_ = Stage::Through;  // nph: the script's bytes are the response
                return kOk;
            }
            set_filters(make_output_filters(r, ctx_, services));
            if (filters_.empty()) {
                phase_ = Stage::Through;
                return kOk;
            }
            r.body.kind = Body::Kind::Stream;
            r.body.length_declared = false;
            phase_ = Stage::Hold;
        } else if (source_) {
            source_->on_ready(r, services, now_ms);  // its error output, its deadline
        }
        if (phase_ == Stage::Through) {
            return kDeclined;
        }
        for (auto& f : filters_) {
            f->on_ready(r, services, now_ms);
        }
        if (phase_ == Stage::Hold) {
            return hold(r, now_ms);
        }
        return kDeclined;
    }

    Output next_output(Request& r, std::int64_t now_ms) override {
        if (phase_ == Stage::Through) {
            return source_->next_output(r, now_ms);
        }
        if (!held_.empty() || held_end_) {
            if (held_given_) {
                held_.clear();
                held_given_ = false;
                if (held_end_) {
                    return Output{{}, true, held_failed_};
                }
            } else if (!held_.empty()) {
                held_given_ = true;
                return Output{held_, held_end_, held_end_ && held_failed_};
            } else {
                return Output{{}, true, held_failed_};
            }
        }
        if (batch_end_) {
            return Output{{}, true, batch_failed_};
        }
        // Filters give small pieces (SSI: text, an echo, an include); they
        // go out together, so that a page is one write, not one per piece.
        HookServices services(ctx_);
        services_ = &services;
        batch_.clear();
        for (;;) {
            const Output o = pull(filters_.size(), r, now_ms);
            if (!o.bytes.empty()) {
                if (batch_.empty() && o.bytes.size() >= kBatch) {
                    batch_end_ = o.end;
                    batch_failed_ = o.failed;
                    return o;  // large enough alone: no copy
                }
                batch_.append(o.bytes);
                if (batch_.size() >= kBatch && !o.end) {
                    break;
                }
                if (!o.end) {
                    continue;
                }
            }
            if (o.end) {
                batch_end_ = true;  // a filter is not pulled after its end
                batch_failed_ = o.failed;
                if (batch_.empty()) {
                    return o;
                }
            }
            break;  // the chain waits (or ended): send what there is
        }
        return Output{batch_, batch_end_, batch_failed_};
    }

    void close_finished() override {
        if (source_) {
            source_->close_finished();
        }
    }

    bool raw_output() const override { return phase_ == Stage::Through && source_ && source_->raw_output(); }

private:
    enum class Stage : std::uint8_t { SourceHead, Hold, Streaming, Through };

    // What filter `index` pulls from: the filter before it, or the source.
    struct Upstream final : BodySource {
        ChainExchange* owner = nullptr;
        std::size_t index = 0;
        Output pull(Request& r, std::int64_t now_ms) override { return owner->pull(index, r, now_ms); }
    };

    void set_filters(std::vector<std::unique_ptr<OutputFilter>> filters) {
        filters_ = std::move(filters);
        upstreams_.resize(filters_.size());
        for (std::size_t i = 0; i < upstreams_.size(); ++i) {
            upstreams_[i].owner = this;
            upstreams_[i].index = i;
        }
    }

    // The output of stage `index`: 0 is the source, i the i-th filter.
    Output pull(std::size_t index, Request& r, std::int64_t now_ms) {
        if (index == 0) {
            if (source_) {
                Output o = source_->next_output(r, now_ms);
                o.flush = false;  // a filter reads a script to its end before it passes anything on
                return o;
            }
            return reader_->pull(r, now_ms);
        }
        return filters_[index - 1]->pull(upstreams_[index - 1], r, *services_, now_ms);
    }

    // Before the head: pulls ahead until the length is known or cannot be
    // (a filter passed bytes on early), and while more comes at once, so
    // that a small page goes out with its head in one write.
    int hold(Request& r, std::int64_t now_ms) {
        for (;;) {
            const Output o = pull(filters_.size(), r, now_ms);
            if (!o.bytes.empty()) {
                held_.append(o.bytes);
                held_flushed_ = held_flushed_ || o.flush;
                if (held_.size() >= kHoldLimit && !o.end) {
                    phase_ = Stage::Streaming;
                    return kOk;
                }
                if (!o.end) {
                    continue;
                }
            }
            if (o.end) {
                held_end_ = true;
                held_failed_ = o.failed;
                if (!o.failed && !held_flushed_) {
                    if (r.deferred_ranges.pending) {
                        r.deferred_ranges.pending = false;
                        const auto& core =
                            *r.dir_config->get<modules::core::CoreDirConfig>(modules::core::core_module.index);
                        if (const int status = apply_ranges_to_output(r, core, r.deferred_ranges.mtime_s, held_)) {
                            return status;
                        }
                    }
                    r.body.length = held_.size();
                    r.body.length_declared = true;
                }
                phase_ = Stage::Streaming;
                return kOk;
            }
            if (held_flushed_) {
                phase_ = Stage::Streaming;  // what was passed on goes out while the rest is made
                return kOk;
            }
            return kDeclined;
        }
    }

    Context& ctx_;
    std::unique_ptr<Exchange> source_;
    std::optional<BodyReader> reader_;
    std::vector<std::unique_ptr<OutputFilter>> filters_;
    std::vector<Upstream> upstreams_;
    Stage phase_ = Stage::SourceHead;
    Services* services_ = nullptr;  // the caller's, during a call
    std::string held_;
    bool held_flushed_ = false;  // a filter passed some of it on early: no Content-Length
    std::string batch_;  // small pieces gathered for one write
    bool batch_end_ = false;
    bool batch_failed_ = false;
    bool held_given_ = false;
    bool held_end_ = false;
    bool held_failed_ = false;
};

// A filter name resolved: the spec with that name, or one that claims it.
struct Named {
    const OutputFilterSpec* spec = nullptr;
    std::string_view name;
    FilterType type = FilterType::Resource;
    std::unique_ptr<OutputFilter> make(Request& r, Services& services) const {
        return spec->make_named != nullptr && spec->name != name ? spec->make_named(r, services, name)
                                                                 : spec->make(r, services);
    }
};

// The spec registered under `name` itself (not a claimed one).
const OutputFilterSpec* spec_named(const Pipeline& p, std::string_view name) {
    for (const OutputFilterSpec* spec : p.output_filters()) {
        if (!spec->name.empty() && equals_nocase(spec->name, name)) {
            return spec;
        }
    }
    return nullptr;
}

std::optional<Named> find_spec(const Pipeline& p, const Request& r, std::string_view name) {
    if (const OutputFilterSpec* spec = spec_named(p, name)) {
        return Named{spec, spec->name, spec->type};
    }
    for (const OutputFilterSpec* spec : p.output_filters()) {
        if (spec->claims != nullptr && spec->claims(r, name)) {
            return Named{spec, name, spec->type_of != nullptr ? spec->type_of(r, name) : spec->type};
        }
    }
    return std::nullopt;
}

}  // namespace

void insert_output_filters(Request& r, Context& ctx, Services& services) {
    if (ctx.pipeline == nullptr || (ctx.pipeline->output_filters().empty() && ctx.pipeline->input_filters().empty())) {
        return;  // no module provides a filter: the names would go nowhere
    }
    const Pipeline& p = *ctx.pipeline;
    for (HookFn fn : p.phase(Phase::InsertFilter)) {
        fn(r, services);
    }
    for (std::string_view name : r.output_filters) {
        const auto found = find_spec(p, r, name);
        if (!found) {
            continue;
        }
        if (found->spec->init_named != nullptr && found->spec->name != found->name) {
            found->spec->init_named(r, services, name);
        } else if (found->spec->init != nullptr) {
            found->spec->init(r);
        }
    }
}

std::vector<std::unique_ptr<OutputFilter>> make_output_filters(Request& r, Context& ctx, Services& services) {
    std::vector<std::unique_ptr<OutputFilter>> made;
    const Pipeline& p = *ctx.pipeline;
    if (r.output_filters.empty()) {
        return made;
    }
    std::vector<Named> specs;
    for (std::string_view name : r.output_filters) {
        if (auto found = find_spec(p, r, name)) {
            specs.push_back(*found);
        } else {
            modules::core::log_request_error(r, LogLevel::Error, "core", "SN00082",
                                             "an unknown filter was not added: " + std::string(name));
        }
    }
    std::stable_sort(specs.begin(), specs.end(), [](const Named& a, const Named& b) { return a.type < b.type; });
    for (const Named& named : specs) {
        if (auto f = named.make(r, services)) {
            made.push_back(std::move(f));
        }
    }
    return made;
}

const OutputFilterSpec* HookServices::find_output_filter(std::string_view name) const {
    return spec_named(*ctx_.pipeline, name);
}

// The default handler's Range, now that no filter changes the body.
int apply_deferred_ranges(Request& r) {
    if (!r.deferred_ranges.pending) {
        return 0;
    }
    r.deferred_ranges.pending = false;
    FileMeta meta;
    meta.etag = r.deferred_ranges.etag;
    meta.mtime_s = r.deferred_ranges.mtime_s;
    const auto& core = *r.dir_config->get<modules::core::CoreDirConfig>(modules::core::core_module.index);
    return apply_ranges(r, meta, core, r.deferred_ranges.size);
}

int attach_output_filters(Request& r, Context& ctx, Services& services) {
    if (ctx.pipeline == nullptr || ctx.pipeline->output_filters().empty()) {
        return 0;
    }
    if (r.exchange != nullptr) {
        r.exchange = new ChainExchange(ctx, std::unique_ptr<Exchange>(r.exchange));
        return 0;
    }
    // httpd sends these through ap_die's error path, which drops the
    // content filters.
    if (r.body.kind == Body::Kind::None || r.status == 304 || r.status == 412) {
        return 0;
    }
    auto filters = make_output_filters(r, ctx, services);
    if (filters.empty()) {
        return apply_deferred_ranges(r);
    }
    // The Range waits for the output: ranged if it comes whole (hold()).
    auto* x = new ChainExchange(ctx, r.body, std::move(filters));
    r.body.kind = Body::Kind::Stream;
    r.body.length_declared = false;
    r.body.pieces.clear();
    r.exchange = x;
    return 0;
}

}  // namespace sonora::request
