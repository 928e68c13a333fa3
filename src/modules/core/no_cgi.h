#pragma once
// The cgi-script handler while Sonora has no mod_cgi: a refusal (no_cgi.cpp).

#include <sonora/hooks.h>

#include <string_view>

namespace sonora::modules::core {

inline constexpr std::string_view kCgiScriptHandler = "cgi-script";

// Core's handler hook refusing cgi-script with 500 (SN90002).
void no_cgi_register_hooks(HookRegistry& hooks);

}  // namespace sonora::modules::core
