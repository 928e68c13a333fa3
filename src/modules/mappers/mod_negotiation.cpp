// httpd's mod_negotiation: LanguagePriority, ForceLanguagePriority,
// CacheNegotiatedDocs. The hooks are in mod_negotiation_hooks.cpp, the
// Accept-* parsing, selection, type maps and MultiViews candidates in the
// other mod_negotiation_*.cpp files.

#include "modules/mappers/mod_negotiation.h"

#include "core/strings.h"

namespace sonora::modules::mappers {

namespace {

using Args = std::span<const std::string>;

CmdResult add_language_priority(Cmd& cmd, Args a) {
    auto& list = cmd.conf<NegotiationDirConfig>().language_priority;
    if (!list) {
        list.emplace();
    }
    list->push_back(a[0]);
    return std::nullopt;
}

// None excludes Prefer and Fallback, whichever comes first in the context.
CmdResult set_force_priority(Cmd& cmd, Args a) {
    auto& c = cmd.conf<NegotiationDirConfig>();
    unsigned bits = c.force_language_priority.value_or(0);
    const std::string& w = a[0];
    if (equals_nocase(w, "None")) {
        if (bits & ~kForceLangNone) {
            return std::string("Cannot combine ForceLanguagePriority options with None");
        }
        bits = kForceLangNone;
    } else if (equals_nocase(w, "Prefer")) {
        if (bits & kForceLangNone) {
            return std::string("Cannot combine ForceLanguagePriority options None and Prefer");
        }
        bits |= kForceLangPrefer;
    } else if (equals_nocase(w, "Fallback")) {
        if (bits & kForceLangNone) {
            return std::string("Cannot combine ForceLanguagePriority options None and Fallback");
        }
        bits |= kForceLangFallback;
    } else {
        return "Invalid ForceLanguagePriority option " + w;
    }
    c.force_language_priority = bits;
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"CacheNegotiatedDocs", ArgForm::Flag, kRsrcConf, 0, ConfLevel::Server,
     set_flag<&NegotiationServerConfig::cache_negotiated_docs>,
     "whether proxies may cache negotiated responses (On or Off)"},
    {"LanguagePriority", ArgForm::Iterate, kOrFileInfo, 0, ConfLevel::Dir, add_language_priority,
     "language tags in order of preference, used to break negotiation ties"},
    {"ForceLanguagePriority", ArgForm::Iterate, kOrFileInfo, 0, ConfLevel::Dir, set_force_priority,
     "when LanguagePriority decides: None, or Prefer and/or Fallback"},
};

}  // namespace

NegotiationDirConfig NegotiationDirConfig::merge(const NegotiationDirConfig& base,
                                                 const NegotiationDirConfig& add) {
    NegotiationDirConfig c;
    c.language_priority = add.language_priority ? add.language_priority : base.language_priority;
    c.force_language_priority =
        add.force_language_priority ? add.force_language_priority : base.force_language_priority;
    return c;
}

NegotiationServerConfig NegotiationServerConfig::merge(const NegotiationServerConfig& base,
                                                       const NegotiationServerConfig& add) {
    NegotiationServerConfig c;
    c.cache_negotiated_docs =
        add.cache_negotiated_docs ? add.cache_negotiated_docs : base.cache_negotiated_docs;
    return c;
}

Module negotiation_module{
    .name = "negotiation_module",
    .source = "mod_negotiation.c",
    .directives = kDirectives,
    .dir_config = config_ops<NegotiationDirConfig>(),
    .server_config = config_ops<NegotiationServerConfig>(),
    .register_hooks = negotiation_register_hooks,
};

}  // namespace sonora::modules::mappers
