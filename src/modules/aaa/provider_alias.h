#pragma once
// What <AuthnProviderAlias> and <AuthzProviderAlias> share: reading the
// section's head ("base alias [args...]>") and applying its body to a fresh
// per-dir config vector, the directives the alias runs with.

#include <sonora/config.h>
#include <sonora/directive.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::aaa {

struct ProviderAliasHead {
    std::string base;
    std::string alias;
    std::vector<std::string> rest;  // words after the alias name
};

CmdResult parse_provider_alias_head(const Cmd& cmd, std::string_view raw, ProviderAliasHead& out);
std::shared_ptr<ConfigVector> apply_provider_alias_body(Cmd& cmd);

}  // namespace sonora::modules::aaa
