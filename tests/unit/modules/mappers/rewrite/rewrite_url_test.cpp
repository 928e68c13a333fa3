// mod_rewrite's URL helpers: what httpd's is_absolute_uri, escape_absolute_uri,
// and escape_backref make of their input.

#include "modules/mappers/rewrite/rewrite_engine.h"
#include "modules/mappers/rewrite/rewrite_expand.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers::rewrite {
namespace {

TEST(RewriteUrl, AbsoluteSchemesAsHttpdKnowsThem) {
    bool query = false;
    EXPECT_EQ(absolute_uri_scheme("http://example.com/", &query), 7u);
    EXPECT_TRUE(query);
    EXPECT_EQ(absolute_uri_scheme("HTTPS://x/", &query), 8u);
    EXPECT_EQ(absolute_uri_scheme("ftp://x/a", &query), 6u);
    EXPECT_FALSE(query);  // ftp takes no query: splitout_queryargs leaves it
    EXPECT_EQ(absolute_uri_scheme("mailto:a@b", &query), 7u);
    EXPECT_EQ(absolute_uri_scheme("unix:/run/x.sock|http://h/", &query), 5u);
    EXPECT_EQ(absolute_uri_scheme("unix:///run/x", &query), 7u);
    EXPECT_EQ(absolute_uri_scheme("/http://x", &query), 0u);
    EXPECT_EQ(absolute_uri_scheme("foo://x", &query), 0u);  // unknown scheme: a path
    EXPECT_EQ(absolute_uri_scheme("http:", &query), 0u);    // too short
}

TEST(RewriteUrl, RedirectTargetsAreEscapedAfterTheHost) {
    EXPECT_EQ(escape_absolute_uri("http://h/a b/c?d", 7), "http://h/a%20b/c%3fd");
    EXPECT_EQ(escape_absolute_uri("http://h:81/caf\xc3\xa9", 7), "http://h:81/caf%c3%a9");
    EXPECT_EQ(escape_absolute_uri("http://h", 7), "http://h");
    EXPECT_EQ(escape_absolute_uri("http://h/", 7), "http://h/");
    // ldap: the parts between '?' are escaped one by one.
    EXPECT_EQ(escape_absolute_uri("ldap://h/o=a b?cn?sub", 7), "ldap://h/o=a%20b?cn?sub");
}

RewriteRule rule_with(unsigned flags, std::optional<std::string> escapes = {}, std::optional<std::string> keep = {}) {
    RewriteRule r;
    r.flags = flags | kRuleEscapeBackref;
    r.escapes = std::move(escapes);
    r.noescapes = std::move(keep);
    return r;
}

TEST(RewriteUrl, BackReferenceEscapingFamily) {
    // The values t/modules/rewrite.t expects for "foo/bar/ baz\r".
    const std::string v = "foo/bar/ baz\r";
    EXPECT_EQ(escape_backref(v, rule_with(0)), "foo%2fbar%2f+baz%0d");
    EXPECT_EQ(escape_backref("foo/bar/ baz/", rule_with(0, "/")), "foo%2fbar%2f baz%2f");
    EXPECT_EQ(escape_backref("foo/bar/ baz/\r", rule_with(kRuleEscapeCtls)), "foo/bar/+baz/%0d");
    EXPECT_EQ(escape_backref("foo/bar/ baz/\r", rule_with(kRuleEscapeCtls, {}, " ?")), "foo/bar/ baz/%0d");
    EXPECT_EQ(escape_backref("foo/bar/ baz/\r", rule_with(kRuleEscapeCtls, "/")), "foo%2fbar%2f+baz%2f%0d");
    EXPECT_EQ(escape_backref("foo/bar/ baz/\r", rule_with(0, {}, "/")), "foo/bar/+baz/%0d");
    EXPECT_EQ(escape_backref("a b", rule_with(kRuleEscapeNoPlus)), "a%20b");
}

}  // namespace
}  // namespace sonora::modules::mappers::rewrite
