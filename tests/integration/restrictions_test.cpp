// What the directory walk decides before any access check, on the real
// binary: symlinks under Options (FollowSymLinks, SymLinksIfOwnerMatch) and
// the .htaccess files AllowOverride lets httpd read (merged in walk order, a
// bad one answering 500, edits taking effect on the next request). Each case
// runs against Apache 2.4 with the same configuration too, when it is
// installed, and must answer the same statuses.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace sonora::test {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

class Restrictions : public ::testing::Test {
protected:
    Restrictions() : site("") {
        site.write_doc("plain.txt", "plain\n");
        site.write_doc("sub/file.txt", "file in sub\n");
        site.root().write("outside/secret.txt", "the secret\n");
    }

    std::string htdocs() const { return site.root().str() + "/htdocs"; }
    std::string outside() const { return site.root().str() + "/outside"; }
    void link(const std::string& target, const std::string& relative_link) const {
        fs::create_symlink(target, htdocs() + "/" + relative_link);
    }
    void configure(const std::string& text) const { site.append_config(text); }
    // Runs `which` and GETs each path on its own connection.
    std::vector<Response> fetch(const std::string& which, const std::vector<std::string>& paths) {
        std::vector<std::string> requests;
        for (const std::string& path : paths) {
            requests.push_back("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        }
        return site.exchange(which, requests);
    }
    // Sonora answers `expected`; so does Apache when it is installed.
    void expect_both(const std::vector<std::string>& paths, const std::vector<int>& expected) {
        EXPECT_EQ(statuses(fetch("sonora", paths)), expected) << "sonora\n" << site.read_log("sonora", "error_log");
        if (apache_available()) {
            EXPECT_EQ(statuses(fetch("apache", paths)), expected) << "apache\n" << site.read_log("apache", "error_log");
        }
    }
    std::string sonora_log() const { return site.read_log("sonora", "error_log"); }
    std::string apache_log() const { return site.read_log("apache", "error_log"); }

    TwinSite site;
};

std::string dir_section(const std::string& path, const std::string& body) {
    return "<Directory \"" + path + "\">\n" + body + "\n</Directory>\n";
}

// ---- symlinks ----

TEST_F(Restrictions, OptionsNoneRefusesALinkToAFileOutsideTheDocumentRoot) {
    configure(dir_section(htdocs(), "Options None"));
    link(outside() + "/secret.txt", "link.txt");
    auto rs = fetch("sonora", {"/plain.txt", "/link.txt"});
    ASSERT_EQ(statuses(rs), (std::vector<int>{200, 403}));
    EXPECT_FALSE(contains(rs[1].body, "the secret"));
    EXPECT_TRUE(contains(sonora_log(), "[core:error]")) << sonora_log();
    EXPECT_TRUE(contains(sonora_log(), "SN00037: Symbolic link not allowed or link target not accessible: " + htdocs() +
                                           "/link.txt"))
        << sonora_log();
    if (apache_available()) {
        EXPECT_EQ(statuses(fetch("apache", {"/plain.txt", "/link.txt"})), (std::vector<int>{200, 403}));
        EXPECT_TRUE(contains(apache_log(), "AH00037: Symbolic link not allowed or link target not accessible: " +
                                               htdocs() + "/link.txt"))
            << apache_log();
    }
}

TEST_F(Restrictions, FollowSymLinksServesTheLink) {
    configure(dir_section(htdocs(), "Options FollowSymLinks"));
    link(outside() + "/secret.txt", "link.txt");
    expect_both({"/link.txt"}, {200});
    EXPECT_EQ(fetch("sonora", {"/link.txt"}).at(0).body, "the secret\n");
}

TEST_F(Restrictions, TheDefaultConfigurationFollowsLinks) {
    link(outside() + "/secret.txt", "link.txt");
    link(outside(), "linkdir");
    expect_both({"/link.txt", "/linkdir/secret.txt"}, {200, 200});
    EXPECT_FALSE(contains(sonora_log(), "SN00037")) << sonora_log();
}

TEST_F(Restrictions, ALinkedDirectoryInTheMiddleOfThePathIsRefused) {
    configure(dir_section(htdocs(), "Options None"));
    link(outside(), "linkdir");
    // A missing file behind the link: the link is still refused.
    expect_both({"/linkdir/secret.txt", "/linkdir/missing.txt", "/missing/missing.txt", "/sub/file.txt"},
                {403, 403, 404, 200});
    EXPECT_TRUE(contains(sonora_log(), "accessible: " + htdocs() + "/linkdir\n")) << sonora_log();
}

TEST_F(Restrictions, ALinkedDirectoryIndexIsNotServed) {
    configure(dir_section(htdocs(), "Options None"));
    site.write_doc("idx/other.txt", "other\n");
    link(outside() + "/secret.txt", "idx/index.html");
    auto rs = fetch("sonora", {"/idx/"});
    ASSERT_EQ(statuses(rs), (std::vector<int>{403}));
    EXPECT_FALSE(contains(rs[0].body, "the secret"));
    if (apache_available()) {
        EXPECT_EQ(statuses(fetch("apache", {"/idx/"})), (std::vector<int>{403}));
    }
}

TEST_F(Restrictions, RequireAllGrantedDoesNotLetALinkThrough) {
    configure(dir_section(htdocs(), "Options None\nRequire all granted"));
    link(outside() + "/secret.txt", "link.txt");
    expect_both({"/link.txt"}, {403});
}

TEST_F(Restrictions, ALinkAboveTheRestrictedDirectoryIsJudgedByItsOwnParent) {
    // htdocs/up is a link in htdocs (FollowSymLinks by default); Options None
    // applies to what is inside htdocs/up, which holds no links.
    configure(dir_section(htdocs() + "/up", "Options None"));
    link(outside(), "up");
    expect_both({"/up/secret.txt"}, {200});
}

TEST_F(Restrictions, SymLinksIfOwnerMatchWithTheSameOwner) {
    configure(dir_section(htdocs(), "Options SymLinksIfOwnerMatch"));
    link(outside() + "/secret.txt", "link.txt");
    link(outside() + "/nowhere.txt", "dangling.txt");
    expect_both({"/link.txt", "/dangling.txt"}, {200, 403});
}

TEST_F(Restrictions, SymLinksIfOwnerMatchWithAnotherOwner) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "giving the target another owner needs root";
    }
    configure(dir_section(htdocs(), "Options SymLinksIfOwnerMatch") +
              dir_section(htdocs() + "/both", "Options FollowSymLinks SymLinksIfOwnerMatch") +
              dir_section(htdocs() + "/follow", "Options FollowSymLinks"));
    ASSERT_EQ(::chown((outside() + "/secret.txt").c_str(), kNobody, kNobody), 0);
    link(outside() + "/secret.txt", "link.txt");
    site.write_doc("both/x", "");
    site.write_doc("follow/x", "");
    link(outside() + "/secret.txt", "both/link.txt");
    link(outside() + "/secret.txt", "follow/link.txt");
    // httpd compares owners whenever SymLinksIfOwnerMatch is on, with FollowSymLinks too.
    expect_both({"/link.txt", "/both/link.txt", "/follow/link.txt"}, {403, 403, 200});
}

