// Fuzz target: arbitrary bytes as an Apache configuration file, read and
// applied by the real engine with every built-in module. Any outcome but a
// ConfigError or success (a crash, a sanitizer report, another exception) is
// a bug. Include is disabled so that inputs cannot walk the filesystem.

#include "config/engine.h"
#include "modules/module_list.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sonora;
    config::Generation gen(modules::builtin_modules());
    gen.server_root = "/nonexistent-sonora-fuzz-root";
    gen.allow_includes = false;
    gen.check_document_root = false;
    config::Engine engine(gen);
    try {
        std::vector<ConfigNode> tree;
        engine.read_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.conf", tree);
        gen.tree = std::move(tree);
        gen.init_server(gen.main);
        config::Scope top;
        top.server = &gen.main;
        top.dir = &gen.main.lookup_defaults;
        engine.process(gen.tree, top);
        gen.merge_vhosts();
    } catch (const config::ConfigError&) {
    }
    return 0;
}
