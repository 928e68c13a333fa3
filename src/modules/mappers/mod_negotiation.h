#pragma once
// httpd's mod_negotiation: content negotiation settings.
//
// Merge rules (child = the more specific level), as httpd's:
//   - LanguagePriority: within one context every line appends its languages;
//     a child context that has the directive replaces the parent's list whole;
//   - ForceLanguagePriority: the child's if set, else the parent's (words
//     accumulate within one context);
//   - CacheNegotiatedDocs (per server): the virtual host's if set, else the
//     main server's.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::mappers {

extern Module negotiation_module;
void negotiation_register_hooks(HookRegistry& hooks);

// ForceLanguagePriority words, as bits. Unset means Prefer.
enum ForceLanguagePriorityBits : unsigned {
    kForceLangNone = 1u << 0,
    kForceLangPrefer = 1u << 1,
    kForceLangFallback = 1u << 2,
};

struct NegotiationDirConfig {
    std::optional<std::vector<std::string>> language_priority;
    std::optional<unsigned> force_language_priority;

    static NegotiationDirConfig merge(const NegotiationDirConfig& base,
                                      const NegotiationDirConfig& add);
};

struct NegotiationServerConfig {
    std::optional<bool> cache_negotiated_docs;  // default Off

    static NegotiationServerConfig merge(const NegotiationServerConfig& base,
                                         const NegotiationServerConfig& add);
};

}  // namespace sonora::modules::mappers