TEST_F(Restrictions, DirectoryMatchOptionsDoNotSteerTheWalk) {
    // httpd merges regex <Directory> sections after its descent: their
    // Options do not refuse links.
    configure("<DirectoryMatch \"/htdocs/\">\nOptions None\n</DirectoryMatch>\n");
    link(outside() + "/secret.txt", "link.txt");
    expect_both({"/link.txt"}, {200});
}

// A walk that is remembered (links checked, access files allowed) still
// sets the MATCH_* values of the regex sections it matched, on every request.
TEST_F(Restrictions, ARememberedWalkKeepsItsNamedGroups) {
    configure(dir_section(htdocs(), "AllowOverride All\nOptions SymLinksIfOwnerMatch") +
              "<DirectoryMatch \"/htdocs/(?<part>[a-z]+)/\">\n"
              "Require expr %{env:MATCH_PART} == 'sub'\n</DirectoryMatch>\n");
    const std::vector<std::string> paths(6, "/sub/file.txt");
    expect_both(paths, std::vector<int>(6, 200));
}

// ---- .htaccess ----

TEST_F(Restrictions, AllowOverrideAllReadsTheHtaccessFile) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    site.write_doc(".htaccess", "Require all denied\n");
    expect_both({"/plain.txt", "/", "/missing.txt", "/sub/file.txt"}, {403, 403, 403, 403});
    EXPECT_FALSE(contains(fetch("sonora", {"/plain.txt"}).at(0).body, "plain"));
}

