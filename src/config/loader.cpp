#include "config/loader.h"

namespace sonora::config {

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& l : lines) {
        text += l;
        text += '\n';
    }
    return text;
}
}  // namespace

std::unique_ptr<Generation> load_configuration(const LoadOptions& options) {
    auto gen = std::make_unique<Generation>(options.modules);
    gen->server_root = options.server_root;
    while (gen->server_root.size() > 1 && gen->server_root.back() == '/') {
        gen->server_root.pop_back();
    }
    gen->check_document_root = options.check_document_root;
    for (const std::string& d : options.defines) {
        gen->defines.define(d);
    }
    Engine engine(*gen);
    gen->config_file = engine.server_root_relative(options.config_file);

    std::vector<ConfigNode> tree;
    if (!options.pre_directives.empty()) {
        engine.read_text(join_lines(options.pre_directives), "-C directive", tree);
    }
    engine.read_file(gen->config_file, tree);
    if (!options.post_directives.empty()) {
        engine.read_text(join_lines(options.post_directives), "-c directive", tree);
    }
    gen->tree = std::move(tree);

    // Without a LoadModule for one, the event MPM is the default.
    if (gen->mpm == nullptr) {
        if (const Module* event = gen->modules.find("mpm_event_module")) {
            gen->modules.enable(*event);
            gen->mpm = event;
        }
    }
    gen->init_server(gen->main);
    gen->main.defn_file = std::make_shared<const std::string>(gen->config_file);
    Scope top;
    top.server = &gen->main;
    top.dir = &gen->main.lookup_defaults;
    engine.process(gen->tree, top);
    gen->merge_vhosts();

    for (const auto& l : gen->modules.loaded()) {
        if (l.module->post_config != nullptr) {
            if (auto err = l.module->post_config(*gen)) {
                throw ConfigError(*err);
            }
        }
    }
    return gen;
}

}  // namespace sonora::config
