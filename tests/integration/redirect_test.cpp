// mod_alias's Redirect family on the real binary: every case runs the same
// configuration under Sonora and, when it is installed, under Apache 2.4, and
// both must answer the expected status and Location (and the same canned
// body), never the file the URL would otherwise map to, and log the same
// status.

#include "support/server.h"
#include "support/stub_hosts.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

namespace sonora::test {
namespace {

const std::string kLoadAlias =
    "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    "CustomLog @LOGS@/access_log \"%>s %U%q\"\n";

const std::string kSecret = "THE FILE BODY\n";

struct Case {
    std::string path;    // request target
    int status;          // expected
    std::string location;  // expected Location; "" = none
    std::string host = "localhost";  // Host header; "" sends HTTP/1.0 without one
};

struct Outcome {
    int status = 0;
    std::string location;
    std::string body;
};

class Redirects : public ::testing::Test {
protected:
    // Writes `config` for both servers; documents that redirected URLs would
    // otherwise reach hold kSecret.
    void setup(const std::string& config, const std::vector<std::string>& docs = {}) {
        site_ = std::make_unique<TwinSite>(kLoadAlias);
        // "@HTDOCS@" stands for the document root, known only now.
        std::string text = config;
        for (std::size_t at = text.find("@HTDOCS@"); at != std::string::npos; at = text.find("@HTDOCS@")) {
            text.replace(at, 8, htdocs());
        }
        for (std::size_t at = text.find("@PORT@"); at != std::string::npos; at = text.find("@PORT@")) {
            text.replace(at, 6, std::to_string(port()));
        }
        site_->append_config(text);
        site_->write_doc("index.html", kSecret);
        for (const std::string& d : docs) {
            site_->write_doc(d, kSecret);
        }
    }
    std::string htdocs() const { return site_->root().str() + "/htdocs"; }
    int port() const { return site_->port(); }

    std::vector<Outcome> fetch(const std::string& which, const std::vector<Case>& cases) {
        std::vector<std::string> requests;
        for (const Case& c : cases) {
            requests.push_back(c.host.empty() ? "GET " + c.path + " HTTP/1.0\r\n\r\n"
                                              : "GET " + c.path + " HTTP/1.1\r\nHost: " + c.host +
                                                    "\r\nConnection: close\r\n\r\n");
        }
        std::vector<Outcome> out;
        for (const Response& r : site_->exchange(which, requests)) {
            out.push_back(Outcome{r.status, r.header("Location"), r.body});
        }
        return out;
    }

    void check(const std::string& which, const std::vector<Case>& cases, const std::vector<Outcome>& got) {
        ASSERT_EQ(got.size(), cases.size()) << which;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            EXPECT_EQ(got[i].status, c.status) << which << " " << c.path;
            EXPECT_EQ(got[i].location, c.location) << which << " " << c.path;
            if (c.status >= 300) {
                EXPECT_EQ(got[i].body.find(kSecret), std::string::npos) << which << " " << c.path;
            }
            if (c.status == 301 || c.status == 302 || c.status == 307 || c.status == 308) {
                EXPECT_NE(got[i].body.find("The document has moved <a href=\""), std::string::npos)
                    << which << " " << c.path << "\n" << got[i].body;
            }
        }
    }

    // Sonora answers as expected; Apache too, with the same bodies and the
    // same access log statuses.
    void expect_both(const std::vector<Case>& cases) {
        auto sonora = fetch("sonora", cases);
        check("sonora", cases, sonora);
        if (!apache_available()) {
            return;
        }
        auto apache = fetch("apache", cases);
        check("apache", cases, apache);
        for (std::size_t i = 0; i < std::min(sonora.size(), apache.size()); ++i) {
            if (cases[i].status != 200) {
                // The signature names each server's own banner.
                std::string body = sonora[i].body;
                if (auto at = body.find("<address>Sonora "); at != std::string::npos) {
                    body.replace(at, 16, "<address>Apache ");
                }
                EXPECT_EQ(body, apache[i].body) << cases[i].path;
            }
        }
        EXPECT_EQ(site_->read_log("sonora", "access_log"), site_->read_log("apache", "access_log"));
    }

