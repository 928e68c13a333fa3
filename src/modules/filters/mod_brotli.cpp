// httpd's mod_brotli: directives, and the BROTLI_COMPRESS filter's decision
// on its first call (the stream itself is compress/compress_filter.h).

#include "modules/filters/mod_brotli.h"

#include "core/strings.h"
#include "modules/filters/compress/compress_filter.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>


namespace sonora::modules::filters {

namespace {

using Args = std::span<const std::string>;
using request::Request;


// The scope's config, marked as its own from now on (see mod_brotli.h).
BrotliServerConfig& own_conf(Cmd& cmd) {
    auto& c = cmd.conf<BrotliServerConfig>();
    c.used = true;
    return c;
}

CmdResult set_note(Cmd& cmd, Args args) {
    std::string* slot = own_conf(cmd).notes.slot(args);
    if (slot == nullptr) {
        return "Unknown BrotliFilterNote type '" + args[0] + "'";
    }
    *slot = args.back();
    return std::nullopt;
}

template <int compress::BrotliSettings::*Field, int Min, int Max>
CmdResult set_bounded(Cmd& cmd, Args args) {
    const int v = compress::atoi_clamped(args[0]);
    if (v < Min || v > Max) {
        return std::string(cmd.spec().name) + " must be between " + std::to_string(Min) + " and " +
               std::to_string(Max);
    }
    own_conf(cmd).settings.*Field = v;
    return std::nullopt;
}

CmdResult set_etag(Cmd& cmd, Args args) {
    auto mode = compress::etag_mode_named(args[0]);
    if (!mode) {
        return std::string("BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'");
    }
    own_conf(cmd).etag = *mode;
    return std::nullopt;
}

constexpr auto kServer = ConfLevel::Server;

const DirectiveSpec kDirectives[] = {
    {"BrotliFilterNote", ArgForm::Take12, kRsrcConf, 0, kServer, set_note,
     "Set a note to report on compression ratio"},
    {"BrotliCompressionQuality", ArgForm::Take1, kRsrcConf, 0, kServer,
     set_bounded<&compress::BrotliSettings::quality, 0, 11>,
     "Compression quality between 0 and 11 (higher quality means slower compression)"},
    {"BrotliCompressionWindow", ArgForm::Take1, kRsrcConf, 0, kServer, set_bounded<&compress::BrotliSettings::lgwin, 10, 24>,
     "Sliding window size between 10 and 24 (larger windows can improve compression, but require more memory)"},
    {"BrotliCompressionMaxInputBlock", ArgForm::Take1, kRsrcConf, 0, kServer,
     set_bounded<&compress::BrotliSettings::lgblock, 16, 24>,
     "Maximum input block size between 16 and 24 (larger block sizes require more memory)"},
    {"BrotliAlterETag", ArgForm::Take1, kRsrcConf, 0, kServer, set_etag,
     "Set how mod_brotli should modify ETag response headers: 'AddSuffix' (default), 'NoChange', 'Remove'"},
};

const BrotliServerConfig& server_config(const Request& r) {
    static const BrotliServerConfig kDefaults;
    const auto* c = r.server != nullptr ? r.server->module_config.get<BrotliServerConfig>(brotli_module.index)
                                        : nullptr;
    return c != nullptr ? *c : kDefaults;
}

std::unique_ptr<OutputFilter> make_brotli(Request& r, Services&) {
    if (compress::partial_or_empty_status(r) || r.env_get("no-brotli")) {
        return nullptr;
    }
    const auto encoding = compress::negotiate(r, "br", false);
    if (!encoding) {
        return nullptr;
    }
    const BrotliServerConfig& c = server_config(r);
    if (r.status != 304) {
        auto filter = compress::cached_filter(r, c.cache_settings(), c.notes.names());
        if (filter == nullptr) {
            // mod_brotli passes on what the encoder emits at once: no buffer.
            filter = compress::streaming_filter(r, std::make_unique<compress::BrotliEncoder>(c.settings), 0,
                                                c.notes.names(), c.cache_settings());
        }
        compress::mark_encoded(r, *encoding, "br", c.etag, false);
        return filter;
    }
    compress::mark_encoded(r, *encoding, "br", c.etag, false);
    return nullptr;
}

constexpr OutputFilterSpec kBrotliSpec{"BROTLI_COMPRESS", FilterType::ContentSet, make_brotli};

void register_hooks(HookRegistry& hooks) { hooks.add_output_filter(kBrotliSpec); }

}  // namespace

std::uint64_t BrotliServerConfig::cache_settings() const {
    const auto& s = settings;
    return (2ull << 60) | (static_cast<std::uint64_t>(s.quality) << 16) | (static_cast<std::uint64_t>(s.lgwin) << 8) |
           static_cast<std::uint64_t>(s.lgblock);
}

Module brotli_module{
    .name = "brotli_module",
    .source = "mod_brotli.c",
    .directives = kDirectives,
    .server_config = config_ops<BrotliServerConfig>(),
    .register_hooks = register_hooks,
};

}  // namespace sonora::modules::filters
