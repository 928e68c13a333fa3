// Core directives that narrow what a request reaches, on the real binary:
// MergeSlashes, TraceEnable per virtual host, HttpProtocolOptions Require1.0,
// StrictHostCheck, a <VirtualHost> on one address, ChrootDir; and the ones
// Sonora refuses to start with rather than ignore. Where Apache 2.4 is
// installed, each request case runs against it with the same configuration
// and the statuses expected here are the ones it answers.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

class CoreRestrictions : public ::testing::Test {
protected:
    CoreRestrictions() : site("") {
        site.write_doc("dir/a.txt", "DOCUMENT a\n");
        site.write_doc("index.html", "DOCUMENT index\n");
    }

    std::string port() const { return std::to_string(site.port()); }
    // Sonora answers `expected`; so does Apache when it is installed.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << "sonora\n" << site.read_log("sonora", "error_log");
        for (const Response& r : sonora) {
            if (r.status >= 400) {
                EXPECT_FALSE(contains(r.body, "DOCUMENT")) << r.body;
            }
        }
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << "apache\n" << site.read_log("apache", "error_log");
        }
        return sonora;
    }

    TwinSite site;
};

// ---- MergeSlashes ----

TEST_F(CoreRestrictions, MergeSlashesOffKeepsInnerSlashesForLocationMatching) {
    site.append_config("MergeSlashes Off\n<LocationMatch \"^/dir//a\">\nRequire all denied\n</LocationMatch>\n");
    // Leading slashes still collapse: the request path is a path, not a URI.
    expect_both({get_request("/dir//a.txt"), get_request("//dir//a.txt"),
                 get_request("///dir//a.txt"), get_request("/dir///a.txt"),
                 get_request("/dir/a.txt")},
                {403, 403, 403, 200, 200});
}

// httpd-tests t/apache/mergeslashes.t: <Location> is compared with the slashes
// merged even under Off, so "b//d" is still under <Location /dir/b/d>; the 403
// comes before the missing file's 404.
TEST_F(CoreRestrictions, MergeSlashesOffStillMergesForLocation) {
    site.append_config("MergeSlashes Off\n<Location /dir/b/d>\nRequire all denied\n</Location>\n");
    expect_both({get_request("/dir/b//d/index.html"), get_request("/dir//b/d/x"), get_request("/dir/b/d/index.html"),
                 get_request("/dir//a.txt")},
                {403, 403, 403, 200});
}

TEST_F(CoreRestrictions, MergeSlashesOnByDefault) {
    site.append_config("<LocationMatch \"^/dir/a\">\nRequire all denied\n</LocationMatch>\n");
    expect_both({get_request("/dir//a.txt"), get_request("//dir/a.txt"),
                 get_request("/dir///a.txt"), get_request("/index.html")},
                {403, 403, 403, 200});
}

// ---- LimitRequestFieldSize ----

// httpd-tests t/apache/limits.t: repeated fields are merged with ", " and the
// merged value is held to the limit again (Apache 2.2.32+).
TEST_F(CoreRestrictions, LimitRequestFieldSizeHoldsForMergedRepeatedFields) {
    site.append_config("LimitRequestFieldSize 1024\n");
    auto twice = [](std::size_t n) {
        std::string v(n, 'a');
        return "GET /index.html HTTP/1.1\r\nHost: localhost\r\nX-Big: " + v + "\r\nx-big: " + v +
               "\r\nConnection: close\r\n\r\n";
    };
    auto rs = expect_both({twice(500), twice(511), twice(512), twice(600)}, {200, 200, 400, 400});
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_TRUE(contains(rs[3].body, "Size of a request header field exceeds server limit.")) << rs[3].body;
}

// ---- virtual hosts ----

