// httpd's mod_brotli: directives, and the BROTLI_COMPRESS filter's decision
// on its first call (the stream itself is compress/compress_filter.h).

#include "modules/filters/mod_brotli.h"

#include "core/strings.h"
#include "modules/filters/compress/compress_filter.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>

#include <climits>

namespace sonora::modules::filters {

namespace {

using Args = std::span<const std::string>;
using request::Request;

int atoi_like(std::string_view s) {
    const long v = leading_number(s);
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : static_cast<int>(v);
}

// The scope's config, marked as its own from now on (see mod_brotli.h).
BrotliServerConfig& own_conf(Cmd& cmd) {
    auto& c = cmd.conf<BrotliServerConfig>();
    c.used = true;
    return c;
}

CmdResult set_note(Cmd& cmd, Args args) {
    auto& c = own_conf(cmd);
    if (args.size() == 1) {
        c.note_ratio = args[0];
        return std::nullopt;
    }
    if (equals_nocase(args[0], "ratio")) {
        c.note_ratio = args[1];
    } else if (equals_nocase(args[0], "input")) {
        c.note_input = args[1];
    } else if (equals_nocase(args[0], "output")) {
        c.note_output = args[1];
    } else {
        return "Unknown BrotliFilterNote type '" + args[0] + "'";
    }
    return std::nullopt;
}

template <int compress::BrotliSettings::*Field, int Min, int Max>
CmdResult set_bounded(Cmd& cmd, Args args) {
    const int v = atoi_like(args[0]);
    if (v < Min || v > Max) {
        return std::string(cmd.spec().name) + " must be between " + std::to_string(Min) + " and " +
               std::to_string(Max);
    }
    own_conf(cmd).settings.*Field = v;
    return std::nullopt;
}

CmdResult set_etag(Cmd& cmd, Args args) {
    auto& c = own_conf(cmd);
    if (equals_nocase(args[0], "AddSuffix")) {
        c.etag = compress::EtagMode::AddSuffix;
    } else if (equals_nocase(args[0], "NoChange")) {
        c.etag = compress::EtagMode::NoChange;
    } else if (equals_nocase(args[0], "Remove")) {
        c.etag = compress::EtagMode::Remove;
    } else {
        return std::string("BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'");
    }
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
    if (r.status == 204 || r.status == 206 || r.env_get("no-brotli") ||
        request::find_header(r.headers_out, "Content-Range") || !r.body.pieces.empty()) {
        return nullptr;
    }
    const std::string_view encoding = compress::current_encoding(r);
    if (!encoding.empty() && !compress::is_unencoded(encoding)) {
        return nullptr;
    }
    compress::merge_vary_accept_encoding(r);
    auto accepts = r.header("Accept-Encoding");
    if (!accepts || !compress::accepts_coding(*accepts, "br")) {
        return nullptr;
    }
    const BrotliServerConfig& c = server_config(r);
    compress::add_content_encoding(r, encoding, "br");
    compress::unset_header(r, "Content-Length");
    compress::unset_header(r, "Content-MD5");
    r.body.length_declared = false;
    compress::alter_etag(r, c.etag, "br", false);
    if (r.status == 304) {
        return nullptr;
    }
    const compress::NoteNames notes{c.note_input, c.note_output, c.note_ratio};
    auto key = compress::whole_file_key(r, c.cache_settings());
    if (key) {
        if (auto hit = compress::CompressedCache::local().find(*key)) {
            return compress::make_cached_filter(std::move(hit), notes);
        }
    }
    compress::CompressSetup setup;
    setup.encoder = std::make_unique<compress::BrotliEncoder>(c.settings);
    setup.buffer_size = 0;  // mod_brotli passes on what the encoder emits at once
    setup.notes = notes;
    if (key && compress::body_is_keyed_file(r, *key)) {
        setup.cache_key = key;
    }
    return compress::make_compress_filter(std::move(setup));
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
