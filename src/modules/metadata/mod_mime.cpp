// httpd's mod_mime: TypesConfig, AddType, AddCharset, AddEncoding, AddLanguage,
// AddHandler, AddInputFilter, AddOutputFilter, the matching Remove*
// directives, DefaultLanguage, ModMimeUsePathInfo and MultiviewsMatch.
// Directives are parsed and stored here; assigning types to responses comes
// with the request pipeline.
//
// Extensions are matched case-insensitively and may be written with or without
// their leading dot. The mime.types file is read once the configuration is
// complete; a missing file does not fail -t (as in httpd) but is recorded in
// MimeServerConfig::types_error for the start path.

#include "modules/metadata/mod_mime.h"

#include "config/generation.h"
#include "config/line_reader.h"
#include "config/words.h"
#include "core/strings.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace sonora::modules::metadata {

namespace {

using Args = std::span<const std::string>;

// Lowercased, one leading dot dropped.
std::string extension_key(std::string_view ext) {
    std::string key = to_lower(ext);
    if (!key.empty() && key.front() == '.') {
        key.erase(0, 1);
    }
    return key;
}

// Iterate2: (value, extension) once per extension.
template <ExtensionField Field>
CmdResult add_extension(Cmd& cmd, Args a) {
    auto& c = cmd.conf<MimeDirConfig>();
    c.extensions[extension_key(a[1])].*Field = to_lower(a[0]);
    return std::nullopt;
}

// Iterate: once per extension.
template <ExtensionField Field>
CmdResult remove_extension(Cmd& cmd, Args a) {
    cmd.conf<MimeDirConfig>().removals.push_back({extension_key(a[0]), Field});
    return std::nullopt;
}

CmdResult set_types_config(Cmd& cmd, Args a) {
    cmd.conf<MimeServerConfig>().types_config = a[0];
    return std::nullopt;
}

// Words accumulate within one context; NegotiatedOnly and Any exclude the others.
CmdResult set_multiviews_match(Cmd& cmd, Args a) {
    auto& c = cmd.conf<MimeDirConfig>();
    unsigned bits = c.multiviews_match.value_or(0);
    const std::string& w = a[0];
    if (equals_nocase(w, "Any")) {
        if (bits & ~kMatchAny) {
            return std::string("Any is incompatible with NegotiatedOnly, Filters and Handlers");
        }
        bits |= kMatchAny;
    } else if (equals_nocase(w, "NegotiatedOnly")) {
        if (bits & ~kMatchNegotiatedOnly) {
            return std::string("NegotiatedOnly is incompatible with Any, Filters and Handlers");
        }
        bits |= kMatchNegotiatedOnly;
    } else if (equals_nocase(w, "Filters")) {
        if (bits & (kMatchNegotiatedOnly | kMatchAny)) {
            return std::string("Filters is incompatible with Any and NegotiatedOnly");
        }
        bits |= kMatchFilters;
    } else if (equals_nocase(w, "Handlers")) {
        if (bits & (kMatchNegotiatedOnly | kMatchAny)) {
            return std::string("Handlers is incompatible with Any and NegotiatedOnly");
        }
        bits |= kMatchHandlers;
    } else {
        return "Unrecognized option '" + w + "'";
    }
    c.multiviews_match = bits;
    return std::nullopt;
}

constexpr unsigned kFileInfo = kOrFileInfo;

const DirectiveSpec kDirectives[] = {
    {"AddCharset", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::charset>, "charset name, then the extensions that carry it"},
    {"AddEncoding", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::encoding>,
     "content coding (gzip, compress ...), then the extensions that carry it"},
    {"AddHandler", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::handler>, "handler name, then the extensions it serves"},
    {"AddInputFilter", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::input_filters>,
     "input filter names (separated by ';'), then the extensions they apply to"},
    {"AddLanguage", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::language>,
     "language tag (en, fr ...), then the extensions that carry it"},
    {"AddOutputFilter", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::output_filters>,
     "output filter names (separated by ';'), then the extensions they apply to"},
    {"AddType", ArgForm::Iterate2, kFileInfo, 0, ConfLevel::Dir,
     add_extension<&ExtensionInfo::type>, "media type, then the extensions that carry it"},
    {"DefaultLanguage", ArgForm::Take1, kFileInfo, 0, ConfLevel::Dir,
     set_string<&MimeDirConfig::default_language>,
     "language given to files whose extensions name none"},
    {"MultiviewsMatch", ArgForm::Iterate, kFileInfo, kNotInLocation, ConfLevel::Dir,
     set_multiviews_match,
     "which files MultiViews may pick: NegotiatedOnly, Handlers and/or Filters, or Any"},
    {"RemoveCharset", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::charset>, "extensions whose AddCharset mapping is dropped"},
    {"RemoveEncoding", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::encoding>, "extensions whose AddEncoding mapping is dropped"},
    {"RemoveHandler", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::handler>, "extensions whose AddHandler mapping is dropped"},
    {"RemoveInputFilter", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::input_filters>,
     "extensions whose AddInputFilter mapping is dropped"},
    {"RemoveLanguage", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::language>, "extensions whose AddLanguage mapping is dropped"},
    {"RemoveOutputFilter", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::output_filters>,
     "extensions whose AddOutputFilter mapping is dropped"},
    {"RemoveType", ArgForm::Iterate, kFileInfo, 0, ConfLevel::Dir,
     remove_extension<&ExtensionInfo::type>, "extensions whose AddType mapping is dropped"},
    {"TypesConfig", ArgForm::Take1, kRsrcConf, 0, ConfLevel::Server, set_types_config,
     "file listing media types and their extensions (mime.types)"},
    {"ModMimeUsePathInfo", ArgForm::Flag, kAccessConf, 0, ConfLevel::Dir,
     set_flag<&MimeDirConfig::use_path_info>,
     "whether extensions are also looked for in the path info"},
};

// Reads the main server's types file and hands the table to every server.
CmdResult mime_post_config(config::Generation& gen) {
    std::string error;
    std::shared_ptr<const MimeTypes> types;
    if (auto loaded = load_mime_types(types_config_path(gen), error)) {
        types = std::make_shared<const MimeTypes>(std::move(*loaded));
    }
    auto record = [&](Server& s) {
        auto* c = s.module_config.get_mutable<MimeServerConfig>(mime_module.index);
        if (c == nullptr) {
            return;
        }
        c->types = types;
        c->types_error = types ? std::nullopt : std::optional<std::string>(error);
    };
    record(gen.main);
    for (auto& vh : gen.vhosts) {
        record(*vh);
    }
    return std::nullopt;
}

}  // namespace