TEST_F(Restrictions, AllowOverrideNoneIgnoresTheHtaccessFile) {
    configure(dir_section(htdocs(), "AllowOverride None"));
    site.write_doc(".htaccess", "Require all denied\n");
    expect_both({"/plain.txt"}, {200});
    EXPECT_EQ(fetch("sonora", {"/plain.txt"}).at(0).body, "plain\n");
}

TEST_F(Restrictions, AllowOverrideAllWithoutAnHtaccessFileServes) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 200});
}

TEST_F(Restrictions, AnHtaccessFileInAParentDirectory) {
    configure(dir_section(htdocs(), "AllowOverride AuthConfig"));
    site.write_doc(".htaccess", "Require all denied\n");
    expect_both({"/sub/file.txt"}, {403});
    // A deeper one merges after it (AuthMerging Off: the deeper Require wins).
    site.write_doc("sub/.htaccess", "Require all granted\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(Restrictions, AccessFileNameNamesTheFile) {
    configure("AccessFileName .acl\n" + dir_section(htdocs(), "AllowOverride All"));
    site.write_doc(".htaccess", "Require all denied\n");
    // Only .htaccess there: neither server reads it.
    expect_both({"/plain.txt"}, {200});
    site.write_doc("sub/.acl", "Require all denied\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 403});
}

TEST_F(Restrictions, AnHtaccessFileThatDoesNotParseAnswers500) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    site.write_doc("sub/.htaccess", "Require all granted\nBogus directive\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 500});
    const std::string message = htdocs() + "/sub/.htaccess: Invalid command 'Bogus', perhaps misspelled or defined "
                                           "by a module not included in the server configuration";
    EXPECT_TRUE(contains(sonora_log(), "[core:alert]")) << sonora_log();
    EXPECT_TRUE(contains(sonora_log(), message + " (line 2)")) << sonora_log();
    if (apache_available()) {
        EXPECT_TRUE(contains(apache_log(), message)) << apache_log();
    }
}

TEST_F(Restrictions, ADirectiveItsAllowOverrideDoesNotAllowAnswers500) {
    configure(dir_section(htdocs(), "AllowOverride FileInfo"));
    site.write_doc(".htaccess", "Require all denied\n");
    expect_both({"/plain.txt"}, {500});
    EXPECT_TRUE(contains(sonora_log(), htdocs() + "/.htaccess: Require not allowed here (line 1)")) << sonora_log();
    if (apache_available()) {
        EXPECT_TRUE(contains(apache_log(), htdocs() + "/.htaccess: Require not allowed here")) << apache_log();
    }
}

TEST_F(Restrictions, NonfatalOverrideSkipsWhatIsNotAllowed) {
    configure(dir_section(htdocs(), "AllowOverride FileInfo Nonfatal=Override"));
    site.write_doc(".htaccess", "Require all denied\n");
    expect_both({"/plain.txt"}, {200});
    EXPECT_TRUE(contains(sonora_log(), "Require in .htaccess forbidden by AllowOverride")) << sonora_log();
}

TEST_F(Restrictions, AnEditTakesEffectOnTheNextRequest) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    site.write_doc(".htaccess", "Require all granted\n");
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto status = [&] {
        auto r = parse_responses(http_exchange(site.port(), get_request("/plain.txt")));
        return r.empty() ? 0 : r[0].status;
    };
    EXPECT_EQ(status(), 200);
    // Same size, same second: no restart, no wait.
    site.write_doc(".htaccess", "Require all denied \n");
    EXPECT_EQ(status(), 403);
    site.write_doc(".htaccess.new", "Require all granted\n");
    fs::rename(htdocs() + "/.htaccess.new", htdocs() + "/.htaccess");
    EXPECT_EQ(status(), 200);
    site.write_doc(".htaccess", "Require all denied\n");
    EXPECT_EQ(status(), 403);
    fs::remove(htdocs() + "/.htaccess");
    EXPECT_EQ(status(), 200);
}

TEST_F(Restrictions, SectionsInAnHtaccessFile) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    site.write_doc("sub/secret.txt", "secret\n");
    site.write_doc("sub/.htaccess",
                   "<Files secret.txt>\nRequire all denied\n</Files>\n"
                   "<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n");
    expect_both({"/sub/file.txt", "/sub/secret.txt", "/sub/file.txt?deny"}, {200, 403, 403});
    site.write_doc("sub/.htaccess", "<Limit POST>\nRequire all denied\n</Limit>\n");
    const std::string post = "POST /sub/file.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n";
    EXPECT_EQ(statuses(site.exchange("sonora", {post})), (std::vector<int>{403}));
    expect_both({"/sub/file.txt"}, {200});
}