TEST_F(CoreRestrictions, TraceEnableOffInOneVirtualHost) {
    site.append_config("<VirtualHost 127.0.0.1:" + port() + ">\nServerName other.example\nTraceEnable Off\n"
                       "</VirtualHost>\n<VirtualHost 127.0.0.1:" + port() + ">\nServerName localhost\n"
                       "</VirtualHost>\n");
    auto trace = [](const std::string& host) {
        return "TRACE / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    };
    auto rs = expect_both({trace("other.example"), trace("localhost")}, {405, 200});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_TRUE(contains(rs[1].body, "TRACE / HTTP/1.1")) << rs[1].body;
}

// A <VirtualHost> on the listener's own address is chosen for it, with its
// restrictions, rather than the main server.
TEST_F(CoreRestrictions, AVirtualHostOnTheListeningAddressIsSelected) {
    site.append_config("<VirtualHost 127.0.0.1:" + port() + ">\nServerName locked.example\n"
                       "<Location />\nRequire all denied\n</Location>\n</VirtualHost>\n");
    expect_both({get_request("/index.html"), get_request("/index.html", "unknown.example")}, {403, 403});
}

// ---- HttpProtocolOptions ----

TEST_F(CoreRestrictions, Require10RefusesHttp09) {
    site.append_config("HttpProtocolOptions Require1.0\n");
    auto rs = expect_both({"GET /index.html\r\n", get_request("/index.html")}, {400, 200});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_FALSE(contains(rs[0].body, "DOCUMENT"));
}

TEST_F(CoreRestrictions, Http09IsServedByDefault) {
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    // HTTP/0.9: the body alone, no status line.
    EXPECT_EQ(http_exchange(site.port(), "GET /index.html\r\n"), "DOCUMENT index\n");
}

// ---- refused at startup ----

// The address's default virtual host decides; a Host that names none of
// the address's virtual hosts gets 400, a request without Host does not.
TEST_F(CoreRestrictions, StrictHostCheckRefusesAnUnknownHost) {
    site.append_config("<VirtualHost 127.0.0.1:" + port() + ">\nServerName default-strict\nStrictHostCheck On\n"
                       "</VirtualHost>\n<VirtualHost 127.0.0.1:" + port() + ">\nServerName nvh-strict\n"
                       "ServerAlias nvh-alias\n</VirtualHost>\n");
    expect_both({get_request("/index.html", "localhost"), get_request("/index.html", "notlisted"),
                 get_request("/index.html", "127.0.0.1"),
                 get_request("/index.html", "default-strict"), get_request("/index.html", "nvh-strict:1"),
                 get_request("/index.html", "NVH-ALIAS"), "GET /index.html HTTP/1.0\r\n\r\n"},
                // The <VirtualHost> address counts as a name: Host 127.0.0.1 is known.
                {400, 400, 200, 200, 200, 200, 200});
}

TEST_F(CoreRestrictions, StrictHostCheckOnWildcardVirtualHosts) {
    site.append_config("<VirtualHost *:" + port() + ">\nServerName default-strict\nStrictHostCheck On\n"
                       "</VirtualHost>\n<VirtualHost *:" + port() + ">\nServerName nvh-strict\n</VirtualHost>\n");
    expect_both({get_request("/index.html", "localhost:1"), get_request("/index.html", "127.0.0.1"),
                 get_request("/index.html", "default-strict"), get_request("/index.html", "nvh-strict")},
                {400, 400, 200, 200});
}

TEST_F(CoreRestrictions, StrictHostCheckOffServesTheDefault) {
    site.append_config("StrictHostCheck Off\n<VirtualHost 127.0.0.1:" + port() +
                       ">\nServerName default-strict\n</VirtualHost>\n");
    expect_both({get_request("/index.html", "notlisted")}, {200});
}

// Each directive that would narrow access but is not enforced yet stops
// `-t` and the start with an error naming the file, the line and why.
TEST_F(CoreRestrictions, RestrictionsNotEnforcedYetAreRefusedAtStartup) {
    const std::string modules =
        "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n"
        "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n";
    struct Case {
        std::string conf;
        std::string message;
        int line = 0;  // of the refused directive, counted from the case's first line
    };
    const std::vector<Case> cases = {
        // Without mod_authz_user and mod_authz_groupfile, as httpd without them.
        {"<Directory /srv>\nRequire valid-user\n</Directory>", "Unknown Authz provider: valid-user", 1},
        {"<Directory /srv>\nRequire user alice\n</Directory>", "Unknown Authz provider: user", 1},
        {"<Directory /srv>\nRequire group admins\n</Directory>", "Unknown Authz provider: group", 1},
        {"LoadModule auth_digest_module /usr/lib/apache2/modules/mod_auth_digest.so",
         "Sonora has no built-in module named 'auth_digest_module'", 0},
        {"LoadModule authz_dbm_module /usr/lib/apache2/modules/mod_authz_dbm.so",
         "Sonora has no built-in module named 'authz_dbm_module'", 0},
    };
    const std::string base = read_file(site.root().str() + "/conf/sonora.conf") + modules;
    const int line = static_cast<int>(std::count(base.begin(), base.end(), '\n')) + 1;
    for (const Case& c : cases) {
        site.root().write("conf/sonora.conf", base + c.conf + "\n");
        auto r = run_sonora({"-d", site.root().str(), "-f", "conf/sonora.conf", "-t"});
        EXPECT_EQ(r.status, 1) << c.conf;
        EXPECT_TRUE(contains(r.err, c.message)) << c.conf << "\n" << r.err;
        EXPECT_TRUE(contains(r.err, "conf/sonora.conf")) << r.err;
        EXPECT_TRUE(contains(r.err, "line " + std::to_string(line + c.line) + " of ")) << c.conf << "\n" << r.err;
        BinaryServer server = site.server("sonora");
        EXPECT_FALSE(server.start()) << c.conf;
    }
}

// ---- byte ranges and methods ----

TEST_F(CoreRestrictions, MaxRangesLimitsWhatARangeRequestGets) {
    site.write_doc("big.txt", std::string(1000, 'x'));
    site.append_config("MaxRanges 1\n<Directory " + site.root().str() + "/htdocs/dir>\nMaxRanges none\n"
                       "</Directory>\n");
    auto range = [](const std::string& path, const std::string& ranges) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nRange: bytes=" + ranges +
               "\r\nConnection: close\r\n\r\n";
    };
    site.write_doc("dir/big.txt", std::string(1000, 'y'));
    auto rs = expect_both({range("/big.txt", "0-9"), range("/big.txt", "0-9,20-29"), range("/dir/big.txt", "0-9")},
                          {206, 200, 200});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[1].body.size(), 1000u);
    EXPECT_EQ(rs[2].body.size(), 1000u);
}

