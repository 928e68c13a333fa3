// mod_auth_basic, mod_authn_file, mod_authz_user and mod_authz_groupfile at
// configuration time: their directives, httpd's messages, the provider
// registry (aliases included) and the merge rules; and the Authorization
// decoding httpd does.

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_auth_basic.h"
#include "modules/aaa/mod_authn_file.h"
#include "modules/aaa/mod_authz_groupfile.h"
#include "modules/core/core_config.h"

#include <gtest/gtest.h>

namespace sonora::modules::aaa {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const std::string kAll =
    "LoadModule authn_core_module modules/mod_authn_core.so\n"
    "LoadModule authz_core_module modules/mod_authz_core.so\n"
    "LoadModule auth_basic_module modules/mod_auth_basic.so\n"
    "LoadModule authn_file_module modules/mod_authn_file.so\n"
    "LoadModule authz_user_module modules/mod_authz_user.so\n"
    "LoadModule authz_groupfile_module modules/mod_authz_groupfile.so\n";

const ConfigVector& section(const config::Generation& g, std::size_t i) {
    return core::server_config(g.main).sec_dir.at(i)->config;
}
const AuthBasicDirConfig& basic(const config::Generation& g, std::size_t i) {
    return *section(g, i).get<AuthBasicDirConfig>(auth_basic_module.index);
}

// The message of the error loading `conf` throws (line checked when given).
std::string error_of(const std::string& conf, int line = 0) {
    ConfigRoot root;
    try {
        root.load(conf);
    } catch (const ConfigError& e) {
        if (line != 0) {
            EXPECT_EQ(e.line, line) << conf;
        }
        return e.what();
    }
    ADD_FAILURE() << "accepted: " << conf;
    return {};
}

std::string dir(const std::string& body) { return "<Directory />\n" + body + "\n</Directory>\n"; }

TEST(ModAuthBasic, DirectivesStored) {
    ConfigRoot root;
    auto g = root.load(kAll + dir("AuthBasicProvider file\nAuthBasicAuthoritative Off\n"
                                  "AuthBasicUseDigestAlgorithm MD5\nAuthBasicFake admin\n"
                                  "AuthUserFile conf/users\nAuthGroupFile /etc/groups"));
    const auto& b = basic(*g, 0);
    ASSERT_TRUE(b.providers.has_value());
    ASSERT_EQ(b.providers->size(), 1u);
    EXPECT_EQ(b.providers->front().name, "file");
    EXPECT_EQ(b.providers->front().alias_dir, nullptr);
    EXPECT_EQ(b.authoritative, false);
    EXPECT_EQ(b.use_digest_md5, true);
    EXPECT_TRUE(b.fake_set);
    EXPECT_EQ(b.fake_user_text, "admin");
    EXPECT_EQ(b.fake_pass_text, "password");  // httpd's default, from mod_ssl
    EXPECT_EQ(section(*g, 0).get<AuthnFileDirConfig>(authn_file_module.index)->user_file,
              root.path() + "/conf/users");
    EXPECT_EQ(section(*g, 0).get<AuthzGroupfileDirConfig>(authz_groupfile_module.index)->group_file,
              "/etc/groups");
}

TEST(ModAuthBasic, ProvidersAddUpAndAliasesAreKnownFromTheirSection) {
    ConfigRoot root;
    auto g = root.load(kAll +
                       "<AuthnProviderAlias file other>\nAuthUserFile /srv/other\n</AuthnProviderAlias>\n"
                       "<AuthnProviderAlias other third>\n</AuthnProviderAlias>\n" +
                       dir("AuthBasicProvider other\nAuthBasicProvider file third"));
    const auto& list = *basic(*g, 0).providers;
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "other");
    EXPECT_EQ(list[0].provider->name, "file");
    ASSERT_NE(list[0].alias_dir, nullptr);
    EXPECT_EQ(list[0].alias_dir->get<AuthnFileDirConfig>(authn_file_module.index)->user_file, "/srv/other");
    EXPECT_EQ(list[1].name, "file");
    EXPECT_EQ(list[2].provider->name, "file");  // an alias of an alias runs the base provider

    EXPECT_EQ(error_of(kAll + dir("AuthBasicProvider late") +
                       "<AuthnProviderAlias file late>\n</AuthnProviderAlias>\n"),
              "Unknown Authn provider: late");
}

