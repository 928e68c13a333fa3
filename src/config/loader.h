#pragma once
// Reading a whole configuration the way httpd starts: defines from the command
// line, -C directives, the main file (relative to ServerRoot), -c directives;
// then the tree is applied to the main server, virtual hosts are merged over
// it, and every module's post_config check runs.

#include "config/engine.h"
#include "config/generation.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sonora::config {

struct LoadOptions {
    std::string server_root;                  // -d, else the compiled-in root
    std::string config_file;                  // -f, relative to server_root unless absolute
    std::vector<std::string> defines;         // -D NAME (and NAME=value is not httpd's: NAME only)
    std::vector<std::string> pre_directives;  // -C
    std::vector<std::string> post_directives; // -c
    bool check_document_root = true;          // -T turns it off
    std::span<Module* const> modules;
};

// Throws ConfigError.
std::unique_ptr<Generation> load_configuration(const LoadOptions& options);

}  // namespace sonora::config
