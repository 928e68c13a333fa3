// httpd's mod_filter: the directives and their configuration. The smart
// filter that runs the providers is mod_filter_harness.cpp.

#include "modules/filters/mod_filter.h"

#include "config/engine.h"
#include "config/generation.h"
#include "core/strings.h"
#include "expr/parser.h"

#include <sonora/directive.h>
#include <sonora/hooks.h>

#include <algorithm>
#include <cstdlib>
#include <span>

namespace sonora::modules::filters {

namespace {

using Args = std::span<const std::string>;

// Whether an enabled module registers an output filter named `name`
// (httpd's ap_get_output_filter_handle at the directive).
const OutputFilterSpec* registered_filter(Cmd& cmd, std::string_view name) {
    HookRegistry registry;
    for (const auto& loaded : cmd.engine().generation().modules.loaded()) {
        if (loaded.module->register_hooks != nullptr) {
            loaded.module->register_hooks(registry);
        }
    }
    for (const OutputFilterSpec* spec : registry.output_filters()) {
        if (!spec->name.empty() && equals_nocase(spec->name, name)) {
            return spec;
        }
    }
    return nullptr;
}

SmartFilter& declare(FilterDirConfig& conf, std::string_view name) {
    if (SmartFilter* f = conf.find(name)) {
        return *f;
    }
    SmartFilter f;
    f.name = std::string(name);
    conf.filters.push_back(std::move(f));
    return conf.filters.back();
}

CmdResult filter_declare(Cmd& cmd, Args a) {
    SmartFilter& f = declare(cmd.conf<FilterDirConfig>(), a[0]);
    if (a.size() > 1) {
        static constexpr std::pair<std::string_view, FilterType> kTypes[] = {
            {"resource", FilterType::Resource},   {"content_set", FilterType::ContentSet},
            {"protocol", FilterType::Protocol},   {"transcode", FilterType::Transcode},
            {"connection", FilterType::Connection}, {"network", FilterType::Network}};
        for (const auto& [word, type] : kTypes) {
            if (equals_nocase(a[1], word)) {
                f.type = type;  // httpd ignores a word it does not know
            }
        }
    }
    return std::nullopt;
}

// httpd's add_filter: a provider for the smart filter `fname`, declared on
// first use with its provider's type.
CmdResult add_provider(Cmd& cmd, std::string_view fname, std::string_view pname, SmartProvider provider) {
    const OutputFilterSpec* spec = registered_filter(cmd, pname);
    if (spec == nullptr) {
        return "Unknown filter provider " + std::string(pname);
    }
    FilterDirConfig& conf = cmd.conf<FilterDirConfig>();
    const bool declared = conf.find(fname) != nullptr;
    SmartFilter& f = declare(conf, fname);
    if (!declared) {
        f.type = spec->type;
    }
    provider.provider = std::string(pname);
    f.providers.push_back(std::move(provider));
    return std::nullopt;
}

CmdResult filter_provider(Cmd& cmd, Args a) {
    auto parsed = expr::parse(a[2], expr::ParseMode::Condition);
    if (!parsed.ok()) {
        return "Error parsing FilterProvider expression:" + parsed.error().message;
    }
    SmartProvider p;
    p.expr = std::make_shared<const expr::Expr>(std::move(parsed).value());
    return add_provider(cmd, a[0], a[1], std::move(p));
}

CmdResult filter_chain_directive(Cmd& cmd, Args a) {
    std::string_view word = a[0];
    char op = '+';
    if (!word.empty() && (word[0] == '+' || word[0] == '@' || word[0] == '-' || word[0] == '=' || word[0] == '!')) {
        op = word[0];
        word.remove_prefix(1);
    }
    cmd.conf<FilterDirConfig>().chain.emplace_back(op, op == '!' ? std::string() : std::string(word));
    return std::nullopt;
}

unsigned protocol_flags(std::string_view proto) {
    unsigned flags = 0;
    while (!proto.empty()) {
        const std::size_t end = proto.find_first_of(";, \t");
        const std::string_view arg = proto.substr(0, end);
        if (equals_nocase(arg, "change=yes")) {
            flags |= kProtoChange | kProtoChangeLength;
        } else if (equals_nocase(arg, "change=no")) {
            flags &= ~(kProtoChange | kProtoChangeLength);
        } else if (equals_nocase(arg, "change=1:1")) {
            flags |= kProtoChange;
        } else if (equals_nocase(arg, "byteranges=no")) {
            flags |= kProtoNoByterange;
        } else if (equals_nocase(arg, "proxy=no")) {
            flags |= kProtoNoProxy;
        } else if (equals_nocase(arg, "proxy=transform")) {
            flags |= kProtoTransform;
        } else if (equals_nocase(arg, "cache=no")) {
            flags |= kProtoNoCache;
        }
        if (end == std::string_view::npos) {
            break;
        }
        proto.remove_prefix(end + 1);
    }
    return flags;
}

CmdResult filter_protocol(Cmd& cmd, Args a) {
    SmartFilter* f = cmd.conf<FilterDirConfig>().find(a[0]);
    if (f == nullptr) {
        return "FilterProtocol: No such filter";
    }
    const unsigned flags = protocol_flags(a.back());
    if (a.size() == 2) {
        f->protocol = flags;
        return std::nullopt;
    }
    for (SmartProvider& p : f->providers) {
        if (equals_nocase(p.provider, a[1])) {
            p.protocol = flags;
            return std::nullopt;
        }
    }
    return "FilterProtocol: No such provider for this filter";
}

CmdResult filter_trace(Cmd& cmd, Args a) {
    declare(cmd.conf<FilterDirConfig>(), a[0]).trace = std::atoi(a[1].c_str());
    return std::nullopt;
}

// AddOutputFilterByType NAME[;NAME...] TYPE: called once per type.
CmdResult add_filter_by_type(Cmd& cmd, Args a) {
    std::string_view names = a[0];
    while (!names.empty()) {
        const std::size_t semi = names.find(';');
        const std::string_view pname = names.substr(0, semi);
        if (!pname.empty()) {
            const std::string fname = "BYTYPE:" + std::string(pname);
            const bool seen = cmd.conf<FilterDirConfig>().find(fname) != nullptr;
            SmartProvider p;
            p.types.push_back(a[1]);
            if (auto err = add_provider(cmd, fname, pname, std::move(p))) {
                return err;
            }
            if (!seen) {
                cmd.conf<FilterDirConfig>().chain.emplace_back('+', fname);
            }
        }
        if (semi == std::string_view::npos) {
            break;
        }
        names.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"FilterDeclare", ArgForm::Take12, kOrOptions, 0, ConfLevel::Dir, filter_declare, "filter-name [filter-type]"},
    {"FilterProvider", ArgForm::Take3, kOrOptions, 0, ConfLevel::Dir, filter_provider,
     "filter-name provider-name match-expression"},
    {"FilterChain", ArgForm::Iterate, kOrOptions, 0, ConfLevel::Dir, filter_chain_directive,
     "list of filter names with optional [+-=!@]"},
    {"FilterTrace", ArgForm::Take2, kRsrcConf | kAccessConf, 0, ConfLevel::Dir, filter_trace,
     "filter-name debug-level"},
    {"AddOutputFilterByType", ArgForm::Iterate2, kOrFileInfo, 0, ConfLevel::Dir, add_filter_by_type,
     "output filter name followed by one or more content-types"},
    {"FilterProtocol", ArgForm::Take23, kOrOptions, 0, ConfLevel::Dir, filter_protocol,
     "filter-name [provider-name] protocol-args"},
};

}  // namespace

const SmartFilter* FilterDirConfig::find(std::string_view name) const {
    for (const SmartFilter& f : filters) {
        if (equals_nocase(f.name, name)) {
            return &f;
        }
    }
    return nullptr;
}

SmartFilter* FilterDirConfig::find(std::string_view name) {
    return const_cast<SmartFilter*>(static_cast<const FilterDirConfig*>(this)->find(name));
}

FilterDirConfig FilterDirConfig::merge(const FilterDirConfig& base, const FilterDirConfig& add) {
    FilterDirConfig out = base;
    for (const SmartFilter& f : add.filters) {
        if (SmartFilter* mine = out.find(f.name)) {
            *mine = f;
        } else {
            out.filters.push_back(f);
        }
    }
    out.chain.insert(out.chain.end(), add.chain.begin(), add.chain.end());
    return out;
}

std::vector<std::string_view> filter_chain(const FilterDirConfig& conf) {
    std::vector<std::string_view> names;
    for (const auto& step : conf.chain) {
        const char op = step.first;
        const std::string& name = step.second;
        auto present = std::find_if(names.begin(), names.end(), [&](std::string_view n) { return equals_nocase(n, name); });
        switch (op) {
            case '!':
                names.clear();
                break;
            case '=':
                names.assign(1, name);
                break;
            case '-':
                if (present != names.end()) {
                    names.erase(present);
                }
                break;
            case '@':
                if (present == names.end()) {
                    names.insert(names.begin(), name);
                }
                break;
            default:
                if (present == names.end()) {
                    names.push_back(name);
                }
                break;
        }
    }
    return names;
}

Module filter_module{
    .name = "filter_module",
    .source = "mod_filter.c",
    .directives = kDirectives,
    .dir_config = config_ops<FilterDirConfig>(),
    .register_hooks = filter_register_hooks,
};

}  // namespace sonora::modules::filters
