// httpd's mod_reqtimeout: the RequestReadTimeout directive and the limits it
// hands to the connection layer (see mod_reqtimeout.h).

#include "modules/filters/mod_reqtimeout.h"

#include "core/strings.h"

#include <sonora/server.h>

#include <charconv>

namespace sonora::modules::filters {

namespace {

using Args = std::span<const std::string>;

// httpd 2.4.39+'s defaults, in force whenever the module is loaded.
constexpr StageTimeout kDefaultHeader{20, 40, 500};
constexpr StageTimeout kDefaultBody{20, 0, 500};
constexpr StageTimeout kDefaultHandshake{0, 0, 0};

// A leading decimal number of `text`: its value and the rest, as strtol
// reads it; nullopt when `text` does not start with a digit.
std::optional<long> leading_number(std::string_view text, std::string_view& rest) {
    long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    rest = text.substr(static_cast<std::size_t>(end - text.data()));
    return v;
}

// A number that must fill `text` entirely.
std::optional<std::string> whole_number(std::string_view text, int& out) {
    std::string_view rest;
    auto v = leading_number(text, rest);
    if (!v) {
        return "Value '" + std::string(text) + "' not numerical";
    }
    if (!rest.empty()) {
        return "Cannot parse '" + std::string(rest) + "'";
    }
    out = static_cast<int>(*v);
    return std::nullopt;
}

std::optional<std::string> parse_stage(std::string_view value, StageTimeout& st) {
    st = StageTimeout{};
    std::string_view timeouts = value;
    std::string_view rate;
    if (auto comma = value.find(','); comma != std::string_view::npos) {
        timeouts = value.substr(0, comma);
        rate = value.substr(comma + 1);
        constexpr std::string_view kMinRate = "minrate=";
        if (rate.size() < kMinRate.size() || !equals_nocase(rate.substr(0, kMinRate.size()), kMinRate)) {
            return "Cannot parse '" + std::string(value.substr(comma)) + "'";
        }
        rate.remove_prefix(kMinRate.size());
    }
    std::string_view rest;
    auto initial = leading_number(timeouts, rest);
    if (!initial) {
        return "Value '" + std::string(timeouts) + "' not numerical";
    }
    st.timeout_s = static_cast<int>(*initial);
    bool ranged = false;
    if (!rest.empty()) {
        if (rest.front() != '-') {
            return "Cannot parse '" + std::string(rest) + "'";
        }
        ranged = true;
        if (auto err = whole_number(rest.substr(1), st.max_timeout_s)) {
            return err;
        }
    }
    if (!rate.empty() || value.find(',') != std::string_view::npos) {
        if (auto err = whole_number(rate, st.min_rate)) {
            return err;
        }
        if (st.min_rate <= 0) {
            return std::string("Minimum data rate must be larger than 0");
        }
    }
    if (ranged || st.timeout_s < 0) {
        if (st.min_rate == 0) {
            return std::string("Must set MinRate option if using timeout range");
        }
        if (st.max_timeout_s <= st.timeout_s) {
            return std::string("Maximum timeout must be larger than initial timeout");
        }
    }
    return std::nullopt;
}

CmdResult set_request_read_timeout(Cmd& cmd, Args args) {
    auto& c = cmd.conf<ReqTimeoutServerConfig>();
    for (const std::string& arg : args) {
        if (auto err = parse_read_timeout(arg, c)) {
            return err;
        }
    }
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"RequestReadTimeout", ArgForm::TakeArgv, kRsrcConf, 0, ConfLevel::Server, set_request_read_timeout,
     "Set various timeout parameters for TLS handshake and/or reading request headers and body"},
};

void read_timeouts(const Server& server, ReadTimeouts& out) {
    const auto* c = server.module_config.get<ReqTimeoutServerConfig>(reqtimeout_module.index);
    out.handshake = c != nullptr && c->handshake ? *c->handshake : kDefaultHandshake;
    out.header = c != nullptr && c->header ? *c->header : kDefaultHeader;
    out.body = c != nullptr && c->body ? *c->body : kDefaultBody;
}

}  // namespace

std::optional<std::string> parse_read_timeout(std::string_view arg, ReqTimeoutServerConfig& into) {
    const auto eq = arg.find('=');
    if (eq == std::string_view::npos) {
        return std::string("Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'");
    }
    const std::string_view key = arg.substr(0, eq);
    std::optional<StageTimeout>* stage = nullptr;
    if (equals_nocase(key, "header")) {
        stage = &into.header;
    } else if (equals_nocase(key, "body")) {
        stage = &into.body;
    } else if (equals_nocase(key, "handshake")) {
        stage = &into.handshake;
    } else {
        return "RequestReadTimeout: " + std::string(arg) + ": Unknown RequestReadTimeout parameter";
    }
    StageTimeout st;
    if (auto err = parse_stage(arg.substr(eq + 1), st)) {
        return "RequestReadTimeout: " + std::string(arg) + ": " + *err;
    }
    *stage = st;
    return std::nullopt;
}

ReqTimeoutServerConfig ReqTimeoutServerConfig::merge(const ReqTimeoutServerConfig& base,
                                                     const ReqTimeoutServerConfig& add) {
    ReqTimeoutServerConfig c;
    c.handshake = add.handshake ? add.handshake : base.handshake;
    c.header = add.header ? add.header : base.header;
    c.body = add.body ? add.body : base.body;
    return c;
}

Module reqtimeout_module{
    .name = "reqtimeout_module",
    .source = "mod_reqtimeout.c",
    .directives = kDirectives,
    .server_config = config_ops<ReqTimeoutServerConfig>(),
    .read_timeouts = read_timeouts,
};

}  // namespace sonora::modules::filters
