// mod_alias: alias and redirect entries (server and section level), the
// one-argument <Location> forms, merge order, the overlap warning, errors.

#include "../../support/config_fixture.h"
#include "core/log.h"
#include "modules/core/core_config.h"
#include "modules/mappers/mod_alias.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule alias_module modules/mod_alias.so\n";

const AliasServerConfig& server(const config::Generation& g) {
    return g.main_conf<AliasServerConfig>(alias_module);
}
const AliasDirConfig& location(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_url.at(i)->config.get<AliasDirConfig>(alias_module.index);
}
const AliasDirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<AliasDirConfig>(alias_module.index);
}

ConfigError load_error(const std::string& conf) {
    ConfigRoot root;
    try {
        root.load(kLoad + conf);
    } catch (const ConfigError& e) {
        return e;
    }
    ADD_FAILURE() << "no error for:\n" << conf;
    return ConfigError("none");
}

// Collects startup warnings for the test's lifetime.
struct WarningSink {
    std::vector<std::string> lines;
    WarningSink() {
        set_startup_log_sink([this](LogLevel, std::string_view line) { lines.emplace_back(line); });
    }
    ~WarningSink() { set_startup_log_sink({}); }
};

TEST(ModAlias, AliasesInOrderWithHandlersAndRegexes) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "Alias /icons/ /usr/share/icons/\n"
                       "ScriptAlias /cgi-bin/ /srv/cgi/\n"
                       "AliasMatch ^/img/(.*)\\.png$ /srv/png/$1\n"
                       "ScriptAliasMatch ^/run/(.*) /srv/run/$1\n");
    const auto& a = server(*g).aliases;
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0].fake, "/icons/");
    EXPECT_EQ(a[0].real, "/usr/share/icons/");
    EXPECT_TRUE(a[0].handler.empty());
    EXPECT_FALSE(a[0].regex);
    EXPECT_EQ(a[1].handler, "cgi-script");
    ASSERT_TRUE(a[2].regex);
    EXPECT_TRUE(a[2].regex->matches("/img/x.png"));
    EXPECT_FALSE(a[2].regex->matches("/img/x.gif"));
    EXPECT_EQ(a[2].real, "/srv/png/$1");
    EXPECT_EQ(a[3].handler, "cgi-script");
    EXPECT_TRUE(a[3].regex);
}

TEST(ModAlias, RedirectFormsAndStatuses) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "Redirect /a http://example.com/a\n"
                       "Redirect permanent /b https://example.com/b\n"
                       "Redirect SeeOther /c /local\n"
                       "Redirect gone /d\n"
                       "Redirect 404 /e\n"
                       "Redirect 307 /f x:y\n"
                       "RedirectTemp /g http://t\n"
                       "RedirectPermanent /h http://p\n"
                       "RedirectMatch (.*)\\.gif$ http://img$1.png\n"
                       "RedirectMatch 301 ^/rel relative/$1\n");
    const auto& r = server(*g).redirects;
    ASSERT_EQ(r.size(), 10u);
    EXPECT_EQ(r[0].status, 302);
    EXPECT_EQ(r[0].fake, "/a");
    EXPECT_EQ(r[0].url, "http://example.com/a");
    EXPECT_EQ(r[1].status, 301);
    EXPECT_EQ(r[2].status, 303);
    EXPECT_EQ(r[2].url, "/local");
    EXPECT_EQ(r[3].status, 410);
    EXPECT_EQ(r[3].fake, "/d");
    EXPECT_FALSE(r[3].url);
    EXPECT_EQ(r[4].status, 404);
    EXPECT_EQ(r[5].status, 307);
    EXPECT_EQ(r[6].status, 302);
    EXPECT_EQ(r[7].status, 301);
    ASSERT_TRUE(r[8].regex);
    EXPECT_TRUE(r[8].regex->matches("/x.gif"));
    EXPECT_EQ(r[9].url, "relative/$1");  // RedirectMatch does not check the target
    EXPECT_TRUE(server(*g).aliases.empty());
}

