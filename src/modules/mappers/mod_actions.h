#pragma once
// httpd's mod_actions: a handler name or media type, or a request method,
// mapped to a URL (usually a CGI script) that answers instead. The handler
// runs last among handlers (before the default one): for `Script METHOD`
// (GET only with a query string) or an `Action` for the request's handler
// (else its media type), the request is redirected internally to the
// script's URL followed by the escaped URI and the query, so the script
// gets the original path as PATH_INFO. Without `virtual`, an Action needs
// the requested file to exist (404 otherwise, SN00652).
//
// Merge rule (child = the more specific level): the parent's actions and
// scripts, each replaced by the child's of the same name or method.

#include <sonora/module.h>

#include <map>
#include <string>

namespace sonora::modules::mappers {

extern Module actions_module;

struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const;
};

struct ActionTarget {
    std::string url;
    bool is_virtual = false;  // does not need the requested file to exist
};

struct ActionsDirConfig {
    std::map<std::string, ActionTarget, CaseInsensitiveLess> actions;  // Action: handler or media type
    std::map<std::string, std::string> scripts;  // Script: method as written (case-sensitive, as httpd's)
    static ActionsDirConfig merge(const ActionsDirConfig& base, const ActionsDirConfig& add);
};

}  // namespace sonora::modules::mappers
