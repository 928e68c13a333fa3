#pragma once
// httpd's mod_filter: smart filters declared in the configuration, each
// running the first of its providers (registered output filters) whose
// condition holds for the response (an ap_expr, or for AddOutputFilterByType
// a list of content types), with the head fixed up for what the provider
// does (its protocol flags: ETag, Content-Length, Accept-Ranges ...).
//
// Directives, as httpd's: FilterDeclare, FilterProvider, FilterChain,
// FilterProtocol (Options override), FilterTrace (server and directory),
// AddOutputFilterByType (FileInfo; each filter name becomes the smart filter
// "BYTYPE:NAME" on the chain, its provider the named filter with the type).
// An unknown provider is refused at startup, as httpd.
//
// Merge (child = the more specific level): a smart filter declared in the
// child replaces the parent's of the same name, as httpd's hash overlay;
// the chain is the parent's operations followed by the child's.

#include <sonora/filter.h>
#include <sonora/module.h>

#include "expr/ast.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::filters {

extern Module filter_module;

struct SmartProvider {
    std::string provider;                    // a registered output filter
    std::shared_ptr<const expr::Expr> expr;  // FilterProvider's condition
    std::vector<std::string> types;          // AddOutputFilterByType's
    std::optional<unsigned> protocol;        // FilterProtocol FILTER PROVIDER flags
};

struct SmartFilter {
    std::string name;
    FilterType type = FilterType::Resource;
    std::vector<SmartProvider> providers;
    unsigned protocol = 0;  // FilterProtocol FILTER flags
    int trace = 0;          // FilterTrace
};

struct FilterDirConfig {
    std::vector<SmartFilter> filters;
    // FilterChain's operations in order: '+' append, '@' prepend, '-' remove,
    // '=' replace all, '!' clear (with an empty name).
    std::vector<std::pair<char, std::string>> chain;

    const SmartFilter* find(std::string_view name) const;
    SmartFilter* find(std::string_view name);
    static FilterDirConfig merge(const FilterDirConfig& base, const FilterDirConfig& add);
};

// The smart filters' names on the chain for this configuration, in order.
std::vector<std::string_view> filter_chain(const FilterDirConfig& conf);

void filter_register_hooks(HookRegistry& hooks);

}  // namespace sonora::modules::filters