    std::unique_ptr<TwinSite> site_;
};

TEST_F(Redirects, PermanentRootRedirectKeepsPathAndQuery) {
    setup("Redirect permanent / https://secure.example/\n");
    expect_both({
        {"/", 301, "https://secure.example/"},
        {"/index.html", 301, "https://secure.example/index.html"},
        {"/a/b.html?x=1&y=%22", 301, "https://secure.example/a/b.html?x=1&y=%22"},
        {"/index.html?", 301, "https://secure.example/index.html?"},
        {"/index.html", 301, "https://secure.example/index.html", ""},
    });
}

TEST_F(Redirects, TheRestOfThePathIsEscapedAsApacheDoes) {
    setup("Redirect /a http://x.example/b\nRedirect /q http://q.example/?a=1\n");
    expect_both({
        // A target with its own query takes the rest of the path after it,
        // and not the request's query.
        {"/q/z?b=2", 302, "http://q.example/?a=1/z"},
        {"/a", 302, "http://x.example/b"},
        {"/a/c%20d;e%3Fq'%22%3C%3E~%25", 302, "http://x.example/b/c%20d;e%3fq'%22%3c%3e~%25"},
        {"/a/%C3%A9$-_.+!*'(),:@&=", 302, "http://x.example/b/%c3%a9$-_.+!*'(),:@&="},
        {"//a//c", 302, "http://x.example/b/c"},
    });
}

TEST_F(Redirects, PrefixMatchesOnlyWholeSegments) {
    setup("Redirect /a http://x.example/b\nRedirect /dir/ http://y.example/\n", {"ab", "a", "dirx"});
    expect_both({
        {"/ab", 200, ""},
        {"/a", 302, "http://x.example/b"},
        {"/a/", 302, "http://x.example/b/"},
        {"/dirx", 200, ""},
        {"/dir/z", 302, "http://y.example/z"},
    });
}

TEST_F(Redirects, GoneAndOtherStatusesAnswerWithoutLocation) {
    setup("Redirect gone /old\nRedirect 404 /x\nRedirect 410 /y\n", {"old/file.html", "x", "y"});
    expect_both({
        {"/old", 410, ""},
        {"/old/file.html", 410, ""},
        {"/x", 404, ""},
        {"/y?q", 410, ""},
    });
}

TEST_F(Redirects, RedirectMatchSubstitutesGroupsAndEscapes) {
    setup("RedirectMatch \"^/img/(.*)\\.gif$\" http://cdn.example/$1.png\n"
          "RedirectMatch ^/amp/(.*) http://cdn.example/a&b\\&c%41?q=$1#frag\n"
          "RedirectMatch 301 ^/p/(.*)/(.*)$ http://cdn.example:80/$2/$1/$3\n",
          {"img/a.gif"});
    expect_both({
        {"/img/a.gif", 302, "http://cdn.example/a.png"},
        {"/img/a%20b.gif?q=2", 302, "http://cdn.example/a%20b.png?q=2"},
        {"/img/a.png", 404, ""},
        {"/amp/zz?r=1", 302, "http://cdn.example/a&b&c%2541?q=zz#frag"},
        {"/p/one/two", 301, "http://cdn.example/two/one/"},
    });
}

TEST_F(Redirects, RedirectTempAndRedirectPermanent) {
    setup("RedirectTemp /t http://t.example/\nRedirectPermanent /p http://p.example/x\n", {"t", "p"});
    expect_both({
        {"/t/1", 302, "http://t.example//1"},
        {"/p", 301, "http://p.example/x"},
        {"/p/y?z", 301, "http://p.example/x/y?z"},
    });
}

TEST_F(Redirects, TheErrorPageFollowsTheServersSettings) {
    setup("ServerSignature On\nErrorDocument 410 \"gone for good\"\n"
          "Redirect /s http://s.example/\nRedirect gone /g\n");
    expect_both({
        {"/s", 302, "http://s.example/"},
        {"/g", 410, ""},
    });
}

TEST_F(Redirects, ServerRedirectsComeBeforeAccessChecksPerDirectoryOnesAfter) {
    setup("Redirect /denied/s http://s.example/\n"
          "<Directory \"@HTDOCS@/denied\">\nRequire all denied\nRedirect /denied/d http://d.example/\n</Directory>\n",
          {"denied/s", "denied/d"});
    expect_both({
        {"/denied/s", 302, "http://s.example/"},
        {"/denied/d", 403, ""},
    });
}

TEST_F(Redirects, HeadGetsTheStatusAndLocationOnly) {
    setup("Redirect permanent / https://secure.example/\n");
    for (const char* which : {"sonora", "apache"}) {
        if (std::string(which) == "apache" && !apache_available()) {
            continue;
        }
        BinaryServer server = site_->server(which);
        ASSERT_TRUE(server.start()) << server.startup_error;
        auto rs = parse_responses(
            http_exchange(port(), "HEAD /x?y HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), true);
        server.stop();
        ASSERT_EQ(rs.size(), 1u) << which;
        EXPECT_EQ(rs[0].status, 301) << which;
        EXPECT_EQ(rs[0].header("Location"), "https://secure.example/x?y") << which;
        EXPECT_EQ(rs[0].body, "") << which;
    }
}

TEST_F(Redirects, OtherRedirectStatuses) {
    setup("Redirect 307 /t307 http://h.example:8080/\n"
          "RedirectMatch 308 ^/t308(.*) http://h.example/z$1\n"
          "Redirect seeother /see http://h.example/\n"
          "Redirect 300 /t300 http://h.example/\n"
          "Redirect 305 /t305 http://h.example/\n");
    expect_both({
        {"/t307/k", 307, "http://h.example:8080//k"},
        {"/t308/k", 308, "http://h.example/z/k"},
        {"/see", 303, "http://h.example/"},
        {"/t300", 300, "http://h.example/"},
        {"/t305", 305, "http://h.example/"},
    });
}

TEST_F(Redirects, ALocalTargetBecomesAnAbsoluteUrl) {
    setup("Redirect /rel /target\nRedirectMatch ^/m(.*) /t$1\nRedirectMatch ^/bad(.*) foo$1\n");
    const std::string with_port = "localhost:" + std::to_string(port());
    expect_both({
        {"/rel/y?q", 302, "http://localhost/target/y?q"},
        {"/rel/y", 302, "http://" + with_port + "/target/y", with_port},
        {"/rel/y", 302, "http://localhost/target/y", ""},
        {"/rel/y", 302, "http://foo.example:99/target/y", "foo.example:99"},
        {"/mx", 302, "http://localhost/tx"},
        {"/bad1", 500, ""},
    });
}

TEST_F(Redirects, RedirectRelativeOnSendsTheLocalPath) {
    setup("RedirectRelative On\nRedirect /rel /target\n"
          "<Location /loc>\nRedirect 301 /here\n</Location>\n"
          "<Location /off>\nRedirectRelative Off\nRedirect 301 /here\n</Location>\n");
    expect_both({
        {"/rel/y?q", 302, "/target/y?q"},
        {"/loc/a", 301, "/here"},
        {"/off/a", 301, "http://localhost/here"},
    });
}

TEST_F(Redirects, UseCanonicalNameOnUsesServerName) {
    setup("UseCanonicalName On\nServerName canon.example:8081\nRedirect /rel /target\n");
    expect_both({{"/rel", 302, "http://canon.example:8081/target", "other.example"}});
}

// mod_dir's trailing-slash redirect builds its URL the same way.
TEST_F(Redirects, TheTrailingSlashRedirectFollowsUseCanonicalName) {
    setup("UseCanonicalName On\nServerName canon.example:8081\n<Directory @HTDOCS@/off>\nUseCanonicalName Off\n"
          "</Directory>\n",
          {"dir/x", "off/x"});
    expect_both({{"/dir", 301, "http://canon.example:8081/dir/", "other.example:9"},
                 {"/off", 301, "http://other.example:9/off/", "other.example:9"},
                 {"/off?q=1", 301, "http://other.example:9/off/?q=1", "other.example:9"}});
}

// UseCanonicalName DNS: the name of the local address the connection came in
// on (127.0.0.1, which a stub /etc/hosts calls canon-dns.example), the port
// as under Off. The error page's signature and %V say the same.
TEST_F(Redirects, UseCanonicalNameDnsNamesTheLocalAddress) {
    if (!can_stub_hosts()) {
        GTEST_SKIP() << "needs root and mount namespaces to stub /etc/hosts";
    }
    setup("UseCanonicalName DNS\nServerName canon.example:8081\nServerSignature On\nRedirect /rel /target\n"
          "CustomLog vhost_log \"%V %U\"\n",
          {"dir/x"});
    site_->stub_hosts("127.0.0.1 canon-dns.example\n");
    const std::vector<Case> cases = {{"/rel", 302, "http://canon-dns.example:8081/target", "other.example"},
                                     {"/dir", 301, "http://canon-dns.example:9/dir/", "other.example:9"},
                                     {"/rel", 302, "http://canon-dns.example:8081/target", ""}};
    expect_both(cases);
    const std::string log = read_file(site_->root().str() + "/vhost_log");
    const std::size_t runs = apache_available() ? 2 : 1;
    EXPECT_EQ(log, [&] {
        std::string one = "canon-dns.example /rel\ncanon-dns.example /dir\ncanon-dns.example /rel\n";
        return runs == 2 ? one + one : one;
    }()) << "%V, from both servers in turn";
}

// Set for a directory only, it applies from the directory's configuration on;
// an address without a name falls back to ServerName.
TEST_F(Redirects, UseCanonicalNameDnsInADirectoryAndWithoutAName) {
    if (!can_stub_hosts()) {
        GTEST_SKIP() << "needs root and mount namespaces to stub /etc/hosts";
    }
    setup("ServerName canon.example\nListen 127.0.0.9:@PORT@\n<Directory @HTDOCS@/dns>\nUseCanonicalName DNS\n"
          "</Directory>\n",
          {"dns/x", "off/x"});
    site_->stub_hosts("127.0.0.1 canon-dns.example\n");
    expect_both({{"/dns", 301, "http://canon-dns.example/dns/", "other.example"},
                 {"/off", 301, "http://other.example/off/", "other.example"}});
    for (const char* which : {"sonora", "apache"}) {
        if (which == std::string("apache") && !apache_available()) {
            continue;
        }
        BinaryServer server = site_->server(which);
        ASSERT_TRUE(server.start()) << which << ": " << server.startup_error;
        // 127.0.0.9 has no name, in the stub or anywhere.
        auto rs = parse_responses(
            http_exchange_from("127.0.0.1", "127.0.0.9", port(), get_request("/dns", "other.example")));
        ASSERT_EQ(rs.size(), 1u) << which;
        EXPECT_EQ(rs[0].header("Location"), "http://canon.example/dns/") << which;
        server.stop();
    }
}

TEST_F(Redirects, VirtualHostRedirectsComeBeforeTheMainServersAndStayInTheirHost) {
    setup("<VirtualHost *>\nServerName v.example\nRedirect /v http://vhost.example/\n"
          "Redirect /both http://from-vhost.example/\n</VirtualHost>\n"
          "<VirtualHost *>\nServerName w.example\n</VirtualHost>\n"
          "Redirect /both http://from-main.example/\nRedirect /m http://main.example/\n",
          {"v", "both", "m"});
    expect_both({
        {"/v", 302, "http://vhost.example/", "v.example"},
        {"/both", 302, "http://from-vhost.example/", "v.example"},
        {"/m", 302, "http://main.example/", "v.example"},
        {"/v", 200, "", "w.example"},
        {"/both", 302, "http://from-main.example/", "w.example"},
    });
}

TEST_F(Redirects, OneArgumentFormInsideLocation) {
    setup("<Location /old>\nRedirect http://new.example/\n</Location>\n"
          "<Location /gone>\nRedirect gone\n</Location>\n"
          "<Location /expr>\nRedirect 301 \"http://e.example%{REQUEST_URI}x y\"\n</Location>\n"
          "<Location /rel>\nRedirect /relative/t\n</Location>\n",
          {"old/page.html"});
    expect_both({
        {"/old", 302, "http://new.example/"},
        {"/old/page.html?q=1", 302, "http://new.example/?q=1"},
        {"/gone/a", 410, ""},
        {"/expr/a%20b", 301, "http://e.example/expr/a%20bx%20y"},
        {"/rel/a", 302, "http://localhost/relative/t"},
    });
}

TEST_F(Redirects, PerDirectoryListsRunAfterMapping) {
    setup("<Directory \"@HTDOCS@/sub\">\nRedirect /sub/f.txt http://dir.example/f\n"
          "RedirectMatch 308 ^/sub/m(.*) http://dir.example/m$1\n</Directory>\n"
          "<Files secret.txt>\nRedirect 307 /other/secret.txt http://files.example/s\n</Files>\n",
          {"sub/f.txt", "sub/g.txt", "other/secret.txt", "sub/mine"});
    expect_both({
        {"/sub/f.txt?z", 302, "http://dir.example/f?z"},
        {"/sub/g.txt", 200, ""},
        {"/sub/mine", 308, "http://dir.example/mine"},
        // Per-directory entries apply only where the URL maps into the section.
        {"/sub/nothere", 404, ""},
        {"/other/secret.txt", 307, "http://files.example/s"},
    });
}

}  // namespace
}  // namespace sonora::test
