// mod_vhost_alias: the interpolation of the documentation's examples, the
// directive's checks and messages (httpd 2.4's), and the merge.

#include "../../support/config_fixture.h"
#include "modules/mappers/mod_vhost_alias.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers {
namespace {


TEST(ModVhostAlias, InterpolatesNameParts) {
    const std::string_view host = "www.Domain.Example.com";
    EXPECT_EQ(interpolate_vhost("/v/%0", host, 80, "/x.html"), "/v/www.domain.example.com/x.html");
    EXPECT_EQ(interpolate_vhost("/v/%3+/%2.1/%2.2/%2.3/%2/", host, 80, "/x"), "/v/example.com/d/o/m/domain/x");
    EXPECT_EQ(interpolate_vhost("/v/%2.-1/%2.-2/%2.-3", host, 80, "/x"), "/v/n/i/a/x");
    EXPECT_EQ(interpolate_vhost("/v/%-1/%-2/%-2+/%2.2+/%2.-2+", host, 80, ""), "/v/com/example/www.domain.example/omain/domai");
    EXPECT_EQ(interpolate_vhost("/v/%5/%1.9/%%/%p", host, 8080, "/x"), "/v/_/_/%/8080/x");
    EXPECT_EQ(interpolate_vhost("/v/%-4+", host, 80, ""), "/v/www");
    EXPECT_EQ(interpolate_vhost("/ip/%1/%4/%-1", "127.0.0.1", 80, "/y"), "/ip/127/1/1/y");
}

TEST(ModVhostAlias, RefusalsNameTheProblem) {
    const std::string load = "LoadModule vhost_alias_module modules/mod_vhost_alias.so\nServerName x\n";
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"VirtualDocumentRoot relative/%0", "format string must be an absolute path, or 'none'"},
        {"VirtualDocumentRoot /v/%x", "syntax error in format string"},
        {"VirtualScriptAliasIP /v/%1.", "syntax error in format string"},
        {"<Directory />\nVirtualDocumentRoot /v/%0\n</Directory>", "VirtualDocumentRoot not allowed in <Directory> context"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(test::refusal(load + c.conf + "\n").message, c.message) << c.conf;
    }
}

TEST(ModVhostAlias, AVirtualHostNamingNoneMapsNothing) {
    VhostAliasServerConfig main;
    main.doc_root = VhostMapping{VhostMapping::Source::Name, "/v/%0"};
    VhostAliasServerConfig vhost;
    vhost.doc_root = VhostMapping{};
    EXPECT_EQ(VhostAliasServerConfig::merge(main, vhost).doc_root->source, VhostMapping::Source::None);
    EXPECT_EQ(VhostAliasServerConfig::merge(main, VhostAliasServerConfig{}).doc_root->format, "/v/%0");
}

}  // namespace
}  // namespace sonora::modules::mappers
