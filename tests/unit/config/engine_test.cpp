// Reading and applying configuration: conditionals, defines, includes, case
// and quoting, sections, and the virtual host merge.

#include "../support/config_fixture.h"
#include "core/log.h"
#include "modules/core/core_config.h"
#include "modules/core/http_core.h"
#include "modules/core/mod_unixd.h"
#include "modules/core/mpm.h"

#include <gtest/gtest.h>

namespace sonora::config {
namespace {

using modules::core::core_module;
using modules::core::CoreDirConfig;
using modules::core::CoreServerConfig;
using modules::core::server_config;
using modules::core::Section;
using sonora::test::ConfigRoot;

const CoreServerConfig& main_core(const Generation& g) { return server_config(g.main); }

TEST(Engine, DirectiveNamesAreCaseInsensitive) {
    ConfigRoot root;
    auto g = root.load("servername Example.COM\nKEEPALIVE off\n<directory /srv>\noptions -Indexes\n</DIRECTORY>\n");
    EXPECT_EQ(main_core(*g).server_name, "Example.COM");
    const auto* http = g->main.module_config.get<modules::core::HttpCoreConfig>(modules::core::http_module.index);
    EXPECT_EQ(http->keep_alive, false);
    ASSERT_EQ(main_core(*g).sec_dir.size(), 1u);
    EXPECT_EQ(main_core(*g).sec_dir[0]->pattern, "/srv/");
}

TEST(Engine, QuotingAndContinuation) {
    ConfigRoot root;
    root.write("my docs/index.html", "x");
    auto g = root.load("DocumentRoot \"my docs\"\nServerAdmin \\\n   'webmaster@example.com'\n");
    EXPECT_EQ(main_core(*g).document_root, root.path() + "/my docs");
    EXPECT_EQ(main_core(*g).server_admin, "webmaster@example.com");
}

TEST(Engine, ConditionalsChooseWhatIsRead) {
    ConfigRoot root;
    root.write("present.txt", "");
    auto g = root.load(
        "<IfModule mod_so.c>\nServerAdmin so@x\n</IfModule>\n"
        "<IfModule !so_module>\nBogus never read\n</IfModule>\n"
        "<IfModule mod_nope.c>\n<Directory /x>\nBogus\n</Directory>\n</IfModule>\n"
        "<IfDefine !NOT_SET>\nServerName defined-check\n</IfDefine>\n"
        "<IfFile present.txt>\nKeepAlive Off\n</IfFile>\n"
        "<IfFile !/nonexistent>\nTimeout 42\n</IfFile>\n"
        "<IfFile !\"present.txt\">\nBogus never read\n</IfFile>\n"
        "<IfFile \"present.txt\">\nTraceEnable Off\n</IfFile>\n"
        "<IfDirective KeepAliveTimeout>\nKeepAliveTimeout 7\n</IfDirective>\n"
        "<IfDirective !NoSuchDirective>\nMaxKeepAliveRequests 9\n</IfDirective>\n"
        "<IfSection VirtualHost>\nLimitRequestLine 1000\n</IfSection>\n"
        "<IfSection !NoSuchSection>\nLimitRequestFields 50\n</IfSection>\n"
        "<IfVersion >= 2.4>\nLimitRequestFieldSize 4000\n</IfVersion>\n"
        "<IfVersion < 2.0>\nBogus\n</IfVersion>\n"
        "<IfVersion ~ ^2\\.4\\.>\nServerTokens Minor\n</IfVersion>\n");
    const auto& c = main_core(*g);
    EXPECT_EQ(c.server_admin, "so@x");
    EXPECT_EQ(c.server_name, "defined-check");
    EXPECT_EQ(c.timeout_ms, 42000);
    EXPECT_EQ(c.limit_request_line, 1000);
    EXPECT_EQ(c.limit_request_fields, 50);
    EXPECT_EQ(c.limit_request_fieldsize, 4000);
    EXPECT_EQ(c.server_tokens, "Minor");
    EXPECT_EQ(c.trace_enable, modules::core::Tristate::Off);  // a quoted <IfFile> path, with or without '!'
    const auto* http = g->main.module_config.get<modules::core::HttpCoreConfig>(modules::core::http_module.index);
    EXPECT_EQ(http->keep_alive, false);
    EXPECT_EQ(http->keep_alive_timeout_ms, 7000);
    EXPECT_EQ(http->max_keep_alive_requests, 9);
}

TEST(Engine, ConditionalsNestInsideSections) {
    ConfigRoot root;
    auto g = root.load("<Directory /a>\n<IfModule mod_so.c>\nOptions Indexes\n</IfModule>\n</Directory>\n");
    ASSERT_EQ(main_core(*g).sec_dir.size(), 1u);
    const auto* d = main_core(*g).sec_dir[0]->config.get<CoreDirConfig>(core_module.index);
    ASSERT_TRUE(d->options);
    EXPECT_EQ(d->options->apply(0), modules::core::kOptIndexes);
}

TEST(Engine, DefinesAndVariables) {
    ConfigRoot root;
    ::setenv("SONORA_ENGINE_TEST_USER", "www-data", 1);
    std::vector<std::string> warnings;
    set_startup_log_sink([&](LogLevel, std::string_view line) { warnings.emplace_back(line); });
    auto g = root.load(
        "Define DOCS htdocs\nDefine FLAG\nDocumentRoot ${DOCS}\nUser ${SONORA_ENGINE_TEST_USER}\n"
        "ServerAdmin ${NOT_DEFINED_ANYWHERE}\n<IfDefine FLAG>\nUnDefine FLAG\n</IfDefine>\n"
        "<IfDefine FLAG>\nBogus\n</IfDefine>\n");
    set_startup_log_sink({});
    EXPECT_EQ(main_core(*g).document_root, root.path() + "/htdocs");
    EXPECT_EQ(main_core(*g).server_admin, "${NOT_DEFINED_ANYWHERE}");
    const auto* ux = g->main.module_config.get<modules::core::UnixdConfig>(modules::core::unixd_module.index);
    EXPECT_EQ(ux->user, "www-data");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("[core:warn]"), std::string::npos);
    EXPECT_NE(warnings[0].find("SN00111: Config variable ${NOT_DEFINED_ANYWHERE} is not defined"),
              std::string::npos);
    EXPECT_FALSE(g->defines.defined("FLAG"));
}

TEST(Engine, IncludesKeepOrderAndSectionPlacement) {
    ConfigRoot root;
    root.write("conf/d/10-a.conf", "ServerAdmin first@x\n");
    root.write("conf/d/20-b.conf", "ServerAdmin second@x\n");
    root.write("conf/inner.conf", "Options ExecCGI\n");
    auto g = root.load("IncludeOptional conf/none/*.conf\nInclude conf/d/\n<Directory /x>\nInclude conf/inner.conf\n"
                       "</Directory>\n");
    EXPECT_EQ(main_core(*g).server_admin, "second@x");
    const auto* d = main_core(*g).sec_dir[0]->config.get<CoreDirConfig>(core_module.index);
    EXPECT_EQ(d->options->apply(0), modules::core::kOptExecCgi);
    ASSERT_EQ(g->config_files.size(), 4u);
    EXPECT_EQ(g->config_files[1].path, root.path() + "/conf/d/10-a.conf");
    EXPECT_EQ(g->config_files[1].depth, 1);
    EXPECT_EQ(g->config_files[1].line, 2);
}

TEST(Engine, SectionsAreStoredWithPatternsAndRegexes) {
    ConfigRoot root;
    auto g = root.load(
        "<Directory /var/www>\n<Files \"*.txt\">\nForceType text/plain\n</Files>\n</Directory>\n"
        "<DirectoryMatch \"^/srv/(a|b)\">\n</DirectoryMatch>\n"
        "<Directory ~ \"\\.git\">\n</Directory>\n"
        "<Location /status>\nSetHandler server-status\n</Location>\n"
        "<LocationMatch \"^/api/v[0-9]+\">\n</LocationMatch>\n"
        "<FilesMatch \"\\.(html|cgi)$\">\nHostnameLookups on\n</FilesMatch>\n"
        "<If \"-f %{REQUEST_FILENAME}\">\nAcceptPathInfo Off\n</If>\n<ElseIf \"true\">\n</ElseIf>\n<Else>\n</Else>\n");
    const auto& c = main_core(*g);
    ASSERT_EQ(c.sec_dir.size(), 3u);
    EXPECT_EQ(c.sec_dir[0]->pattern, "/var/www/");
    EXPECT_FALSE(c.sec_dir[0]->is_regex);
    EXPECT_TRUE(c.sec_dir[1]->is_regex);
    ASSERT_TRUE(c.sec_dir[1]->regex);
    EXPECT_TRUE(c.sec_dir[1]->regex->matches("/srv/b/x"));
    EXPECT_FALSE(c.sec_dir[1]->regex->matches("/srv/c"));
    EXPECT_TRUE(c.sec_dir[2]->regex->matches("/x/.git/config"));
    const auto* www = c.sec_dir[0]->config.get<CoreDirConfig>(core_module.index);
    ASSERT_EQ(www->sec_file.size(), 1u);
    EXPECT_EQ(www->sec_file[0]->pattern, "*.txt");
    EXPECT_EQ(www->sec_file[0]->config.get<CoreDirConfig>(core_module.index)->force_type, "text/plain");
    ASSERT_EQ(c.sec_url.size(), 2u);
    EXPECT_EQ(c.sec_url[0]->config.get<CoreDirConfig>(core_module.index)->set_handler, "server-status");
    EXPECT_TRUE(c.sec_url[1]->regex->matches("/api/v2/users"));
    const auto* top = g->main.lookup_defaults.get<CoreDirConfig>(core_module.index);
    ASSERT_EQ(top->sec_file.size(), 1u);
    EXPECT_TRUE(top->sec_file[0]->regex->matches("a.cgi"));
    EXPECT_EQ(top->sec_file[0]->config.get<CoreDirConfig>(core_module.index)->hostname_lookups,
              modules::core::Tristate::On);
    ASSERT_EQ(top->sec_if.size(), 3u);
    EXPECT_EQ(top->sec_if[0]->condition, "-f %{REQUEST_FILENAME}");
    EXPECT_EQ(top->sec_if[2]->kind, Section::Kind::Else);
}

TEST(Engine, VirtualHostsInheritFromMainServer) {
    ConfigRoot root;
    root.write("site/index.html", "");
    auto g = root.load(
        "ServerName main.example\nDocumentRoot htdocs\nTimeout 30\nServerAdmin root@main\n"
        "<Directory /main>\n</Directory>\n"
        "<VirtualHost *:80 [::1]:8080>\nServerName vh.example\nDocumentRoot site\nServerAlias www.vh.example *.vh.example\n"
        "<Directory /vh>\n</Directory>\n</VirtualHost>\n");
    ASSERT_EQ(g->vhosts.size(), 1u);
    const Server& vh = *g->vhosts[0];
    EXPECT_TRUE(vh.is_virtual);
    EXPECT_EQ(vh.addresses, (std::vector<std::string>{"*:80", "[::1]:8080"}));
    EXPECT_EQ(vh.defn_line, 7);
    const auto& c = server_config(vh);
    EXPECT_EQ(c.server_name, "vh.example");
    EXPECT_EQ(c.document_root, root.path() + "/site");
    EXPECT_EQ(c.timeout_ms, 30000);
    EXPECT_EQ(c.server_admin, "root@main");
    EXPECT_EQ(c.aliases, std::vector<std::string>{"www.vh.example"});
    EXPECT_EQ(c.wild_aliases, std::vector<std::string>{"*.vh.example"});
    ASSERT_EQ(c.sec_dir.size(), 2u);  // the main server's sections first
    EXPECT_EQ(c.sec_dir[0]->pattern, "/main/");
    EXPECT_EQ(c.sec_dir[1]->pattern, "/vh/");
    EXPECT_EQ(main_core(*g).sec_dir.size(), 1u);
}

TEST(Engine, MpmSelection) {
    ConfigRoot root;
    auto def = root.load("KeepAlive On\n");
    ASSERT_NE(def->mpm, nullptr);
    EXPECT_EQ(def->mpm->name, "mpm_event_module");
    auto prefork = root.load("LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\nMaxSpareServers 7\n");
    EXPECT_EQ(prefork->mpm->name, "mpm_prefork_module");
    const auto* m = prefork->main.module_config.get<modules::core::MpmConfig>(modules::core::mpm_prefork_module.index);
    EXPECT_EQ(m->max_spare_servers, 7);
    ASSERT_EQ(prefork->modules.loaded().back().path, "modules/mod_mpm_prefork.so");
}

TEST(Engine, ListenForms) {
    ConfigRoot root;
    auto g = root.load("Listen 80\nListen 127.0.0.1:8080\nListen [::1]:8443 https\nListen [::]:81\n");
    const auto& l = main_core(*g).listeners;
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0].host, "");
    EXPECT_EQ(l[0].port, 80);
    EXPECT_EQ(l[1].host, "127.0.0.1");
    EXPECT_EQ(l[1].port, 8080);
    EXPECT_EQ(l[2].host, "::1");
    EXPECT_EQ(l[2].port, 8443);
    EXPECT_EQ(l[2].protocol, "https");
    EXPECT_EQ(l[3].host, "::");
}

}  // namespace
}  // namespace sonora::config
