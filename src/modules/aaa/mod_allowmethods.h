#pragma once
// httpd's mod_allowmethods: AllowMethods limits the request methods a
// location answers; any other gets 405 at the start of access checking,
// before any access rule can grant it. GET and HEAD are one method (a HEAD
// is a GET without the body, in httpd's method numbers); TRACE is answered
// before any section applies, so it cannot be refused here (TraceEnable).
//
// Merge rule (child = the more specific level): the child's list when it
// has an AllowMethods line ("reset" included), else the parent's.

#include <sonora/module.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::aaa {

extern Module allowmethods_module;

struct AllowMethodsDirConfig {
    // The methods allowed, as httpd numbers them (HEAD recorded as GET);
    // unset or empty: every method.
    std::optional<std::vector<std::string>> allowed;

    bool allows(std::string_view method) const;
    static AllowMethodsDirConfig merge(const AllowMethodsDirConfig& base, const AllowMethodsDirConfig& add);
};

}  // namespace sonora::modules::aaa
