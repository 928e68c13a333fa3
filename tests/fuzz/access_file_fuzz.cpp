// Fuzz target: arbitrary bytes as an access file (.htaccess), parsed by the
// real engine as the request path parses one: every built-in module enabled,
// under AllowOverride All with an AllowOverrideList, Nonfatal off. Any
// outcome but a ConfigError or success (a crash, a sanitizer report, another
// exception) is a bug.

#include "config/engine.h"
#include "modules/module_list.h"

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <string>

namespace {

using namespace sonora;

// One generation for every input: what an access file may change is its own
// per-dir vector, so inputs cannot leak into each other through it.
config::Generation& generation() {
    static std::unique_ptr<config::Generation> gen = [] {
        auto g = std::make_unique<config::Generation>(modules::builtin_modules());
        g->server_root = "/nonexistent-sonora-fuzz-root";
        g->allow_includes = false;
        g->check_document_root = false;
        std::string load;
        for (const Module* m : modules::builtin_modules()) {
            if (!m->is_static && std::string_view(m->name).find("mpm_") == std::string_view::npos) {
                load += "LoadModule " + std::string(m->name) + " /nonexistent/mod.so\n";
            }
        }
        config::Engine engine(*g);
        std::vector<ConfigNode> tree;
        engine.read_text(load, "fuzz.conf", tree);
        g->tree = std::move(tree);
        g->init_server(g->main);
        config::Scope top;
        top.server = &g->main;
        top.dir = &g->main.lookup_defaults;
        engine.process(g->tree, top);
        return g;
    }();
    return *gen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    config::Generation& gen = generation();
    static const std::vector<std::string> list = {"LogLevel", "Redirect"};
    config::AccessFileRules rules;
    rules.override = kOrAll | kOrUnset;
    rules.override_list = &list;
    std::vector<std::pair<std::string, std::string>> warnings;
    rules.warnings = &warnings;
    ConfigVector dir = gen.new_dir_vector();
    config::Engine engine(gen);
    try {
        engine.parse_access_file(std::string(reinterpret_cast<const char*>(data), size), "/fuzz/.htaccess", "/fuzz/",
                                 gen.main, rules, dir);
    } catch (const config::ConfigError&) {
    }
    return 0;
}
