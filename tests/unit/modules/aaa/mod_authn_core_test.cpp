// mod_authn_core: AuthType and AuthName (string expressions), their merge,
// <AuthnProviderAlias> (with and without mod_authn_file), and httpd's messages.

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_authn_core.h"
#include "modules/core/core_config.h"

#include <gtest/gtest.h>

namespace sonora::modules::aaa {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const std::string kLoad = "LoadModule authn_core_module modules/mod_authn_core.so\n";

const AuthnCoreDirConfig& dir(const config::Generation& g, std::size_t i) {
    return *core::server_config(g.main).sec_dir.at(i)->config.get<AuthnCoreDirConfig>(authn_core_module.index);
}

void expect_error(const std::string& conf, const std::string& message, int line) {
    ConfigRoot root;
    try {
        root.load(conf);
        ADD_FAILURE() << "accepted: " << conf;
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), message) << conf;
        EXPECT_EQ(e.line, line) << conf;
    }
}

TEST(ModAuthnCore, TypeAndNameStoredAndMerged) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "<Directory />\nAuthType Basic\nAuthName \"Members %{SERVER_NAME}\"\n</Directory>\n"
                       "<Directory /a>\nAuthType None\n</Directory>\n");
    const auto& top = dir(*g, 0);
    EXPECT_EQ(top.auth_type, "Basic");
    EXPECT_NE(top.auth_type_expr, nullptr);
    EXPECT_EQ(top.auth_name, "Members %{SERVER_NAME}");
    EXPECT_NE(top.auth_name_expr, nullptr);
    auto m = AuthnCoreDirConfig::merge(top, dir(*g, 1));
    EXPECT_EQ(m.auth_type, "None");
    EXPECT_EQ(m.auth_name, "Members %{SERVER_NAME}");
    EXPECT_EQ(m.auth_name_expr, top.auth_name_expr);
    auto unset = AuthnCoreDirConfig::merge(AuthnCoreDirConfig{}, AuthnCoreDirConfig{});
    EXPECT_FALSE(unset.auth_type.has_value());
    EXPECT_FALSE(unset.auth_name.has_value());
}

TEST(ModAuthnCore, Errors) {
    expect_error("<Directory />\nAuthType Basic\n</Directory>\n",
                 "Invalid command 'AuthType', perhaps misspelled or defined by a module not included in the "
                 "server configuration",
                 2);
    expect_error(kLoad + "AuthName x\n", "AuthName not allowed here", 2);
    expect_error(kLoad + "<Directory />\nAuthType \"%{foo\"\n</Directory>\n",
                 "Cannot parse expression '%{foo' in AuthType: syntax error, unexpected T_ERROR, expecting "
                 "T_VAR_END or ':': Unterminated string or variable",
                 3);
    expect_error(kLoad + "<Directory />\nAuthName \"%{foo\"\n</Directory>\n",
                 "Cannot parse expression '%{foo' in AuthName: syntax error, unexpected T_ERROR, expecting "
                 "T_VAR_END or ':': Unterminated string or variable",
                 3);
    ConfigRoot root;
    try {
        root.load(kLoad + "<Directory />\nAuthType\n</Directory>\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("AuthType takes one argument, ", 0), 0u) << e.what();
    }
}

TEST(ModAuthnCore, ProviderAlias) {
    expect_error(kLoad + "<AuthnProviderAlias>\n</AuthnProviderAlias>\n",
                 "<AuthnProviderAlias> directive requires additional arguments", 2);
    expect_error(kLoad + "<AuthnProviderAlias file>\n</AuthnProviderAlias>\n",
                 "<AuthnProviderAlias> directive requires additional arguments", 2);
    // Without mod_authn_file there is no "file" provider, as in httpd.
    expect_error(kLoad + "<AuthnProviderAlias file x>\nAuthName y\n</AuthnProviderAlias>\n",
                 "Unknown Authn provider: file", 2);
    const std::string with_file = kLoad + "LoadModule authn_file_module modules/mod_authn_file.so\n";
    {
        ConfigRoot root;
        auto g = root.load(with_file + "<AuthnProviderAlias file x>\nAuthUserFile /srv/x\n</AuthnProviderAlias>\n");
        const auto* conf = g->main.module_config.get<AuthnCoreServerConfig>(authn_core_module.index);
        ASSERT_TRUE(conf->aliases.contains("x"));
        EXPECT_EQ(conf->aliases.at("x").base_provider, "file");
        EXPECT_NE(conf->aliases.at("x").provider, nullptr);
    }
    expect_error(with_file + "<AuthnProviderAlias file x>\n</AuthnProviderAlias>\n"
                             "<AuthnProviderAlias file x>\n</AuthnProviderAlias>\n",
                 "The alias provider x has already be registered previously as either a base provider or an alias "
                 "provider.",
                 5);
    expect_error(with_file + "<AuthnProviderAlias ldap x>\n</AuthnProviderAlias>\n", "Unknown Authn provider: ldap",
                 3);
    expect_error(kLoad + "<AuthnProviderAlias file FILE>\n</AuthnProviderAlias>\n",
                 "The alias provider name must be different from the base provider name.", 2);
    expect_error(kLoad + "<AuthnProviderAlias file x>\nOptions None\n</AuthnProviderAlias>\n",
                 "Options not allowed in <AuthnProviderAlias> context", 3);
    expect_error(kLoad + "Listen 80\n<VirtualHost *:80>\n<AuthnProviderAlias file x>\n</AuthnProviderAlias>\n"
                         "</VirtualHost>\n",
                 "<AuthnProviderAlias> cannot occur within <VirtualHost> section", 4);
}

}  // namespace
}  // namespace sonora::modules::aaa
