// mod_allowmethods' directive: the methods it knows (HEAD being GET),
// "reset", lines adding up in one section, the merge, httpd's messages.

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_allowmethods.h"
#include "modules/core/core_config.h"

#include <gtest/gtest.h>

namespace sonora::modules::aaa {
namespace {

using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule allowmethods_module modules/mod_allowmethods.so\nServerName x\n";

const AllowMethodsDirConfig& section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_url.at(i)->config.get<AllowMethodsDirConfig>(allowmethods_module.index);
}

TEST(ModAllowMethods, ListsResetAndMerge) {
    ConfigRoot root;
    auto g = root.load(kLoad + "<Location /a>\nAllowMethods HEAD POST\nAllowMethods PROPFIND\n</Location>\n"
                               "<Location /a/b>\nAllowMethods reset\n</Location>\n"
                               "<Location /a/c>\nDirectoryIndex x.html\n</Location>\n");
    const auto& a = section(*g, 0);
    EXPECT_TRUE(a.allows("GET"));  // HEAD is GET
    EXPECT_TRUE(a.allows("HEAD"));
    EXPECT_TRUE(a.allows("POST"));
    EXPECT_TRUE(a.allows("PROPFIND"));
    EXPECT_FALSE(a.allows("PUT"));
    EXPECT_FALSE(a.allows("FOO"));
    const auto reset = AllowMethodsDirConfig::merge(a, section(*g, 1));
    EXPECT_TRUE(reset.allows("PUT"));
    const auto kept = AllowMethodsDirConfig::merge(a, section(*g, 2));
    EXPECT_FALSE(kept.allows("PUT"));
}

// The messages are httpd 2.4's, checked with apache2 -t.
TEST(ModAllowMethods, RefusalsNameTheProblem) {
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"<Location />\nAllowMethods FOO\n</Location>", "AllowMethods: Invalid Method 'FOO'"},
        {"<Location />\nAllowMethods get\n</Location>", "AllowMethods: Invalid Method 'get'"},
        {"<Location />\nAllowMethods reset GET\n</Location>", "AllowMethods: Invalid Method 'reset'"},
        {"<Location />\nAllowMethods\n</Location>", "AllowMethods: No method or 'reset' keyword given"},
        {"AllowMethods GET", "AllowMethods not allowed here"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(test::refusal(kLoad + c.conf + "\n").message, c.message) << c.conf;
    }
}

}  // namespace
}  // namespace sonora::modules::aaa
