// httpd's mod_request: KeptBodySize, how much of a request body is kept for
// filters that give it to subrequests (an SSI include virtual of a POST).
// Sonora's subrequests carry no body, so nothing is kept: the directive is
// checked as httpd checks it and its value is read by nothing yet (it widens
// nothing and narrows no access).

#include <sonora/directive.h>
#include <sonora/module.h>

#include <charconv>
#include <optional>
#include <span>
#include <string>

namespace sonora::modules::filters {

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
};

}  // namespace sonora::modules::filters
