#include "config/module_set.h"

#include "core/strings.h"

namespace sonora::config {

ModuleSet::ModuleSet(std::span<Module* const> all) : all_(all), enabled_(all.size(), false) {
    for (std::size_t i = 0; i < all_.size(); ++i) {
        all_[i]->index = i;
    }
    for (Module* m : all_) {
        if (m->is_static) {
            enable(*m);
        }
    }
}

const Module* ModuleSet::find(std::string_view name) const {
    for (const Module* m : all_) {
        if (m->name == name || m->source == name) {
            return m;
        }
    }
    return nullptr;
}

void ModuleSet::enable(const Module& m, std::string path) {
    if (enabled_[m.index]) {
        return;
    }
    enabled_[m.index] = true;
    loaded_.push_back(Loaded{&m, std::move(path)});
    for (const DirectiveSpec& spec : m.directives) {
        directives_.try_emplace(to_lower(spec.name), Hit{&spec, &m});
    }
}

std::optional<ModuleSet::Hit> ModuleSet::find_directive(std::string_view name) const {
    auto it = directives_.find(to_lower(name));
    if (it == directives_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<ModuleSet::Hit> ModuleSet::find_any_directive(std::string_view name) const {
    for (const Module* m : all_) {
        for (const DirectiveSpec& spec : m->directives) {
            if (equals_nocase(spec.name, name)) {
                return Hit{&spec, m};
            }
        }
    }
    return std::nullopt;
}

}  // namespace sonora::config
