// mod_alias's mapping on the real binary: Alias, AliasMatch and ScriptAlias
// map URL-paths to files outside the DocumentRoot, and those files are under
// their own <Directory> sections. Every case runs against Apache 2.4 with the
// same configuration too, when it is installed, except where Sonora departs
// from it on purpose (a ScriptAlias'd script is never sent as a file).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules =
    "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    "<Directory />\nRequire all denied\n</Directory>\n";

class Aliases : public ::testing::Test {
protected:
    Aliases() : site(kModules) {
        site.root().write("ext/f.txt", "EXT f\n");
        site.root().write("ext/sub/g.txt", "EXT g\n");
        site.root().write("cgi/s.sh", "echo script\n");
        site.root().write("closed/c.txt", "CLOSED c\n");
        site.write_doc("ext/f.txt", "DOCROOT f\n");
        site.append_config("<Directory " + htdocs() + ">\nRequire all granted\n</Directory>\n");
    }

    std::string dir(const std::string& relative) const { return site.root().str() + "/" + relative; }
    std::string htdocs() const { return dir("htdocs"); }
    // Sonora answers `expected`; so does Apache when it is installed.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << "sonora\n" << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << "apache\n" << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
                EXPECT_EQ(sonora[i].header("Location"), apache[i].header("Location")) << requests[i];
            }
        }
        return sonora;
    }

    TwinSite site;
};

TEST_F(Aliases, AnAliasedDirectoryIsUnderItsOwnDirectorySections) {
    site.append_config("Alias /ext/ " + dir("ext/") + "\n<Directory " + dir("ext") +
                       ">\nRequire all granted\n</Directory>\n<Directory " + dir("ext/sub") +
                       ">\nRequire all denied\n</Directory>\n");
    auto rs = expect_both({get_request("/ext/f.txt"), get_request("/ext/sub/g.txt"),
                           get_request("/ext"), get_request("//ext//f.txt"),
                           get_request("/ext/../ext/f.txt")},
                          // "/ext" is not under "/ext/": the DocumentRoot's ext/ answers, with its slash redirect.
                          {200, 403, 301, 200, 200});
    ASSERT_EQ(rs.size(), 5u);
    EXPECT_EQ(rs[0].body, "EXT f\n");
    EXPECT_FALSE(contains(rs[1].body, "EXT g"));
}

TEST_F(Aliases, ATargetNoDirectoryGrantsIsRefused) {
    site.append_config("Alias /closed " + dir("closed") + "\n");
    auto rs = expect_both({get_request("/closed/c.txt")}, {403});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_FALSE(contains(rs[0].body, "CLOSED"));
}

TEST_F(Aliases, AFileAliasAndAliasMatch) {
    site.append_config("Alias /one " + dir("ext/f.txt") + "\nAliasMatch ^/m/(.*)\\.text$ " + dir("ext/$1.txt") +
                       "\n<Directory " + dir("ext") + ">\nRequire all granted\n</Directory>\n");
    auto rs = expect_both({get_request("/one"), get_request("/m/f.text"),
                           get_request("/m/sub/g.text"), get_request("/m/f.txt")},
                          {200, 200, 200, 404});
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_EQ(rs[0].body, "EXT f\n");
    EXPECT_EQ(rs[2].body, "EXT g\n");
}

// The first entry wins, a virtual host's before the main server's; a
// redirect for the same path comes before any alias.
TEST_F(Aliases, VirtualHostEntriesFirstAndRedirectsBeforeAliases) {
    const std::string port = std::to_string(site.port());
    site.append_config("Alias /ext " + dir("ext") + "\nRedirect /moved http://elsewhere.example/\nAlias /moved " +
                       dir("ext") + "\n<Directory " + dir("ext") + ">\nRequire all granted\n</Directory>\n"
                       "<VirtualHost 127.0.0.1:" + port + ">\nServerName localhost\n</VirtualHost>\n"
                       "<VirtualHost 127.0.0.1:" + port + ">\nServerName other.example\nAlias /ext " +
                       dir("ext/sub") + "\n</VirtualHost>\n");
    auto rs = expect_both({get_request("/ext/f.txt"), get_request("/ext/g.txt", "other.example"),
                           get_request("/moved/f.txt")},
                          {200, 200, 302});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].body, "EXT f\n");
    EXPECT_EQ(rs[1].body, "EXT g\n");
    EXPECT_EQ(rs[2].header("Location"), "http://elsewhere.example//f.txt");  // target + "/f.txt", as httpd
}