TEST_F(CoreRestrictions, RegisteredMethodsRefusesUnknownMethods) {
    site.append_config("HttpProtocolOptions RegisteredMethods\n");
    auto req = [](const std::string& method) {
        return method + " /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    };
    expect_both({req("FOO"), req("GET")}, {501, 200});
}

// ---- ChrootDir ----

// The server reads its documents inside the jail: the DocumentRoot path is
// looked up there, so the jail's copy of it is what is served.
TEST(ChrootDir, DocumentsAreReadInsideTheJail) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "chroot needs root";
    }
    TempDir jail;
    ServerProcess server("ChrootDir " + jail.str() + "\n");
    const std::string htdocs = server.root().str() + "/htdocs";
    jail.write(htdocs.substr(1) + "/inside.txt", "inside the jail\n");
    server.write_doc("inside.txt", "outside the jail\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto rs = parse_responses(http_exchange(server.port(), get_request("/inside.txt")));
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].status, 200);
    EXPECT_EQ(rs[0].body, "inside the jail\n");
}

TEST(ChrootDir, AJailThatIsNotADirectoryIsAConfigError) {
    ServerProcess server("ChrootDir /no-such-jail\n");
    EXPECT_FALSE(server.start());
    EXPECT_TRUE(contains(server.startup_error, "ChrootDir must be a valid directory")) << server.startup_error;
    EXPECT_TRUE(contains(server.startup_error, "conf/httpd.conf")) << server.startup_error;
}

}  // namespace
}  // namespace sonora::test
