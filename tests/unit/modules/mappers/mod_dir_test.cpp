// mod_dir: DirectoryIndex list rules (append within a context, replace across
// contexts, "disabled"), flags, DirectoryIndexRedirect values, errors.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/mappers/mod_dir.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;
using Names = std::vector<std::string>;

const DirConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<DirConfig>(dir_module.index);
}
const DirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<DirConfig>(dir_module.index);
}

TEST(ModDir, DirectoryIndexLinesAppendWithinAContext) {
    // Checked against httpd 2.4: with "DirectoryIndex b.html" then "DirectoryIndex
    // a.html", b.html is still served first.
    ConfigRoot root;
    auto g = root.load("DirectoryIndex index.html index.php\nDirectoryIndex default.htm\n");
    EXPECT_EQ(defaults(*g).index_names, (Names{"index.html", "index.php", "default.htm"}));
}

TEST(ModDir, DisabledAloneEmptiesTheList) {
    ConfigRoot root;
    auto g = root.load(
        "DirectoryIndex a.html\nDirectoryIndex Disabled\nDirectoryIndex b.html\n"
        "<Directory /x>\nDirectoryIndex disabled\n</Directory>\n"
        "<Directory /y>\nDirectoryIndex disabled c.html\n</Directory>\n"
        "<Directory /z>\nDirectoryIndex c.html disabled\n</Directory>\n"
        "<Directory /w>\nDirectoryIndex\n</Directory>\n");
    EXPECT_EQ(defaults(*g).index_names, (Names{"b.html"}));
    EXPECT_EQ(dir_section(*g, 0).index_names, Names{});
    EXPECT_EQ(dir_section(*g, 1).index_names, (Names{"disabled", "c.html"}));
    EXPECT_EQ(dir_section(*g, 2).index_names, (Names{"c.html", "disabled"}));
    EXPECT_EQ(dir_section(*g, 3).index_names, Names{});  // set, and empty
}

TEST(ModDir, ChildReplacesAndInheritsField) {
    ConfigRoot root;
    auto g = root.load(
        "DirectoryIndex index.html\nDirectorySlash off\nFallbackResource "
        "/index.php\nDirectoryIndexRedirect on\n"
        "<Directory /srv>\nDirectoryIndex home.html\nDirectoryCheckHandler on\n</Directory>\n"
        "<Directory /srv/sub>\nFallbackResource disabled\nDirectorySlash on\n</Directory>\n");
    auto m = DirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(m.index_names, (Names{"home.html"}));
    EXPECT_EQ(m.directory_slash, false);
    EXPECT_EQ(m.check_handler, true);
    EXPECT_EQ(m.index_redirect, 302);
    ASSERT_NE(m.fallback(), nullptr);
    EXPECT_EQ(*m.fallback(), "/index.php");
    auto m2 = DirConfig::merge(m, dir_section(*g, 1));
    EXPECT_EQ(m2.index_names, (Names{"home.html"}));
    EXPECT_EQ(m2.directory_slash, true);
    EXPECT_EQ(m2.fallback_resource, "disabled");
    EXPECT_EQ(m2.fallback(), nullptr);
    // Unset everywhere: nothing stored.
    auto g2 = root.load("ServerName x\n");
    EXPECT_FALSE(defaults(*g2).index_names);
    EXPECT_FALSE(defaults(*g2).directory_slash);
}

TEST(ModDir, IndexRedirectValues) {
    const std::pair<std::string, int> cases[] = {
        {"on", 302},       {"OFF", 0},   {"permanent", 301}, {"Temp", 302},
        {"seeother", 303}, {"300", 300}, {"399", 399},       {"301abc", 301},
    };
    for (const auto& [word, status] : cases) {
        ConfigRoot root;
        auto g = root.load("DirectoryIndexRedirect " + word + "\n");
        EXPECT_EQ(defaults(*g).index_redirect, status) << word;
    }
}

TEST(ModDir, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::string conf;
        std::string message;
        int line;
    };
    const Case cases[] = {
        {"DirectoryIndexRedirect foo", "DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx",
         1},
        {"ServerName x\nDirectoryIndexRedirect 200",
         "DirectoryIndexRedirect only accepts values between 300 and 399", 2},
        {"DirectoryIndexRedirect 400",
         "DirectoryIndexRedirect only accepts values between 300 and 399", 1},
        {"DirectoryIndexRedirect 3xx",
         "DirectoryIndexRedirect only accepts values between 300 and 399", 1},
        {"DirectoryIndexRedirect 0",
         "DirectoryIndexRedirect only accepts values between 300 and 399", 1},
        {"DirectorySlash maybe", "DirectorySlash must be On or Off", 1},
        {"DirectoryCheckHandler x", "DirectoryCheckHandler must be On or Off", 1},
        {"FallbackResource a b",
         "FallbackResource takes one argument, URL-path served when nothing else matches, or "
         "'disabled'",
         1},
        {"DirectoryIndexRedirect a b",
         "DirectoryIndexRedirect takes one argument, redirect to the index file: On, Off, "
         "permanent, temp, seeother "
         "or a 3xx code",
         1},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(c.conf);
            ADD_FAILURE() << "no error for " << c.conf;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), c.message) << c.conf;
            EXPECT_EQ(e.line, c.line) << c.conf;
        }
    }
}

TEST(ModDir, IsStatic) {
    ConfigRoot root;
    auto g = root.load("<IfModule dir_module>\nDirectoryIndex x\n</IfModule>\n");
    EXPECT_EQ(defaults(*g).index_names, (Names{"x"}));
}

}  // namespace
}  // namespace sonora::modules::mappers