TEST(ModAlias, SectionFormsGoToTheDirectoryConfig) {
    ConfigRoot root;
    auto g = root.load(
        kLoad +
        "<Location /old>\nRedirect http://new.example/\n</Location>\n"
        "<Location /gone>\nRedirect gone\n</Location>\n"
        "<Location /img>\nAlias /srv/img\n</Location>\n"
        "<Location /cgi>\nScriptAlias \"/srv/%{REQUEST_METHOD}\"\nAliasPreservePath "
        "on\n</Location>\n"
        "<Directory /srv>\nRedirect /x http://y\nRedirect 301 http://z\nRedirectRelative on\n"
        "</Directory>\n");
    EXPECT_TRUE(server(*g).redirects.empty());
    const auto& old = location(*g, 0);
    ASSERT_TRUE(old.redirect);
    EXPECT_EQ(old.redirect->status, 302);
    EXPECT_EQ(old.redirect->text, "http://new.example/");
    EXPECT_TRUE(old.redirect->target);
    ASSERT_TRUE(location(*g, 1).redirect);
    EXPECT_EQ(location(*g, 1).redirect->status, 410);
    EXPECT_FALSE(location(*g, 1).redirect->target);
    const auto& img = location(*g, 2);
    ASSERT_TRUE(img.alias);
    EXPECT_EQ(img.alias->fake, "/img");
    EXPECT_EQ(img.alias->text, "/srv/img");
    EXPECT_TRUE(img.alias->handler.empty());
    const auto& cgi = location(*g, 3);
    ASSERT_TRUE(cgi.alias);
    EXPECT_EQ(cgi.alias->handler, "cgi-script");
    EXPECT_EQ(cgi.preserve_path, true);
    const auto& d = dir_section(*g, 0);
    ASSERT_EQ(d.redirects.size(), 1u);
    EXPECT_EQ(d.redirects[0].fake, "/x");
    ASSERT_TRUE(d.redirect);
    EXPECT_EQ(d.redirect->status, 301);
    EXPECT_EQ(d.allow_relative, true);
}

TEST(ModAlias, MergeOrderChildFirst) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "Alias /main /m\nRedirect /r1 http://main\nRedirectRelative off\n"
                       "<VirtualHost *:80>\nAlias /vh /v\nRedirect /r2 http://vh\n</VirtualHost>\n"
                       "<Directory /a>\nRedirect /d1 http://a\nAliasPreservePath on\n</Directory>\n"
                       "<Directory /a/b>\nRedirect /d2 http://b\n</Directory>\n");
    const auto& vh =
        config::Generation::server_conf<AliasServerConfig>(*g->vhosts.at(0), alias_module);
    ASSERT_EQ(vh.aliases.size(), 2u);
    EXPECT_EQ(vh.aliases[0].fake, "/vh");
    EXPECT_EQ(vh.aliases[1].fake, "/main");
    ASSERT_EQ(vh.redirects.size(), 2u);
    EXPECT_EQ(vh.redirects[0].fake, "/r2");
    const auto& top = *g->main.lookup_defaults.get<AliasDirConfig>(alias_module.index);
    auto m =
        AliasDirConfig::merge(AliasDirConfig::merge(top, dir_section(*g, 0)), dir_section(*g, 1));
    ASSERT_EQ(m.redirects.size(), 2u);
    EXPECT_EQ(m.redirects[0].fake, "/d2");
    EXPECT_EQ(m.redirects[1].fake, "/d1");
    EXPECT_EQ(m.allow_relative, false);
    EXPECT_EQ(m.preserve_path, true);
}

TEST(ModAlias, OverlapWarning) {
    WarningSink sink;
    ConfigRoot root;
    root.load(kLoad +
              "Alias /a /b\nAlias /a/c /d\nAliasMatch ^/x /y\nScriptAlias /x/y /z\nAlias /ab /q\n");
    ASSERT_EQ(sink.lines.size(), 2u);
    const std::string file = root.conf_path();
    EXPECT_NE(sink.lines[0].find("[alias:warn]"), std::string::npos);
    EXPECT_NE(sink.lines[0].find(
                  "The Alias directive in " + file +
                  " at line 3 will probably never match because it overlaps an earlier Alias."),
              std::string::npos);
    EXPECT_NE(
        sink.lines[1].find(
            "The ScriptAlias directive in " + file +
            " at line 5 will probably never match because it overlaps an earlier AliasMatch."),
        std::string::npos);
}