// The one-argument Alias inside <Location>: the expression names the file
// for every URL under the location, the rest of the URL-path kept only under
// AliasPreservePath On; the file is under its own <Directory> sections.
TEST_F(Aliases, TheOneArgumentFormInsideLocation) {
    site.append_config("<Location /loc>\nAlias " + dir("ext/f.txt") + "\n</Location>\n"
                       "<Location /kept>\nAliasPreservePath On\nAlias " + dir("ext") + "\n</Location>\n"
                       "<LocationMatch ^/expr/>\nAlias \"" + dir("ext") + "/%{QUERY_STRING}.txt\"\n</LocationMatch>\n"
                       "<Location /shut>\nAlias " + dir("closed/c.txt") + "\n</Location>\n"
                       // httpd 2.4.8+: named groups become MATCH_<NAME> in the environment.
                       "<LocationMatch ^/named/(?<File>[a-z]+)>\nAlias " + dir("ext") + "/%{env:MATCH_FILE}.txt\n"
                       "</LocationMatch>\n"
                       "<Directory " + dir("ext") + ">\nRequire all granted\n</Directory>\n");
    auto rs = expect_both({get_request("/loc"), get_request("/loc/other.txt"), get_request("/kept/sub/g.txt"),
                           get_request("/kept/missing.txt"), get_request("/expr/x?f"), get_request("/shut"),
                           get_request("/location"), get_request("/named/f")},
                          {200, 200, 200, 404, 200, 403, 404, 200});
    ASSERT_EQ(rs.size(), 8u);
    EXPECT_EQ(rs[7].body, "EXT f\n");
    EXPECT_EQ(rs[0].body, "EXT f\n");
    EXPECT_EQ(rs[1].body, "EXT f\n");
    EXPECT_EQ(rs[2].body, "EXT g\n");
    EXPECT_EQ(rs[4].body, "EXT f\n");
    EXPECT_FALSE(contains(rs[5].body, "CLOSED"));
}

// A Redirect inside <Location> answers at translate_name, before any access
// check, as httpd's location walk comes first; in <Directory> it answers at
// fixups, after them.
TEST_F(Aliases, ASectionRedirectInLocationAnswersBeforeAccessChecks) {
    site.append_config("<Location /old>\nRedirect permanent /new\nRequire all denied\n</Location>\n"
                       "<Directory " + htdocs() + "/shut>\nRedirect /new\nRequire all denied\n</Directory>\n");
    site.write_doc("shut/x.txt", "x\n");
    auto rs = expect_both({get_request("/old/page?q=1"), get_request("/shut/x.txt")}, {301, 403});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Location"), "http://localhost/new?q=1");  // the Host as sent, port and all
}

// httpd without mod_cgi sends the script as a file; Sonora, which runs no CGI
// yet, refuses it instead and says why.
TEST_F(Aliases, AScriptIsNeverSentAsAFile) {
    site.append_config("ScriptAlias /cgi-bin/ " + dir("cgi/") + "\n<Directory " + dir("cgi") +
                       ">\nRequire all granted\n</Directory>\n");
    auto rs = site.exchange("sonora", {get_request("/cgi-bin/s.sh"), get_request("/cgi-bin/missing.sh")});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].status, 500);
    EXPECT_EQ(rs[1].status, 404);  // as httpd: nothing to run
    EXPECT_FALSE(contains(rs[0].body, "echo script"));
    EXPECT_TRUE(contains(site.read_log("sonora", "error_log"),
                         "SN90002: " + dir("cgi/s.sh") + ": handler \"cgi-script\" is not available yet"))
        << site.read_log("sonora", "error_log");
}

}  // namespace
}  // namespace sonora::test
