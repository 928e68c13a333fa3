#pragma once
#include <sonora/directive.h>

#include <span>

namespace sonora::modules::core {

std::span<const DirectiveSpec> core_directives();

}  // namespace sonora::modules::core
