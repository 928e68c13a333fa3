#pragma once
// Everything one reading of the configuration produced: the enabled modules,
// the defines, the tree, the main server and the virtual hosts with their
// module configs (vhosts already merged over the main server). Immutable once
// load_configuration() returns; a restart builds a new Generation.

#include "config/defines.h"
#include "config/module_set.h"

#include <sonora/directive.h>
#include <sonora/server.h>

#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace sonora::config {

class Generation {
public:
    explicit Generation(std::span<Module* const> all_modules) : modules(all_modules) {}

    std::string server_root;
    std::string config_file;                // the main file, absolute
    struct IncludedFile {
        std::string path;
        int depth = 0;  // 0 for the main file
        int line = 0;   // line of the Include that read it
    };
    std::vector<IncludedFile> config_files;  // every file read, in order (-t -D DUMP_INCLUDES)
    ModuleSet modules;
    Defines defines;
    std::vector<ConfigNode> tree;
    Server main;
    std::vector<std::unique_ptr<Server>> vhosts;
    const Module* mpm = nullptr;
    // What modules tell the process layer (set by their post_config): the
    // user and group ids children run as, when started as root (mod_unixd;
    // accept mutexes are handed to them), and whether requests are recorded
    // in detail in the scoreboard (ExtendedStatus, core with mod_status).
    // Also set by open_logs.
    std::optional<std::pair<unsigned, unsigned>> child_ids;
    bool extended_status = false;
    // A module shows the address a connection came in on (mod_log_config's
    // %A, mod_status's heading): wildcard listeners then ask the kernel for it.
    bool shows_local_address = false;
    bool check_document_root = true;  // false with -T
    bool allow_includes = true;       // false only in the config fuzzer, which must not read the disk

    // A module's per-server config of the main server.
    template <class T>
    const T& main_conf(const Module& m) const {
        return *main.module_config.get<T>(m.index);
    }
    template <class T>
    static const T& server_conf(const Server& s, const Module& m) {
        return *s.module_config.get<T>(m.index);
    }

    // Fresh per-server and per-dir config objects for every enabled module.
    void init_server(Server& s) const;
    ConfigVector new_dir_vector() const;
    // Merges the main server into each vhost (server configs and per-dir defaults).
    void merge_vhosts();
};

}  // namespace sonora::config
