// mod_headers' directives: how Header and RequestHeader read their words
// (condition, action, clause), the value's format, the merge, and httpd's
// messages for what it refuses.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/metadata/mod_headers.h"

#include <gtest/gtest.h>

namespace sonora::modules::metadata {
namespace {

using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule headers_module modules/mod_headers.so\nServerName x\n";

const HeadersDirConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<HeadersDirConfig>(headers_module.index);
}

TEST(ModHeaders, WordsGoWhereHttpdPutsThem) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "Header set X-A \"one two\"\n"
                       "Header always append X-B v env=!NOPE\n"
                       "Header onsuccess unset X-C\n"
                       "Header unset X-D early\n"
                       "Header echo ^X-E\n"
                       "Header edit* X-F:ignored ^a b expr=true\n"
                       "RequestHeader setifempty X-G \"expr=%{REMOTE_ADDR}\"\n"
                       "RequestHeader note X-H key\n");
    const auto& c = defaults(*g);
    ASSERT_EQ(c.on_success.size(), 5u);
    ASSERT_EQ(c.always.size(), 1u);
    ASSERT_EQ(c.request.size(), 2u);
    EXPECT_EQ(c.on_success[0].action, HeaderAction::Set);
    ASSERT_EQ(c.on_success[0].format.size(), 1u);
    EXPECT_EQ(c.on_success[0].format[0].text, "one two");
    EXPECT_EQ(c.always[0].action, HeaderAction::Append);
    EXPECT_EQ(c.always[0].env, "NOPE");
    EXPECT_TRUE(c.always[0].env_negated);
    EXPECT_EQ(c.on_success[1].action, HeaderAction::Unset);
    EXPECT_FALSE(c.on_success[1].early);
    EXPECT_TRUE(c.on_success[2].early);  // unset's second word is its clause
    EXPECT_EQ(c.on_success[3].action, HeaderAction::Echo);
    ASSERT_TRUE(c.on_success[3].regex);
    EXPECT_TRUE(c.on_success[3].regex->matches("X-Echo"));
    EXPECT_EQ(c.on_success[4].header, "X-F");  // cut at ':'
    EXPECT_EQ(c.request[0].action, HeaderAction::SetIfEmpty);
    EXPECT_TRUE(c.request[0].value_expr);
    EXPECT_EQ(c.request[1].action, HeaderAction::Note);
}

TEST(ModHeaders, EditTakesAMatchAndASubstitution) {
    ConfigRoot root;
    auto g = root.load(kLoad + "<Location /x>\nHeader always edit* X-F:ignored ^a b expr=true\n</Location>\n");
    const auto& loc = server_config(g->main).sec_url.at(0)->config;
    const auto& c = *loc.get<HeadersDirConfig>(headers_module.index);
    ASSERT_EQ(c.always.size(), 1u);
    const HeaderEntry& e = c.always[0];
    EXPECT_EQ(e.action, HeaderAction::EditAll);
    EXPECT_EQ(e.header, "X-F");
    ASSERT_TRUE(e.regex);
    EXPECT_EQ(e.regex->pattern(), "^a");
    ASSERT_EQ(e.format.size(), 1u);
    EXPECT_EQ(e.format[0].text, "b");
    EXPECT_TRUE(e.condition);
}

TEST(ModHeaders, FormatTagsAndEscapes) {
    std::vector<FormatPiece> f;
    ASSERT_FALSE(parse_header_format("a\\tb\\n\\\\\\q %% %D %t %{HOME}e %{X}s %l %i %b %", f));
    std::string shape;
    for (const FormatPiece& p : f) {
        shape += p.tag == 0 ? "[" + p.text + "]" : std::string("%") + p.tag + (p.text.empty() ? "" : "{" + p.text + "}");
    }
    EXPECT_EQ(shape, "[a\tb\n\\\\q ][%][ ]%D[ ]%t[ ]%e{HOME}[ ]%s{X}[ ]%l[ ]%i[ ]%b[ ][%]");
    f.clear();
    EXPECT_EQ(parse_header_format("x %z", f), "Unrecognized header format %z");
    EXPECT_EQ(parse_header_format("%{open", f), "Unrecognized header format %");
}

TEST(ModHeaders, ListsAppendAcrossSections) {
    auto named = [](const char* name) {
        HeaderEntry e;
        e.header = name;
        return e;
    };
    HeadersDirConfig base;
    base.on_success.push_back(named("A"));
    HeadersDirConfig add;
    add.on_success.push_back(named("B"));
    add.request.push_back(named("C"));
    const HeadersDirConfig m = HeadersDirConfig::merge(base, add);
    ASSERT_EQ(m.on_success.size(), 2u);
    EXPECT_EQ(m.on_success[0].header, "A");
    EXPECT_EQ(m.on_success[1].header, "B");
    EXPECT_EQ(m.request.size(), 1u);
}

// The messages are httpd 2.4's, checked with apache2 -t.
TEST(ModHeaders, RefusalsNameTheProblem) {
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"Header bogus X y", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', "
                             "'unset', 'echo', 'note', 'edit', or 'edit*'."},
        {"RequestHeader always set X y", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', "
                                         "'unset', 'echo', 'note', 'edit', or 'edit*'."},
        {"Header set X", "Header requires three arguments"},
        {"Header set X y env=A z", "Too many arguments to directive"},
        {"Header set X y a b c", "Header has too many arguments"},
        {"Header unset X a b", "header unset takes two arguments"},
        {"Header echo X a b", "Header echo takes two arguments"},
        {"RequestHeader echo X", "Header echo only valid on Header directives"},
        {"Header edit X ^a", "Header edit requires a match and a substitution"},
        {"Header edit X ( b", "Header edit regex could not be compiled"},
        {"Header set X y env=", "error: missing environment variable name. envclause should be in the form env=envar "},
        {"Header set X y env=!", "error: missing environment variable name. envclause should be in the form env=envar "},
        {"Header set X y sometimes", "Unknown parameter: sometimes"},
        {"Header set X %z", "Unrecognized header format %z"},
    };
    for (const Case& c : cases) {
        const test::Refusal r = test::refusal(kLoad + c.conf + "\n");
        EXPECT_EQ(r.message, c.message) << c.conf;
        EXPECT_EQ(r.line, 3) << c.conf;
    }
}

}  // namespace
}  // namespace sonora::modules::metadata