ExtensionInfo ExtensionInfo::overlay(const ExtensionInfo& base, const ExtensionInfo& add) {
    ExtensionInfo r;
    for (ExtensionField f :
         {&ExtensionInfo::type, &ExtensionInfo::charset, &ExtensionInfo::encoding,
          &ExtensionInfo::language, &ExtensionInfo::handler, &ExtensionInfo::input_filters,
          &ExtensionInfo::output_filters}) {
        r.*f = (add.*f) ? add.*f : base.*f;
    }
    return r;
}

const ExtensionInfo* MimeDirConfig::find(std::string_view extension) const {
    auto it = extensions.find(extension);
    return it == extensions.end() ? nullptr : &it->second;
}

MimeDirConfig MimeDirConfig::merge(const MimeDirConfig& base, const MimeDirConfig& add) {
    MimeDirConfig c;
    c.extensions = base.extensions;
    for (const auto& [ext, info] : add.extensions) {
        auto it = c.extensions.find(ext);
        if (it == c.extensions.end()) {
            c.extensions.emplace(ext, info);
        } else {
            it->second = ExtensionInfo::overlay(it->second, info);
        }
    }
    for (const Removal& r : add.removals) {
        if (auto it = c.extensions.find(r.extension); it != c.extensions.end()) {
            (it->second.*r.field).reset();
        }
    }
    c.default_language = add.default_language ? add.default_language : base.default_language;
    c.use_path_info = add.use_path_info ? add.use_path_info : base.use_path_info;
    c.multiviews_match = add.multiviews_match ? add.multiviews_match : base.multiviews_match;
    return c;
}

const std::string* MimeTypes::find(std::string_view extension) const {
    auto it = by_extension.find(std::string(extension));
    return it == by_extension.end() ? nullptr : &it->second;
}

MimeServerConfig MimeServerConfig::merge(const MimeServerConfig& base,
                                         const MimeServerConfig& add) {
    MimeServerConfig c;
    c.types_config = add.types_config ? add.types_config : base.types_config;
    c.types = add.types ? add.types : base.types;
    c.types_error = add.types_error ? add.types_error : base.types_error;
    return c;
}

MimeTypes parse_mime_types(std::string_view text) {
    MimeTypes t;
    config::LineReader reader{std::string(text)};
    std::string line;
    while (reader.next(line) == config::LineReader::Result::Line) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::string_view rest = line;
        std::string type = config::next_word(rest);
        while (!rest.empty()) {
            std::string ext = to_lower(config::next_word(rest));
            if (!ext.empty()) {
                t.by_extension[ext] = type;
            }
        }
    }
    return t;
}

std::optional<MimeTypes> load_mime_types(const std::string& path, std::string& error) {
    struct stat st {};
    std::ifstream in;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        in.open(path, std::ios::binary);
    }
    if (!in.is_open() || !in) {
        error = "could not open mime types config file " + path + ".";
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_mime_types(text.str());
}

std::string types_config_path(const config::Generation& gen) {
    const auto* c = gen.main.module_config.get<MimeServerConfig>(mime_module.index);
    std::string_view file =
        c != nullptr && c->types_config ? std::string_view(*c->types_config) : kDefaultTypesConfig;
    if (!file.empty() && file.front() == '/') {
        return std::string(file);
    }
    std::string root = gen.server_root;
    if (!root.empty() && root.back() != '/') {
        root += '/';
    }
    return root + std::string(file);
}

// A types file that could not be read fails the start (not -t), as in httpd.
CmdResult mime_open_logs(config::Generation& gen) {
    const auto* c = gen.main.module_config.get<MimeServerConfig>(mime_module.index);
    return c != nullptr ? c->types_error : std::nullopt;
}

Module mime_module{
    .name = "mime_module",
    .source = "mod_mime.c",
    .directives = kDirectives,
    .dir_config = config_ops<MimeDirConfig>(),
    .server_config = config_ops<MimeServerConfig>(),
    .is_static = true,
    .post_config = mime_post_config,
    .open_logs = mime_open_logs,
    .register_hooks = mime_register_hooks,
};

}  // namespace sonora::modules::metadata
