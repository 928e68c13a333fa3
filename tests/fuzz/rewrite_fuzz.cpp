// Fuzz target: arbitrary bytes as the RewriteCond/RewriteRule (and other
// mod_rewrite) lines of a configuration, read by the real engine twice:
// in the main server and inside a <Directory> section, with rewrite_module
// loaded and the engine on. Any outcome but a ConfigError or success (a
// crash, a sanitizer report, another exception) is a bug. Include is
// disabled so that inputs cannot walk the filesystem.
//
// The same bytes then go through the B family's escaping (escape_backref,
// the one part of the expander that needs no request) under each
// combination of B, BNP, BCTLS, B=chars and BNE=chars, whose output must be
// made of the input's alphanumerics, '_', '+' and %xx escapes, or of the
// input's bytes that were spared.

#include "config/engine.h"
#include "modules/mappers/rewrite/rewrite_config.h"
#include "modules/mappers/rewrite/rewrite_expand.h"
#include "modules/module_list.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void read_config(const std::string& text) {
    using namespace sonora;
    config::Generation gen(modules::builtin_modules());
    gen.server_root = "/nonexistent-sonora-fuzz-root";
    gen.allow_includes = false;
    gen.check_document_root = false;
    config::Engine engine(gen);
    try {
        std::vector<ConfigNode> tree;
        engine.read_text(text, "fuzz.conf", tree);
        gen.tree = std::move(tree);
        gen.init_server(gen.main);
        config::Scope top;
        top.server = &gen.main;
        top.dir = &gen.main.lookup_defaults;
        engine.process(gen.tree, top);
        gen.merge_vhosts();
    } catch (const config::ConfigError&) {
    }
}

void escape_all_ways(std::string_view input) {
    using namespace sonora::modules::mappers::rewrite;
    // The first bytes up to a NUL (at most 8) are the B= and BNE= sets.
    std::string_view sets;
    const std::size_t nul = input.find('\0');
    if (nul != std::string_view::npos && nul <= 8) {
        sets = input.substr(0, nul);
        input.remove_prefix(nul + 1);
    }
    const unsigned flag_sets[] = {kRuleEscapeBackref, kRuleEscapeBackref | kRuleEscapeNoPlus, kRuleEscapeCtls,
                                  kRuleEscapeCtls | kRuleEscapeNoPlus};
    for (unsigned flags : flag_sets) {
        for (int variant = 0; variant < 3; ++variant) {
            RewriteRule rule;
            rule.flags = flags;
            if (variant == 1) {
                rule.escapes = std::string(sets);
            } else if (variant == 2) {
                rule.noescapes = std::string(sets);
            }
            const std::string out = escape_backref(input, rule);
            // Escaping never shortens; with B on every byte, each '%' in the
            // output begins an escape (an input '%' is escaped too).
            if (out.size() < input.size()) {
                std::abort();
            }
            if (variant == 0 && (flags & kRuleEscapeCtls) == 0) {
                for (std::size_t i = 0; i < out.size(); ++i) {
                    if (out[i] == '%' && (i + 2 >= out.size() || std::isxdigit(static_cast<unsigned char>(out[i + 1])) == 0 ||
                                          std::isxdigit(static_cast<unsigned char>(out[i + 2])) == 0)) {
                        std::abort();
                    }
                }
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string lines(reinterpret_cast<const char*>(data), size);
    const std::string head = "LoadModule rewrite_module modules/mod_rewrite.so\nRewriteEngine On\n";
    read_config(head + lines + "\n");
    read_config(head + "<Directory /srv>\nRewriteEngine On\n" + lines + "\n</Directory>\n");
    escape_all_ways(lines);
    return 0;
}
