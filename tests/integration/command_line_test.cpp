// The command line against the real binary: what tools that drive httpd read.

#include "support/process.h"

#include <gtest/gtest.h>

namespace sonora::test {
namespace {

// A minimal valid server root with conf/httpd.conf.
struct Root {
    TempDir dir;
    std::string conf;
    explicit Root(const std::string& extra = "") {
        dir.mkdir("logs");
        dir.mkdir("htdocs");
        conf = dir.write("conf/httpd.conf", "ServerRoot " + dir.str() + "\nServerName localhost\n"
                                            "DocumentRoot htdocs\nErrorLog logs/error_log\n"
                                            "Listen 127.0.0.1:8080\n" + extra);
    }
    std::vector<std::string> args(std::vector<std::string> more) const {
        std::vector<std::string> a = {"-d", dir.str(), "-f", "conf/httpd.conf"};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }
};

TEST(CommandLine, VersionFirstLineCarriesApacheToken) {
    auto r = run_sonora({"-v"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("Server version: Apache/2.4.", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("Sonora/"), std::string::npos);
    EXPECT_NE(r.out.find("\nServer built:   "), std::string::npos);
}

TEST(CommandLine, CompiledModulesUseApacheFileNames) {
    auto r = run_sonora({"-l"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("Compiled in modules:\n  core.c\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("  mod_so.c\n"), std::string::npos);
    EXPECT_NE(r.out.find("  http_core.c\n"), std::string::npos);
}

TEST(CommandLine, SyntaxCheckSaysOkOnStderr) {
    Root root;
    auto r = run_sonora(root.args({"-t"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "Syntax OK\n");
    EXPECT_EQ(r.out, "");
}

TEST(CommandLine, SyntaxErrorNamesFileLineAndExitsOne) {
    Root root("Bogus directive\n");
    auto r = run_sonora(root.args({"-t"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "SN00526: Syntax error on line 6 of " + root.conf +
                         ":\nInvalid command 'Bogus', perhaps misspelled or defined by a module not included "
                         "in the server configuration\n");
}

TEST(CommandLine, ServerDoesNotStartOnConfigError) {
    Root root("KeepAlive maybe\n");
    auto r = run_sonora(root.args({"-DFOREGROUND"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("KeepAlive must be On or Off"), std::string::npos) << r.err;
}

TEST(CommandLine, MissingConfigFile) {
    TempDir dir;
    auto r = run_sonora({"-d", dir.str(), "-f", "nope.conf", "-t"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "sonora: Could not open configuration file " + dir.str() +
                         "/nope.conf: No such file or directory\n");
}

TEST(CommandLine, DefineOnCommandLineReachesIfDefine) {
    Root root("<IfDefine !SONORA_TEST>\nBogus\n</IfDefine>\n");
    EXPECT_EQ(run_sonora(root.args({"-t"})).status, 1);
    auto r = run_sonora(root.args({"-D", "SONORA_TEST", "-t"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(run_sonora(root.args({"-DSONORA_TEST", "-t"})).status, 0);
}

TEST(CommandLine, DirectivesBeforeAndAfterTheConfig) {
    // -C runs before the file: the file's Define of the same name overrides it.
    // -c runs after: it sees what the file defined.
    Root root("Define FROM_FILE yes\n");
    auto r = run_sonora(root.args({"-C", "Define EARLY 1", "-c", "<IfDefine FROM_FILE>\nDefine LATE 2\n</IfDefine>",
                                   "-t", "-D", "DUMP_RUN_CFG"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Define: EARLY=1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Define: LATE=2\n"), std::string::npos) << r.out;
    auto bad = run_sonora(root.args({"-c", "Bogus", "-t"}));
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.err.find("of -c directive:\nInvalid command 'Bogus'"), std::string::npos) << bad.err;
}

TEST(CommandLine, DumpModulesListsStaticAndLoaded) {
    Root root("LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n");
    auto r = run_sonora(root.args({"-M"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.rfind("Loaded Modules:\n core_module (static)\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(" mpm_prefork_module (shared)\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("mpm_event_module"), std::string::npos) << r.out;
    auto same = run_sonora(root.args({"-t", "-D", "DUMP_MODULES"}));
    EXPECT_EQ(same.out, r.out);
}

TEST(CommandLine, SettingsReportMpmAndCompiledDefaults) {
    Root root("LoadModule mpm_worker_module /usr/lib/apache2/modules/mod_mpm_worker.so\n");
    auto r = run_sonora(root.args({"-V"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Server's Module Magic Number: 20120211:"), std::string::npos);
    EXPECT_NE(r.out.find("Server MPM:     worker\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" -D HTTPD_ROOT=\""), std::string::npos);
    EXPECT_NE(r.out.find(" -D SERVER_CONFIG_FILE=\""), std::string::npos);
    EXPECT_NE(r.out.find("mpm_worker_module /usr/lib/apache2/modules/mod_mpm_worker.so"), std::string::npos);
}

TEST(CommandLine, VhostDumpAsApache) {
    Root root(
        "Listen 8182\n"
        "<VirtualHost *:8182>\nServerName a.example\nServerAlias www.a.example\n</VirtualHost>\n"
        "<VirtualHost *:8182>\nServerName b.example\n</VirtualHost>\n"
        "<VirtualHost 127.0.0.1:8181>\nServerName c.example\n</VirtualHost>\n");
    auto r = run_sonora(root.args({"-S"}));
    EXPECT_EQ(r.status, 0) << r.err;
    std::string expected = "VirtualHost configuration:\n"
                           "*:8182                 is a NameVirtualHost\n"
                           "         default server a.example (" + root.conf + ":7)\n"
                           "         port 8182 namevhost a.example (" + root.conf + ":7)\n"
                           "                 alias www.a.example\n"
                           "         port 8182 namevhost b.example (" + root.conf + ":11)\n"
                           "127.0.0.1:8181         c.example (" + root.conf + ":14)\n";
    EXPECT_EQ(r.out.substr(0, expected.size()), expected) << r.out;
    EXPECT_NE(r.out.find("ServerRoot: \"" + root.dir.str() + "\"\n"), std::string::npos);
    EXPECT_NE(r.out.find("Main DocumentRoot: \"" + root.dir.str() + "/htdocs\"\n"), std::string::npos);
    EXPECT_NE(r.out.find("Define: DUMP_VHOSTS\n"), std::string::npos);
}

TEST(CommandLine, DumpIncludesShowsNesting) {
    Root root("Include conf/extra/*.conf\n");
    root.dir.write("conf/extra/a.conf", "Define A\n");
    root.dir.write("conf/extra/b.conf", "Define B\n");
    auto r = run_sonora(root.args({"-t", "-D", "DUMP_INCLUDES"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "Included configuration files:\n  (*) " + root.conf + "\n    (6) " + root.dir.str() +
                         "/conf/extra/a.conf\n    (6) " + root.dir.str() + "/conf/extra/b.conf\n");
}

TEST(CommandLine, DirectiveListShowsHelpAndContext) {
    auto r = run_sonora({"-L"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("DocumentRoot (core.c)\n\t"), std::string::npos);
    EXPECT_NE(r.out.find("<Directory (core.c)\n\t"), std::string::npos);
    EXPECT_NE(r.out.find("\tAllowed in *.conf only outside <Directory>, <Files>, <Location>, or <If>\n"),
              std::string::npos);
    EXPECT_NE(r.out.find("when AllowOverride includes FileInfo"), std::string::npos);
}

TEST(CommandLine, UnknownOptionPrintsUsage) {
    auto r = run_sonora({"-Q"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err.rfind("sonora: illegal option -- Q\nUsage: sonora [-D name]", 0), 0u) << r.err;
    auto k = run_sonora({"-k", "bogus"});
    EXPECT_EQ(k.status, 1);
    auto h = run_sonora({"-h"});
    EXPECT_EQ(h.status, 0);
    EXPECT_NE(h.out.find("-k start|restart|graceful|graceful-stop|stop"), std::string::npos);
}

TEST(CommandLine, StopWithoutRunningServer) {
    Root root("PidFile logs/none.pid\n");
    auto r = run_sonora(root.args({"-k", "stop"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("not running"), std::string::npos);
}

}  // namespace
}  // namespace sonora::test
