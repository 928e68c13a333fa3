// httpd's mod_so: LoadModule and LoadFile. Every Sonora module is compiled in,
// so LoadModule enables the built-in module of that name; the path is kept for
// -M and -V but never opened. A name Sonora does not have is an error, as a
// missing .so is for httpd.

#include "config/engine.h"
#include "modules/core/mpm.h"

namespace sonora::modules::core {

namespace {

using Args = std::span<const std::string>;

CmdResult load_module(Cmd& cmd, Args a) {
    auto& gen = cmd.engine().generation();
    const Module* m = gen.modules.find(a[0]);
    if (m == nullptr || m->name != a[0]) {
        return "Cannot load " + a[1] + " into server: Sonora has no built-in module named '" + a[0] + "'";
    }
    if (m->magic != kModuleMagic) {
        return "Module \"" + a[0] + "\" is not compatible with this version of Sonora";
    }
    if (gen.modules.enabled(*m)) {
        if (!m->is_static) {
            cmd.engine().warn("so", "SN01574", "module " + a[0] + " is already loaded, skipping");
        }
        return std::nullopt;
    }
    if (is_mpm(*m)) {
        if (gen.mpm != nullptr) {
            return std::string("More than one MPM loaded.");
        }
        gen.mpm = m;
    }
    gen.modules.enable(*m, a[1]);
    return std::nullopt;
}

// Shared libraries have no meaning for built-in modules; accepted as httpd reads them.
CmdResult load_file(Cmd&, Args) { return std::nullopt; }

const DirectiveSpec kDirectives[] = {
    {"LoadModule", ArgForm::Take2, kRsrcConf | kExecOnRead, 0, ConfLevel::Server, load_module,
     "Enables a built-in module: module identifier and (unused) library path"},
    {"LoadFile", ArgForm::Iterate, kRsrcConf | kExecOnRead, 0, ConfLevel::Server, load_file,
     "Shared libraries to load (accepted; Sonora needs none)"},
};

}  // namespace

Module so_module{
    .name = "so_module",
    .source = "mod_so.c",
    .directives = kDirectives,
    .is_static = true,
};

}  // namespace sonora::modules::core
