// httpd's mod_request: KeptBodySize, how much of a request body is kept
// (the KEEP_BODY input filter) for the subrequests that get it as theirs (an
// SSI include virtual of a POST runs the included script with that POST).
// A body larger than the size is refused with 413, as httpd refuses it.

#include "modules/core/request_log.h"

#include <sonora/directive.h>
#include <sonora/filter.h>
#include <sonora/hooks.h>
#include <sonora/module.h>

#include <charconv>
#include <optional>
#include <span>
#include <string>

namespace sonora::modules::filters {

extern Module request_module;

namespace {

struct RequestDirConfig {
    std::optional<long long> kept_body_size;

    static RequestDirConfig merge(const RequestDirConfig& base, const RequestDirConfig& add) {
        return RequestDirConfig{add.kept_body_size ? add.kept_body_size : base.kept_body_size};
    }
};

CmdResult set_kept_body_size(Cmd& cmd, std::span<const std::string> args) {
    long long size = 0;
    const std::string& a = args[0];
    const auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), size);
    if (ec != std::errc() || end != a.data() + a.size() || size < 0 || a.empty()) {
        return "KeptBodySize must be a valid size in bytes, or zero.";
    }
    cmd.conf<RequestDirConfig>().kept_body_size = size;
    return std::nullopt;
}

class KeepBodyFilter final : public InputFilter {
public:
    KeepBodyFilter(std::uint64_t limit, std::uint64_t declared) : limit_(limit), declared_(declared) {}

    int filter(request::Request& r, std::string_view in, bool last, std::string& out) override {
        if (declared_ > limit_) {
            refuse(r, declared_);  // a declared length over the size: refused before a byte is kept
            return 413;
        }
        if (kept_.size() + in.size() > limit_) {
            refuse(r, kept_.size() + in.size());
            return 413;
        }
        kept_.append(in);
        out.append(in);
        if (last) {
            r.kept_body = r.keep(kept_);
        }
        return 0;
    }

    void refuse(const request::Request& r, std::uint64_t length) const {
        core::log_request_error(r, LogLevel::Error, "request", "SN01412",
                                "Requested content-length of " + std::to_string(length) +
                                    " is larger than the configured limit of " + std::to_string(limit_));
    }

private:
    std::uint64_t limit_;
    std::uint64_t declared_;  // Content-Length, 0 when chunked
    std::string kept_;
};

std::uint64_t kept_body_size(const request::Request& r) {
    const auto* c = r.dir_config != nullptr ? r.dir_config->get<RequestDirConfig>(request_module.index) : nullptr;
    return c != nullptr && c->kept_body_size ? static_cast<std::uint64_t>(*c->kept_body_size) : 0;
}

// httpd's ap_request_insert_filter: the client's own request under
// KeptBodySize has a kept body (empty until its body has been read).
int insert_keep_body(request::Request& r, Services&) {
    if (r.main == nullptr && kept_body_size(r) > 0) {
        r.kept_body = std::string_view();
        r.input_filters.push_back("KEEP_BODY");
    }
    return kOk;
}

// A declared length over the size is refused before a byte is read.
std::unique_ptr<InputFilter> make_keep_body(request::Request& r, Services&) {
    const std::uint64_t limit = kept_body_size(r);
    if (limit == 0 || r.main != nullptr) {
        return nullptr;
    }
    std::uint64_t declared = 0;
    if (const auto length = r.header("Content-Length")) {
        std::from_chars(length->data(), length->data() + length->size(), declared);
    }
    return std::make_unique<KeepBodyFilter>(limit, declared);
}

constexpr InputFilterSpec kKeepBodySpec{"KEEP_BODY", FilterType::Resource, make_keep_body};

void request_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::InsertFilter, insert_keep_body);
    hooks.add_input_filter(kKeepBodySpec);
}

const DirectiveSpec kDirectives[] = {
    {"KeptBodySize", ArgForm::Take1, kAccessConf, 0, ConfLevel::Dir, set_kept_body_size,
     "Maximum size of request bodies kept aside for use by filters"},
};

}  // namespace

Module request_module{
    .name = "request_module",
    .source = "mod_request.c",
    .directives = kDirectives,
    .dir_config = config_ops<RequestDirConfig>(),
    .register_hooks = request_register_hooks,
};

}  // namespace sonora::modules::filters
