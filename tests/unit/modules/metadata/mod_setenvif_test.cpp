// mod_setenvif: conditions (server vs section level), subjects, regexes,
// actions, joining of repeated conditions, SetEnvIfExpr, merge, errors.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/metadata/mod_setenvif.h"

#include <gtest/gtest.h>

namespace sonora::modules::metadata {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;
using Subject = SetEnvIfCondition::Subject;
using Actions = std::vector<std::pair<std::string, std::optional<std::string>>>;

const std::string kLoad = "LoadModule setenvif_module modules/mod_setenvif.so\n";

const SetEnvIfConfig& server(const config::Generation& g) {
    return g.main_conf<SetEnvIfConfig>(setenvif_module);
}
const SetEnvIfConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<SetEnvIfConfig>(setenvif_module.index);
}

TEST(ModSetEnvIf, ServerLevelConditions) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "SetEnvIf Request_URI \"\\.gif$\" !a b=c d\n"
                       "SetEnvIfNoCase ^X-Custom- ^yes$ custom\n"
                       "BrowserMatch ^Mozilla/4 nokeepalive\n"
                       "BrowserMatch ^Mozilla/4 downgrade=1.0 nokeepalive=0\n"
                       "BrowserMatchNoCase msie ie\n"
                       "SetEnvIf remote_addr ^10\\. internal\n"
                       "SetEnvIfExpr \"%{REQUEST_METHOD} == 'GET'\" get x=\n");
    const auto& c = server(*g).conditions;
    ASSERT_EQ(c.size(), 6u);
    EXPECT_EQ(c[0].subject, Subject::RequestUri);
    EXPECT_EQ(c[0].pattern, "\\.gif$");
    ASSERT_TRUE(c[0].regex);
    EXPECT_TRUE(c[0].regex->matches("/x.gif"));
    EXPECT_EQ(c[0].actions, (Actions{{"a", std::nullopt}, {"b", "c"}, {"d", "1"}}));
    EXPECT_EQ(c[1].subject, Subject::Header);
    ASSERT_TRUE(c[1].name_regex);
    EXPECT_TRUE(c[1].name_regex->matches("x-custom-thing"));
    EXPECT_TRUE(c[1].nocase);
    EXPECT_TRUE(c[1].regex->matches("YES"));
    // Same attribute and pattern on consecutive lines: one condition.
    EXPECT_EQ(c[2].name, "User-Agent");
    EXPECT_FALSE(c[2].name_regex);
    EXPECT_FALSE(c[2].nocase);
    EXPECT_EQ(c[2].actions, (Actions{{"nokeepalive", "0"}, {"downgrade", "1.0"}}));
    EXPECT_TRUE(c[3].nocase);
    EXPECT_TRUE(c[3].regex->matches("MSIE 6"));
    EXPECT_EQ(c[4].subject, Subject::RemoteAddr);
    EXPECT_EQ(c[5].subject, Subject::Expr);
    EXPECT_EQ(c[5].expr_text, "%{REQUEST_METHOD} == 'GET'");
    EXPECT_TRUE(c[5].expr);
    EXPECT_EQ(c[5].actions, (Actions{{"get", "1"}, {"x", "1"}}));
    EXPECT_TRUE(
        g->main.lookup_defaults.get<SetEnvIfConfig>(setenvif_module.index)->conditions.empty());
}

TEST(ModSetEnvIf, SectionConditionsAndMerge) {
    ConfigRoot root;
    auto g =
        root.load(kLoad +
                  "SetEnvIf Host a srv\n"
                  "<VirtualHost *:80>\nSetEnvIf Host b vh\n</VirtualHost>\n"
                  "<Directory /srv>\nSetEnvIf Host c dir1\nSetEnvIf Host c dir1b\n</Directory>\n"
                  "<Directory /srv/sub>\nSetEnvIf Host d dir2\n</Directory>\n");
    EXPECT_EQ(server(*g).conditions.size(), 1u);
    const auto& vh =
        config::Generation::server_conf<SetEnvIfConfig>(*g->vhosts.at(0), setenvif_module);
    ASSERT_EQ(vh.conditions.size(), 2u);  // main's, then the vhost's
    EXPECT_EQ(vh.conditions[0].pattern, "a");
    EXPECT_EQ(vh.conditions[1].pattern, "b");
    ASSERT_EQ(dir_section(*g, 0).conditions.size(), 1u);
    EXPECT_EQ(dir_section(*g, 0).conditions[0].actions, (Actions{{"dir1", "1"}, {"dir1b", "1"}}));
    auto m = SetEnvIfConfig::merge(dir_section(*g, 0), dir_section(*g, 1));
    ASSERT_EQ(m.conditions.size(), 2u);
    EXPECT_EQ(m.conditions[0].pattern, "c");
    EXPECT_EQ(m.conditions[1].pattern, "d");
}

TEST(ModSetEnvIf, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"SetEnvIf", "Missing header-field name for SetEnvIf"},
        {"SetEnvIf User-Agent", "Missing regular expression for SetEnvIf"},
        {"SetEnvIf User-Agent foo", "Missing envariable expression for SetEnvIf"},
        {"SetEnvIf User-Agent ( a", "SetEnvIf regex could not be compiled."},
        {"SetEnvIf ( foo a", "SetEnvIfHeader name regex could not be compiled."},
        {"SetEnvIfNoCase Us(er foo a", "SetEnvIfNoCaseHeader name regex could not be compiled."},
        {"BrowserMatch", "Missing regular expression for BrowserMatch"},
        {"BrowserMatch foo", "Missing envariable expression for BrowserMatch"},
        {"BrowserMatchNoCase ( a", "BrowserMatchNoCase regex could not be compiled."},
        {"SetEnvIfExpr", "Missing expression for SetEnvIfExpr"},
        {"SetEnvIfExpr \"true\"", "Missing envariable expression for SetEnvIfExpr"},
        {"SetEnvIfExpr \"true ==\" a",
         "Could not parse expression \"true ==\": syntax error, unexpected T_OP_STR_EQ, expecting "
         "$end"},
        {"SetEnvIfExpr \"%{FOO} == 1\" a",
         "Could not parse expression \"%{FOO} == 1\": Variable 'FOO' does not exist"},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(kLoad + "ServerName x\n" + c.conf);
            ADD_FAILURE() << "no error for " << c.conf;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), c.message);
            EXPECT_EQ(e.line, 3);
        }
    }
    ConfigRoot root;
    try {
        root.load("BrowserMatch x y\n");
        ADD_FAILURE() << "BrowserMatch accepted without LoadModule";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'BrowserMatch', perhaps misspelled or defined by a module not "
                  "included in the "
                  "server configuration");
    }
}

}  // namespace
}  // namespace sonora::modules::metadata
