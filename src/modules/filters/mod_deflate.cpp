// httpd's mod_deflate: directives and configuration (see mod_deflate.h); the
// filters are deflate_filters.cpp.

#include "modules/filters/mod_deflate.h"

#include "core/strings.h"

#include <sonora/hooks.h>

#include <cerrno>
#include <cstdlib>

namespace sonora::modules::filters {

void register_deflate_filters(HookRegistry& hooks);

namespace {

using Args = std::span<const std::string>;

// The scope's config, marked as its own from now on (see mod_deflate.h).
DeflateServerConfig& server_conf(Cmd& cmd) {
    auto& c = cmd.conf<DeflateServerConfig>();
    c.used = true;
    return c;
}

DeflateDirConfig& dir_conf(Cmd& cmd) {
    auto& c = cmd.conf<DeflateDirConfig>();
    c.used = true;
    return c;
}


CmdResult set_note(Cmd& cmd, Args args) {
    std::string* slot = server_conf(cmd).notes.slot(args);
    if (slot == nullptr) {
        return "Unknown note type " + args[0];
    }
    *slot = args.back();
    return std::nullopt;
}

CmdResult set_window(Cmd& cmd, Args args) {
    const int i = compress::atoi_clamped(args[0]);
    if (i < 1 || i > 15) {
        return std::string("DeflateWindowSize must be between 1 and 15");
    }
    server_conf(cmd).gzip.window_bits = i;
    return std::nullopt;
}

CmdResult set_buffer_size(Cmd& cmd, Args args) {
    const int n = compress::atoi_clamped(args[0]);
    if (n <= 0) {
        return std::string("DeflateBufferSize should be positive");
    }
    server_conf(cmd).buffer_size = static_cast<std::size_t>(n);
    return std::nullopt;
}

CmdResult set_mem_level(Cmd& cmd, Args args) {
    const int i = compress::atoi_clamped(args[0]);
    if (i < 1 || i > 9) {
        return std::string("DeflateMemLevel must be between 1 and 9");
    }
    server_conf(cmd).gzip.mem_level = i;
    return std::nullopt;
}

CmdResult set_level(Cmd& cmd, Args args) {
    const int i = compress::atoi_clamped(args[0]);
    if (i < 1 || i > 9) {
        return std::string("Compression Level must be between 1 and 9");
    }
    server_conf(cmd).gzip.level = i;
    return std::nullopt;
}

CmdResult set_etag(Cmd& cmd, Args args) {
    auto mode = compress::etag_mode_named(args[0]);
    if (!mode) {
        return std::string("DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'");
    }
    server_conf(cmd).etag = *mode;
    return std::nullopt;
}

// apr_strtoff in base 10: strtoll's reading; out of range is "not parsable",
// anything left over or a negative value is refused separately.
CmdResult set_inflate_limit(Cmd& cmd, Args args) {
    const std::string& arg = args[0];
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(arg.c_str(), &end, 10);
    if (errno == ERANGE) {
        return std::string("DeflateInflateLimitRequestBody is not parsable.");
    }
    if (*end != '\0' || v < 0) {
        return std::string("DeflateInflateLimitRequestBody requires a non-negative integer.");
    }
    dir_conf(cmd).inflate_limit = static_cast<std::uint64_t>(v);
    return std::nullopt;
}

CmdResult set_ratio_limit(Cmd& cmd, Args args) {
    const int i = compress::atoi_clamped(args[0]);
    if (i <= 0) {
        return std::string("DeflateInflateRatioLimit must be positive");
    }
    dir_conf(cmd).ratio_limit = i;
    return std::nullopt;
}

CmdResult set_ratio_burst(Cmd& cmd, Args args) {
    const int i = compress::atoi_clamped(args[0]);
    if (i <= 0) {
        return std::string("DeflateInflateRatioBurst must be positive");
    }
    dir_conf(cmd).ratio_burst = i;
    return std::nullopt;
}

constexpr auto kServer = ConfLevel::Server;
constexpr auto kDir = ConfLevel::Dir;

const DirectiveSpec kDirectives[] = {
    {"DeflateFilterNote", ArgForm::Take12, kRsrcConf, 0, kServer, set_note,
     "Set a note to report on compression ratio"},
    {"DeflateWindowSize", ArgForm::Take1, kRsrcConf, 0, kServer, set_window, "Set the Deflate window size (1-15)"},
    {"DeflateBufferSize", ArgForm::Take1, kRsrcConf, 0, kServer, set_buffer_size, "Set the Deflate Buffer Size"},
    {"DeflateMemLevel", ArgForm::Take1, kRsrcConf, 0, kServer, set_mem_level, "Set the Deflate Memory Level (1-9)"},
    {"DeflateCompressionLevel", ArgForm::Take1, kRsrcConf, 0, kServer, set_level,
     "Set the Deflate Compression Level (1-9)"},
    {"DeflateInflateLimitRequestBody", ArgForm::Take1, kOrAll, 0, kDir, set_inflate_limit,
     "Set a limit on size of inflated input"},
    {"DeflateInflateRatioLimit", ArgForm::Take1, kOrAll, 0, kDir, set_ratio_limit,
     "Set the inflate ratio limit above which inflation is aborted (default: 200)"},
    {"DeflateInflateRatioBurst", ArgForm::Take1, kOrAll, 0, kDir, set_ratio_burst,
     "Set the maximum number of following inflate ratios above limit (default: 3)"},
    {"DeflateAlterEtag", ArgForm::Take1, kRsrcConf, 0, kServer, set_etag,
     "Set how mod_deflate should modify ETAG response headers: 'AddSuffix' (default), 'NoChange' (2.2.x "
     "behavior), 'Remove'"},
};

}  // namespace

std::uint64_t DeflateServerConfig::cache_settings() const {
    // coding 1 (gzip) | level | window | memlevel | buffer size (it decides
    // the flush point the entry records)
    return (1ull << 60) | (static_cast<std::uint64_t>(gzip.level + 1) << 52) |
           (static_cast<std::uint64_t>(gzip.window_bits) << 44) | (static_cast<std::uint64_t>(gzip.mem_level) << 36) |
           (static_cast<std::uint64_t>(buffer_size) & ((1ull << 36) - 1));
}

compress::InflateLimits inflate_limits(const request::Request& r, std::uint64_t fallback_limit) {
    compress::InflateLimits limits;
    const auto* s = r.server != nullptr ? r.server->module_config.get<DeflateServerConfig>(deflate_module.index)
                                        : nullptr;
    const auto* d = r.dir_config != nullptr ? r.dir_config->get<DeflateDirConfig>(deflate_module.index) : nullptr;
    const DeflateDirConfig defaults;
    const DeflateDirConfig& dir = d != nullptr ? *d : defaults;
    limits.limit = dir.inflate_limit != 0 ? dir.inflate_limit : fallback_limit;
    limits.ratio_limit = dir.ratio_limit;
    limits.ratio_burst = dir.ratio_burst;
    limits.check_every = s != nullptr ? s->buffer_size : 8096;
    return limits;
}

Module deflate_module{
    .name = "deflate_module",
    .source = "mod_deflate.c",
    .directives = kDirectives,
    .dir_config = config_ops<DeflateDirConfig>(),
    .server_config = config_ops<DeflateServerConfig>(),
    .register_hooks = register_deflate_filters,
};

}  // namespace sonora::modules::filters
