#pragma once
// The modules of one configuration generation: all compiled-in modules, which
// of them are enabled (static ones, plus those named by LoadModule, in load
// order), and the directive lookup over the enabled ones.

#include <sonora/module.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonora::config {

class ModuleSet {
public:
    // Assigns each module its index (its slot in every ConfigVector).
    explicit ModuleSet(std::span<Module* const> all);

    std::span<Module* const> all() const { return all_; }
    // By identifier ("mime_module") or source name ("mod_mime.c").
    const Module* find(std::string_view name) const;

    bool enabled(const Module& m) const { return enabled_[m.index]; }
    struct Loaded {
        const Module* module;
        std::string path;  // LoadModule's path argument; empty for static modules
    };
    // Enabled modules in load order: static ones first.
    const std::vector<Loaded>& loaded() const { return loaded_; }
    void enable(const Module& m, std::string path = {});

    struct Hit {
        const DirectiveSpec* spec;
        const Module* module;
    };
    // Case-insensitive lookup among enabled modules; the first module in load
    // order wins a name claimed twice, as in httpd.
    std::optional<Hit> find_directive(std::string_view name) const;
    // Lookup among all compiled-in modules, enabled or not.
    std::optional<Hit> find_any_directive(std::string_view name) const;

private:
    std::span<Module* const> all_;
    std::vector<bool> enabled_;
    std::vector<Loaded> loaded_;
    std::unordered_map<std::string, Hit> directives_;
};

}  // namespace sonora::config