TEST(ModAuthBasic, Errors) {
    EXPECT_EQ(error_of(kAll + dir("AuthBasicProvider ldap"), 8), "Unknown Authn provider: ldap");
    EXPECT_EQ(error_of(kAll + dir("AuthBasicUseDigestAlgorithm SHA")),
              "Invalid algorithm in AuthBasicUseDigestAlgorithm: SHA");
    EXPECT_EQ(error_of(kAll + dir("AuthBasicFake \"%{foo\"")).rfind("Could not parse fake username expression "
                                                                     "'%{foo': ",
                                                                     0),
              0u);
    EXPECT_EQ(error_of(kAll + dir("AuthBasicFake a \"%{foo\"")).rfind("Could not parse fake password expression "
                                                                       "associated to user 'a': ",
                                                                       0),
              0u);
    EXPECT_EQ(error_of(kAll + dir("AuthUserFile a b")).rfind("AuthUserFile takes one argument, ", 0), 0u);
    EXPECT_EQ(error_of(kAll + dir("AuthBasicProvider")).rfind("AuthBasicProvider requires at least one argument", 0),
              0u);
    EXPECT_EQ(error_of(kAll + "AuthUserFile /x\n"), "AuthUserFile not allowed here");
    // Without mod_authn_file there is no "file" provider; without the
    // authorization modules, no user or group requirement.
    const std::string no_file = "LoadModule authn_core_module m\nLoadModule auth_basic_module m\n";
    EXPECT_EQ(error_of(no_file + dir("AuthBasicProvider file")), "Unknown Authn provider: file");
    const std::string core_only = "LoadModule authz_core_module m\n";
    EXPECT_EQ(error_of(core_only + dir("Require valid-user")), "Unknown Authz provider: valid-user");
    EXPECT_EQ(error_of(core_only + dir("Require user alice")), "Unknown Authz provider: user");
    EXPECT_EQ(error_of(core_only + dir("Require group admins")), "Unknown Authz provider: group");
    EXPECT_EQ(error_of(kAll + dir("Require user \"%{foo\"")).rfind("Cannot parse expression in require line: ", 0),
              0u);
    EXPECT_EQ(error_of(kAll + dir("Require file-owner")), "Unknown Authz provider: file-owner");
}

TEST(ModAuthBasic, UserAndGroupRequirementsLoad) {
    ConfigRoot root;
    EXPECT_NO_THROW(root.load(kAll + dir("Require valid-user\nRequire user alice \"bob smith\"\n"
                                         "Require group admins %{REMOTE_USER}\nRequire file-group\n"
                                         "<RequireAll>\nRequire valid-user\nRequire not user mallory\n"
                                         "</RequireAll>") +
                              "<AuthzProviderAlias group admins-alias admins>\nAuthGroupFile /srv/g\n"
                              "</AuthzProviderAlias>\n" + "<Location /x>\nRequire admins-alias\n</Location>\n"));
}

TEST(ModAuthBasic, Merge) {
    ConfigRoot root;
    auto g = root.load(kAll + "<AuthnProviderAlias file other>\n</AuthnProviderAlias>\n" +
                       dir("AuthBasicProvider other\nAuthBasicAuthoritative Off\nAuthBasicFake u p") +
                       "<Directory /a>\nAuthBasicProvider file\nAuthBasicFake off\n</Directory>\n");
    auto m = AuthBasicDirConfig::merge(basic(*g, 0), basic(*g, 1));
    ASSERT_TRUE(m.providers.has_value());
    ASSERT_EQ(m.providers->size(), 1u);  // the child's list replaces the parent's
    EXPECT_EQ(m.providers->front().name, "file");
    EXPECT_EQ(m.authoritative, false);
    EXPECT_TRUE(m.fake_set);
    EXPECT_EQ(m.fake_user, nullptr);  // "off" in the child
    auto inherited = AuthBasicDirConfig::merge(basic(*g, 0), AuthBasicDirConfig{});
    EXPECT_EQ(inherited.providers->front().name, "other");
    EXPECT_NE(inherited.fake_user, nullptr);
    EXPECT_EQ(inherited.fake_pass_text, "p");
}

TEST(ModAuthBasic, CredentialsDecodeAsHttpdDoes) {
    EXPECT_EQ(decode_basic_credentials("dXNlcjpwYXNz"), "user:pass");
    EXPECT_EQ(decode_basic_credentials("dXNlcjpwYXNz=="), "user:pass");
    EXPECT_EQ(decode_basic_credentials("dXNlcjpwYXNz trailing"), "user:pass");  // stops at the first non-digit
    EXPECT_EQ(decode_basic_credentials("Og=="), ":");
    EXPECT_EQ(decode_basic_credentials("YQBi"), "a");  // "a\0b": a C string ends at the NUL
    EXPECT_EQ(decode_basic_credentials("YWJj"), "abc");
    EXPECT_EQ(decode_basic_credentials("YWI"), "ab");  // unpadded
    EXPECT_EQ(decode_basic_credentials("YWJjZ"), "abc");  // a lone sixth bit group adds nothing
    EXPECT_EQ(decode_basic_credentials(""), "");
    EXPECT_EQ(decode_basic_credentials("!!!"), "");
}

}  // namespace
}  // namespace sonora::modules::aaa
