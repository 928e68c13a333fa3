// mod_filter's smart filter: its insert_filter hook puts the chain's names on
// the request, and a spec claiming those names runs, once the head is known,
// the first provider whose condition holds, after fixing up the head for
// what that provider does (httpd's filter_lookup).

#include "modules/filters/mod_filter.h"

#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

#include <algorithm>

namespace sonora::modules::filters {

namespace {

const FilterDirConfig* dir_config(const request::Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<FilterDirConfig>(filter_module.index) : nullptr;
}

int filter_insert(request::Request& r, Services&) {
    const FilterDirConfig* conf = dir_config(r);
    if (conf == nullptr || conf->chain.empty()) {
        return kOk;
    }
    for (std::string_view name : filter_chain(*conf)) {
        r.output_filters.push_back(name);
    }
    return kOk;
}

bool matches(const SmartProvider& p, request::Request& r) {
    if (p.expr) {
        expr::RequestContext ctx(r);
        return expr::evaluate(*p.expr, ctx);
    }
    // A type matches the Content-Type up to its parameters, as httpd compares them.
    const std::string_view type = std::string_view(r.content_type).substr(0, r.content_type.find_first_of("; \t"));
    for (const std::string& t : p.types) {
        if (!type.empty() && t == type) {
            return true;
        }
    }
    return false;
}

// What httpd's mod_filter does to the head for a provider's protocol flags.
void fix_up_head(request::Request& r, unsigned flags) {
    if (flags & kProtoChange) {
        r.remove_header("Content-MD5");
        r.remove_header("ETag");
        if (flags & kProtoChangeLength) {
            r.body.length_declared = false;
        }
    }
    if (flags & kProtoNoCache) {
        r.remove_header("Last-Modified");
        r.add_header("Cache-Control", "no-cache");
    }
    if (flags & kProtoNoByterange) {
        // Set in place, as apr_table_setn keeps the field's position.
        auto it = std::find_if(r.headers_out.begin(), r.headers_out.end(),
                               [](const request::Header& h) { return equals_nocase(h.name, "Accept-Ranges"); });
        if (it != r.headers_out.end()) {
            it->value = "none";
            std::erase_if(r.headers_out, [&](const request::Header& h) {
                return &h != &*it && equals_nocase(h.name, "Accept-Ranges");
            });
        } else {
            r.add_header("Accept-Ranges", "none");
        }
    }
}

// FilterTrace 1 (httpd's filter_trace): what reaches the provider, logged
// at debug each time it comes: the filter's name, then each piece's kind
// and length (memory as HEAP, the end as EOS). Higher levels log nothing
// more, as in httpd.
class TracedFilter final : public OutputFilter {
public:
    TracedFilter(std::unique_ptr<OutputFilter> inner, std::string_view name) : inner_(std::move(inner)), name_(name) {}

    Exchange::Output pull(BodySource& upstream, request::Request& r, Services& services, std::int64_t now_ms) override {
        Tap tap(upstream, name_);
        return inner_->pull(tap, r, services, now_ms);
    }
    Exchange::Watch watch() const override { return inner_->watch(); }
    std::int64_t deadline_ms() const override { return inner_->deadline_ms(); }
    void on_ready(request::Request& r, Services& services, std::int64_t now_ms) override {
        inner_->on_ready(r, services, now_ms);
    }

private:
    class Tap final : public BodySource {
    public:
        Tap(BodySource& upstream, std::string_view name) : upstream_(upstream), name_(name) {}
        Exchange::Output pull(request::Request& r, std::int64_t now_ms) override {
            const Exchange::Output o = upstream_.pull(r, now_ms);
            if (o.bytes.empty() && !o.end) {
                return o;
            }
            const std::string name(name_);
            core::log_request_error(r, LogLevel::Debug, "filter", "SN01375", name);
            if (!o.bytes.empty()) {
                core::log_request_error(r, LogLevel::Debug, "filter", "SN01376",
                                        name + ": type: HEAP, length: " + std::to_string(o.bytes.size()));
            }
            if (o.end) {
                core::log_request_error(r, LogLevel::Debug, "filter", "SN01376", name + ": type: EOS, length: 0");
            }
            return o;
        }

    private:
        BodySource& upstream_;
        std::string_view name_;
    };

    std::unique_ptr<OutputFilter> inner_;
    std::string_view name_;
};

bool claims(const request::Request& r, std::string_view name) {
    const FilterDirConfig* conf = dir_config(r);
    return conf != nullptr && conf->find(name) != nullptr;
}

FilterType type_of(const request::Request& r, std::string_view name) { return dir_config(r)->find(name)->type; }

std::unique_ptr<OutputFilter> make_smart(request::Request& r, Services& services, std::string_view name) {
    const SmartFilter* f = dir_config(r)->find(name);
    for (const SmartProvider& p : f->providers) {
        if (!matches(p, r)) {
            continue;
        }
        const OutputFilterSpec* spec = services.find_output_filter(p.provider);
        if (spec == nullptr || spec->make == nullptr) {
            return nullptr;
        }
        fix_up_head(r, p.protocol.value_or(spec->protocol));
        auto made = spec->make(r, services);
        if (made && f->trace >= 1) {
            return std::make_unique<TracedFilter>(std::move(made), f->name);
        }
        return made;
    }
    return nullptr;
}

// httpd's filter_init: every provider's init, before the handler.
void init_smart(request::Request& r, Services& services, std::string_view name) {
    for (const SmartProvider& p : dir_config(r)->find(name)->providers) {
        const OutputFilterSpec* spec = services.find_output_filter(p.provider);
        if (spec != nullptr && spec->init != nullptr) {
            spec->init(r);
        }
    }
}

const OutputFilterSpec kSmartFilter{.name = "",
                                    .type = FilterType::Resource,
                                    .make = nullptr,
                                    .init = nullptr,
                                    .protocol = 0,
                                    .claims = claims,
                                    .make_named = make_smart,
                                    .type_of = type_of,
                                    .init_named = init_smart};

}  // namespace

void filter_register_hooks(HookRegistry& hooks) {
    hooks.add_output_filter(kSmartFilter);
    hooks.add(Phase::InsertFilter, filter_insert, HookOrder::Middle);
}

}  // namespace sonora::modules::filters
