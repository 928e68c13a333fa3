#pragma once
// Outputs of -v, -V, -l, -L and the -t -D DUMP_* reports, in httpd's layouts
// (tools parse them).

#include "config/generation.h"

#include <ostream>
#include <span>

namespace sonora::cli {

void print_version(std::ostream& out);
void print_settings(std::ostream& out, const config::Generation* gen);
void print_compiled_modules(std::ostream& out, std::span<Module* const> modules);
void print_directives(std::ostream& out, std::span<Module* const> modules);
void dump_vhosts(std::ostream& out, const config::Generation& gen);
void dump_run_config(std::ostream& out, const config::Generation& gen);
void dump_modules(std::ostream& out, const config::Generation& gen);
void dump_includes(std::ostream& out, const config::Generation& gen);

}  // namespace sonora::cli