TEST(ModAlias, PrefixMatch) {
    EXPECT_EQ(alias_prefix_match("/a/b", "/a"), 2u);
    EXPECT_EQ(alias_prefix_match("/a", "/a"), 2u);
    EXPECT_EQ(alias_prefix_match("/ab", "/a"), 0u);
    EXPECT_EQ(alias_prefix_match("/ab", "/a/"), 0u);
    EXPECT_EQ(alias_prefix_match("//a///b/c", "/a/b"), 7u);
    EXPECT_EQ(alias_prefix_match("/a/b", "/a/"), 3u);
    EXPECT_EQ(alias_prefix_match("/b", "/a"), 0u);
}

TEST(ModAlias, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::string conf;
        std::string message;
        int line;  // counted after the LoadModule line
    };
    const Case cases[] = {
        {"Alias /a", "Alias must have two arguments when used globally", 1},
        {"ScriptAlias /a", "Alias must have two arguments when used globally", 1},
        {"<Location /x>\nAlias /a /b\n</Location>", "Alias cannot occur within directory context",
         2},
        {"<If \"true\">\nScriptAlias /a /b\n</If>",
         "ScriptAlias cannot occur within directory context", 2},
        {"<Directory /x>\nAlias /b\n</Directory>", "Alias cannot occur within <Directory> section",
         2},
        {"<Directory /x>\n<If \"true\">\nAlias /b\n</If>\n</Directory>",
         "Alias cannot occur within <Directory> section", 3},
        {"<Location /x>\n<If \"true\">\nAlias /b\n</If>\n</Location>",
         "Alias cannot occur within <If> section", 3},
        {"<Files x>\nScriptAlias /b\n</Files>", "ScriptAlias cannot occur within <Files> section",
         2},
        {"<Location /x>\nAlias \"%{foo\"\n</Location>",
         "Cannot parse alias expression '%{foo': syntax error, unexpected T_ERROR, expecting "
         "T_VAR_END or ':': "
         "Unterminated string or variable",
         2},
        {"<Location /x>\nAliasMatch /a /b\n</Location>",
         "AliasMatch not allowed in <Location> context", 2},
        {"AliasMatch ( /b", "Regular expression could not be compiled.", 1},
        {"ScriptAliasMatch ( /b", "Regular expression could not be compiled.", 1},
        {"Redirect /a", "URL to redirect to is missing", 1},
        {"Redirect 301", "URL to redirect to is missing", 1},
        {"Redirect permanent /a", "URL to redirect to is missing", 1},
        {"<VirtualHost *:80>\nRedirect http://y\n</VirtualHost>", "URL to redirect to is missing",
         2},
        {"Redirect foo /a http://x", "Redirect: invalid first argument (of three)", 1},
        {"RedirectMatch foo /a http://x", "Redirect: invalid first argument (of three)", 1},
        {"Redirect gone /a http://x", "Redirect URL not valid for this status", 1},
        {"Redirect 200 /a http://x", "Redirect URL not valid for this status", 1},
        {"Redirect 3000 /a http://x", "Redirect URL not valid for this status", 1},
        {"RedirectMatch 404 /a http://x", "Redirect URL not valid for this status", 1},
        {"Redirect /a relative", "Redirect to non-URL", 1},
        {"Redirect permanent /a :y", "Redirect to non-URL", 1},
        {"RedirectTemp /a rel", "Redirect to non-URL", 1},
        {"RedirectMatch ( http://x", "Regular expression could not be compiled.", 1},
        {"RedirectMatch gone (", "Regular expression could not be compiled.", 1},
        {"<Location /x>\nRedirect \"%{foo\"\n</Location>",
         "Cannot parse redirect expression '%{foo': syntax error, unexpected T_ERROR, expecting "
         "T_VAR_END or ':': "
         "Unterminated string or variable",
         2},
        {"AliasPreservePath x", "AliasPreservePath must be On or Off", 1},
        {"Redirect 301 /a b c",
         "Redirect takes one, two or three arguments, optional status (permanent, temp, seeother, "
         "gone or a code), "
         "URL-path, target URL",
         1},
        {"Alias /a /b /c",
         "Alias takes 1-2 arguments, URL-path and the file-system path it maps to; inside "
         "<Location>, the target "
         "alone",
         1},
    };
    for (const Case& c : cases) {
        ConfigError e = load_error(c.conf);
        EXPECT_EQ(e.what(), c.message) << c.conf;
        EXPECT_EQ(e.line, c.line + 1) << c.conf;
    }
}