TEST_F(Restrictions, OptionsInAnHtaccessFileRefuseLinksBelowIt) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    link(outside() + "/secret.txt", "sub/link.txt");
    expect_both({"/sub/link.txt"}, {200});
    site.write_doc(".htaccess", "Options -FollowSymLinks\n");
    expect_both({"/sub/link.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(Restrictions, AnHtaccessFileMayNotIncludeOrRedefine) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    site.write_doc(".htaccess", "Include /etc/passwd\n");
    expect_both({"/plain.txt"}, {500});
    site.write_doc(".htaccess", "<Directory />\nRequire all granted\n</Directory>\n");
    expect_both({"/plain.txt"}, {500});
}

TEST_F(Restrictions, DirectoryIndexFromAnHtaccessFileIsLookedUpAsASubrequest) {
    configure(dir_section(htdocs(), "AllowOverride Indexes AuthConfig"));
    site.write_doc("sub/index.html", "sub index\n");
    site.write_doc("other/page.html", "other page\n");
    // A name starting with '/' is a URL of its own.
    site.write_doc("sub/.htaccess", "DirectoryIndex missing.html /other/page.html\n");
    auto bodies = [&](const std::string& which) {
        auto rs = fetch(which, {"/sub/"});
        return rs.empty() ? std::string() : rs[0].body;
    };
    EXPECT_EQ(bodies("sonora"), "other page\n");
    if (apache_available()) {
        EXPECT_EQ(bodies("apache"), "other page\n");
    }
    // An index its access rules refuse is not served: its error is answered.
    site.write_doc("sub/.htaccess", "<Files index.html>\nRequire all denied\n</Files>\n");
    expect_both({"/sub/", "/sub/file.txt"}, {403, 200});
    site.write_doc("other/.htaccess", "Require all denied\n");
    site.write_doc("sub/.htaccess", "DirectoryIndex /other/page.html index.html\n");
    EXPECT_EQ(bodies("sonora"), "sub index\n");
    if (apache_available()) {
        EXPECT_EQ(bodies("apache"), "sub index\n");
    }
}

TEST_F(Restrictions, AnHtaccessFileThatCannotBeOpenedIsForbidden) {
    configure(dir_section(htdocs(), "AllowOverride All"));
    fs::create_symlink(".htaccess", htdocs() + "/.htaccess");  // a loop
    expect_both({"/plain.txt"}, {403});
    EXPECT_TRUE(contains(sonora_log(), "[core:crit]")) << sonora_log();
    EXPECT_TRUE(contains(sonora_log(), "SN00529: (40)Too many levels of symbolic links: " + htdocs() +
                                           "/.htaccess pcfg_openfile: unable to check htaccess file"))
        << sonora_log();
}

}  // namespace
}  // namespace sonora::test
