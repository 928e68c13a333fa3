#pragma once
// Every module compiled into Sonora, in httpd's order: the static ones first
// (enabled without LoadModule, listed by -l), then the loadable ones.

#include <sonora/module.h>

#include <span>

namespace sonora::modules {

std::span<Module* const> builtin_modules();

}  // namespace sonora::modules