TEST(ModAlias, AcceptedLikeHttpd) {
    ConfigRoot root;
    EXPECT_NO_THROW(
        root.load(kLoad +
                  "Redirect gone\nRedirect a http://x\nRedirect 404 /a\n"
                  "<If \"true\">\nRedirect http://y\n</If>\n"
                  "<LocationMatch /x>\nAlias /b\n</LocationMatch>\n"
                  "<Location /x>\nRedirectMatch permanent http://x\nRedirect foo\n</Location>\n"));
}

TEST(ModAlias, InvalidCommandWhenNotLoaded) {
    ConfigRoot root;
    try {
        root.load("ServerName x\nAlias /a /b\n");
        ADD_FAILURE() << "Alias accepted without LoadModule";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'Alias', perhaps misspelled or defined by a module not included "
                  "in the server "
                  "configuration");
        EXPECT_EQ(e.line, 2);
    }
    auto g = root.load("<IfModule mod_alias.c>\nAlias /a /b\n</IfModule>\n");
    EXPECT_FALSE(g->modules.enabled(alias_module));
}

// ---- request time ----

TEST(ModAliasRedirect, EscapesAsApEscapePath) {
    EXPECT_EQ(escape_path("/a b/c%d?e#f\"<>"), "/a%20b/c%25d%3fe%23f%22%3c%3e");
    EXPECT_EQ(escape_path("$-_.+!*'(),:;@&=/~AZaz09"), "$-_.+!*'(),:;@&=/~AZaz09");
    EXPECT_EQ(escape_path("\xc3\xa9"), "%c3%a9");
}

TEST(ModAliasRedirect, SubstitutesGroupsAsApPregsub) {
    std::vector<std::string_view> groups = {"/img/a.gif", "a"};
    EXPECT_EQ(substitute_groups("http://x/$1.png", groups), "http://x/a.png");
    EXPECT_EQ(substitute_groups("$0|$2|$9", groups), "/img/a.gif||");
    EXPECT_EQ(substitute_groups("a&b\\&c\\$1$", groups), "a&b&c$1$");
}

TEST(ModAliasRedirect, EscapesUpToTheQueryAndDropsDefaultPorts) {
    EXPECT_EQ(escape_redirect_url("http://x/a b?c d#e f"), "http://x/a%20b?c d#e f");
    EXPECT_EQ(escape_redirect_url("http://x:80/a"), "http://x/a");
    EXPECT_EQ(escape_redirect_url("HTTPS://u@x:443"), "HTTPS://u@x");
    EXPECT_EQ(escape_redirect_url("https://x:80/"), "https://x:80/");
    EXPECT_EQ(escape_redirect_url("/local%41"), "/local%2541");
}

TEST(ModAliasRedirect, FirstMatchWinsWithTheRestAppended) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "Redirect /a http://x/b\n"
                       "Redirect gone /a/old\n"
                       "RedirectMatch 301 ^/m/(.*)$ http://m/$1\n"
                       "Redirect /a/z http://never/\n");
    const auto& list = server(*g).redirects;
    auto hit = find_redirect(list, "//a//c d");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->target, "http://x/b//c%20d");  // only the prefix absorbs slashes
    EXPECT_EQ(hit->status, 302);
    EXPECT_EQ(find_redirect(list, "/a/z")->target, "http://x/b/z");
    EXPECT_FALSE(find_redirect(list, "/ab"));
    hit = find_redirect(list, "/m/x y");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->target, "http://m/x%20y");
    EXPECT_EQ(hit->status, 301);
    EXPECT_FALSE(find_redirect(list, "/"));
}

TEST(ModAliasRedirect, StatusesWithoutUrlHitWithAnEmptyTarget) {
    ConfigRoot root;
    auto g = root.load(kLoad + "Redirect gone /old\nRedirect 404 /x\n");
    auto hit = find_redirect(server(*g).redirects, "/old/y");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->status, 410);
    EXPECT_EQ(hit->target, "");
    EXPECT_EQ(find_redirect(server(*g).redirects, "/x")->status, 404);
}

}  // namespace
}  // namespace sonora::modules::mappers
