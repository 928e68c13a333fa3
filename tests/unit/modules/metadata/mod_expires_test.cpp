// mod_expires' directives: both expiry syntaxes as httpd's check_code reads
// them, the merge, and httpd's messages for what it refuses.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/metadata/mod_expires.h"

#include <gtest/gtest.h>

namespace sonora::modules::metadata {
namespace {

using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule expires_module modules/mod_expires.so\nServerName x\n";

ExpiryCode parsed(std::string_view text) {
    ExpiryCode c;
    EXPECT_FALSE(parse_expiry(text, c)) << text;
    return c;
}

TEST(ModExpires, BothSyntaxes) {
    EXPECT_EQ(parsed("A3600").seconds, 3600);
    EXPECT_EQ(parsed("M60").base, 'M');
    const ExpiryCode month = parsed("access plus 1 month 2 days 3 hours 4 minutes 5 seconds");
    EXPECT_EQ(month.base, 'A');
    EXPECT_EQ(month.seconds, 30 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    // httpd reads only the first letter (two for months and minutes).
    const ExpiryCode terse = parsed("m p 1 y 1 w 1 mi");
    EXPECT_EQ(terse.base, 'M');
    EXPECT_EQ(terse.seconds, 365 * 86400 + 7 * 86400 + 60);
    EXPECT_EQ(parsed("now").seconds, 0);
    ExpiryCode c;
    EXPECT_EQ(parse_expiry("later plus 1 day", c), "bad expires code, unrecognised <base> 'later'");
    EXPECT_EQ(parse_expiry("access plus day", c), "bad expires code, numeric value expected <num> 'day'");
    EXPECT_EQ(parse_expiry("access plus 1", c), "bad expires code, missing <type>");
    EXPECT_EQ(parse_expiry("access plus 1 m", c), "bad expires code, unrecognised <type>'m'");
}

TEST(ModExpires, MergeKeepsTheChildsFirst) {
    ConfigRoot root;
    auto g = root.load(kLoad + "ExpiresActive On\nExpiresDefault A10\nExpiresByType text/plain A20\n"
                               "ExpiresByType image/* A30\n"
                               "<Directory /srv>\nExpiresByType text/plain A40\nExpiresByType text/plain A50\n"
                               "</Directory>\n");
    const auto& top = *g->main.lookup_defaults.get<ExpiresDirConfig>(expires_module.index);
    EXPECT_TRUE(top.wildcards);
    const auto& dir = *server_config(g->main).sec_dir.at(0)->config.get<ExpiresDirConfig>(expires_module.index);
    const ExpiresDirConfig m = ExpiresDirConfig::merge(top, dir);
    EXPECT_EQ(m.active, true);
    EXPECT_EQ(m.fallback->seconds, 10);
    EXPECT_EQ(m.for_type("TEXT/PLAIN")->seconds, 50);  // the child's last line
    EXPECT_EQ(m.for_type("image/*")->seconds, 30);
    EXPECT_FALSE(m.wildcards);  // httpd takes the child's flag alone
    // A section without mod_expires directives leaves everything as it was.
    EXPECT_TRUE(ExpiresDirConfig::merge(top, ExpiresDirConfig{}).wildcards);
}

// The messages are httpd 2.4's, checked with apache2 -t.
TEST(ModExpires, RefusalsNameTheProblem) {
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"ExpiresByType text A10", "Invalid mimetype: should contain a slash"},
        {"ExpiresByType text/plain \"soon plus 1 day\"",
         "'ExpiresByType text/plain soon plus 1 day': bad expires code, unrecognised <base> 'soon'"},
        {"ExpiresDefault \"access plus 1\"", "'ExpiresDefault access plus 1': bad expires code, missing <type>"},
        {"ExpiresActive maybe", "ExpiresActive must be On or Off"},
    };
    for (const Case& c : cases) {
        const test::Refusal r = test::refusal(kLoad + c.conf + "\n");
        EXPECT_EQ(r.message, c.message) << c.conf;
        EXPECT_EQ(r.line, 3) << c.conf;
    }
}

}  // namespace
}  // namespace sonora::modules::metadata
