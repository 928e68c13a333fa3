#include "config/generation.h"

namespace sonora::config {

void Generation::init_server(Server& s) const {
    s.module_config = ConfigVector(modules.all().size());
    s.lookup_defaults = new_dir_vector();
    for (const auto& l : modules.loaded()) {
        if (l.module->server_config) {
            s.module_config.set(l.module->index, l.module->server_config.create());
        }
    }
}

ConfigVector Generation::new_dir_vector() const {
    ConfigVector v(modules.all().size());
    for (const auto& l : modules.loaded()) {
        if (l.module->dir_config) {
            v.set(l.module->index, l.module->dir_config.create());
        }
    }
    return v;
}

void Generation::merge_vhosts() {
    for (auto& vh : vhosts) {
        for (const auto& l : modules.loaded()) {
            const Module& m = *l.module;
            if (m.server_config) {
                vh->module_config.set(m.index, m.server_config.merge(main.module_config.raw(m.index),
                                                                     vh->module_config.raw(m.index)));
            }
            if (m.dir_config) {
                vh->lookup_defaults.set(m.index, m.dir_config.merge(main.lookup_defaults.raw(m.index),
                                                                    vh->lookup_defaults.raw(m.index)));
            }
        }
    }
}

}  // namespace sonora::config
