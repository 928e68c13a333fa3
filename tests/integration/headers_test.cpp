// mod_headers on the real binary: Header and RequestHeader with each action,
// condition and clause, on handler responses and on the error pages the
// server makes, in sections and .htaccess files. Every case runs against
// Apache 2.4 with the same configuration too, when it is installed, and the
// header fields named are compared value for value.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules =
    "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n"
    "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    "LogFormat \"%{X-In}i|%{X-Gone}i|%{X-Early}i|%{seen}n\" probe\nCustomLog @LOGS@/probe_log probe\n";

// Every value of `name` in a response head, in order, one per line.
std::string values(const Response& r, const std::string& name) {
    std::string out;
    std::size_t at = 0;
    while (at < r.head.size()) {
        std::size_t end = r.head.find("\r\n", at);
        if (end == std::string::npos) {
            end = r.head.size();
        }
        const std::string line = r.head.substr(at, end - at);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos && colon == name.size() &&
            ::strncasecmp(line.c_str(), name.c_str(), name.size()) == 0) {
            std::size_t v = colon + 1;
            while (v < line.size() && line[v] == ' ') {
                ++v;
            }
            out += line.substr(v) + "\n";
        }
        at = end + 2;
    }
    return out;
}

class Headers : public ::testing::Test {
protected:
    Headers() : site(kModules) {
        site.write_doc("a.txt", "hello\n");
        site.write_doc("err.html", "custom error\n");
        site.append_config("<Directory " + htdocs() + ">\nRequire all granted\n</Directory>\n");
    }

    std::string htdocs() const { return site.root().str() + "/htdocs"; }

    // Sonora answers `expected`, and the fields in `names` carry what Apache's do.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected,
                                      const std::vector<std::string>& names) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << "sonora\n" << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << "apache\n" << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                for (const std::string& name : names) {
                    EXPECT_EQ(values(sonora[i], name), values(apache[i], name)) << requests[i] << " " << name;
                }
            }
        }
        return sonora;
    }

    TwinSite site;
};

std::string request_with(const std::string& path, const std::string& extra) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

TEST_F(Headers, EachActionOnAHandlersResponse) {
    site.append_config("SetEnvIf User-Agent tester IS_TESTER\n"
                       "Header set X-One \"a\\tb %% %{IS_TESTER}e %{NOPE}e\"\n"
                       "Header append X-One more\n"
                       "Header merge X-One more\n"
                       "Header merge X-One \"\\\"more\\\"\"\n"
                       "Header add X-Two 1\nHeader add X-Two 2\n"
                       "Header edit* X-Two ^(.)$ [$1]\n"
                       "Header edit X-Three a b\nHeader set X-Three aaa\nHeader edit* X-Four a b\n"
                       "Header set X-Four aXa\nHeader edit* X-Four a b\n"
                       "Header setifempty X-Two never\nHeader setifempty X-Five once\n"
                       "Header unset ETag\n"
                       "Header set X-Env yes env=IS_TESTER\nHeader set X-NotEnv no env=!IS_TESTER\n"
                       "Header set X-Expr \"expr=%{REQUEST_URI}\" \"expr=%{REQUEST_URI} =~ /a/\"\n"
                       "Header set X-NoExpr no \"expr=%{REQUEST_URI} =~ /zzz/\"\n"
                       "Header echo ^X-Echo\n"
                       "Header set Content-Type text/x-mine\n"
                       "Header set Date yesterday\nHeader set Content-Length 99\n"
                       "Header edit Last-Modified \"^(...),\" \"DAY $1\"\n");
    auto rs = expect_both({request_with("/a.txt", "User-Agent: tester\r\nX-Echo-1: e1\r\nX-Echo-2: e2\r\n")}, {200},
                          {"X-One", "X-Two", "X-Three", "X-Four", "X-Five", "ETag", "X-Env", "X-NotEnv", "X-Expr",
                           "X-NoExpr", "X-Echo-1", "X-Echo-2", "Content-Type", "Content-Length", "Last-Modified"});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(values(rs[0], "X-One"), "a\tb % 1 (null), more, \"more\"\n");
    EXPECT_EQ(values(rs[0], "X-Two"), "[1]\n[2]\n");
    EXPECT_EQ(values(rs[0], "X-Three"), "aaa\n");
    EXPECT_EQ(values(rs[0], "X-Four"), "bXb\n");
    EXPECT_EQ(values(rs[0], "X-Five"), "once\n");
    EXPECT_EQ(values(rs[0], "ETag"), "");
    EXPECT_EQ(values(rs[0], "X-Env"), "yes\n");
    EXPECT_EQ(values(rs[0], "X-NotEnv"), "");
    EXPECT_EQ(values(rs[0], "X-Expr"), "/a.txt\n");
    EXPECT_EQ(values(rs[0], "X-Echo-2"), "e2\n");
    EXPECT_EQ(values(rs[0], "Content-Type"), "text/x-mine\n");
    EXPECT_EQ(values(rs[0], "Content-Length"), "6\n");
    EXPECT_NE(rs[0].header("Date"), "yesterday");
    EXPECT_EQ(rs[0].header("Last-Modified").substr(0, 4), "DAY ");
    EXPECT_EQ(rs[0].body, "hello\n");
}

// `onsuccess` edits what a handler sent; an error page the server makes
// (a canned page, a Redirect) gets only the `always` ones; a local
// ErrorDocument is a handler's response again.
TEST_F(Headers, AlwaysAndOnSuccessOnErrorPages) {
    site.append_config("Header set X-Success yes\nHeader always set X-Always yes\n"
                       "Redirect /moved http://elsewhere.example/\n"
                       "<Directory " + htdocs() + "/shut>\nRequire all denied\nErrorDocument 403 /err.html\n</Directory>\n");
    site.write_doc("shut/x.txt", "x\n");
    auto rs = expect_both({get_request("/a.txt"), get_request("/missing"), get_request("/moved/x"),
                           get_request("/shut/x.txt")},
                          {200, 404, 302, 403}, {"X-Success", "X-Always", "Location"});
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_EQ(values(rs[0], "X-Success") + values(rs[0], "X-Always"), "yes\nyes\n");
    EXPECT_EQ(values(rs[1], "X-Success") + values(rs[1], "X-Always"), "yes\n");
    EXPECT_EQ(values(rs[2], "X-Success") + values(rs[2], "X-Always"), "yes\n");
    EXPECT_EQ(values(rs[3], "X-Success") + values(rs[3], "X-Always"), "yes\nyes\n");
    EXPECT_EQ(rs[3].body, "custom error\n");
}

// RequestHeader edits the request at fixups (the log sees the result; <If>,
// evaluated earlier, does not); `early` edits it before anything else.
TEST_F(Headers, RequestHeaderLateAndEarly) {
    site.append_config("RequestHeader set X-In late\nRequestHeader unset X-Gone\n"
                       "RequestHeader set X-Early yes early\n"
                       "Header note X-Note seen\nHeader set X-Note noted\n"
                       "<If \"%{HTTP:X-In} == 'late'\">\nHeader set X-If-Late saw\n</If>\n"
                       "<If \"%{HTTP:X-Early} == 'yes'\">\nHeader set X-If-Early saw\n</If>\n");
    // The note is taken before X-Note is set: the log shows "-".
    auto rs = expect_both({request_with("/a.txt", "X-Gone: g\r\n")}, {200}, {"X-If-Late", "X-If-Early"});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(values(rs[0], "X-If-Late"), "");
    EXPECT_EQ(values(rs[0], "X-If-Early"), "saw\n");
    EXPECT_EQ(site.read_log("sonora", "probe_log"), "late|-|yes|-\n");
    if (apache_available()) {
        EXPECT_EQ(site.read_log("apache", "probe_log"), "late|-|yes|-\n");
    }
}

// Header in an .htaccess file needs AllowOverride FileInfo; a section's
// entries follow the server's.
TEST_F(Headers, InSectionsAndAccessFiles) {
    site.append_config("Header set X-Order server\n"
                       "<Directory " + htdocs() + "/open>\nAllowOverride FileInfo\n</Directory>\n"
                       "<Directory " + htdocs() + "/closed>\nAllowOverride AuthConfig\n</Directory>\n"
                       "<Location /open>\nHeader append X-Order location\n</Location>\n");
    site.write_doc("open/.htaccess", "Header append X-Order htaccess\n");
    site.write_doc("open/f.txt", "f\n");
    site.write_doc("closed/.htaccess", "Header set X-Closed yes\n");
    site.write_doc("closed/f.txt", "f\n");
    auto rs = expect_both({get_request("/open/f.txt"), get_request("/closed/f.txt")}, {200, 500}, {"X-Order"});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(values(rs[0], "X-Order"), "server, htaccess, location\n");
    EXPECT_NE(site.read_log("sonora", "error_log").find("Header not allowed here"), std::string::npos)
        << site.read_log("sonora", "error_log");
}

// An expression that reads a request header (req(), http(), %{HTTP:..},
// HTTP_*) puts it in Vary as soon as it is evaluated, whether it holds or
// not: <If>, Header's expr=, SetEnvIfExpr and Require expr alike; Host and
// req_novary() never.
TEST_F(Headers, ExpressionsPutTheHeadersTheyReadInVary) {
    site.write_doc("if.txt", "if\n");
    site.write_doc("cond.txt", "cond\n");
    site.write_doc("req.txt", "req\n");
    site.write_doc("quiet.txt", "quiet\n");
    site.append_config("<Location /if.txt>\n<If \"%{HTTP:X-If} == 'on'\">\nHeader set X-Was on\n</If>\n</Location>\n"
                       "<Location /cond.txt>\nHeader set X-H yes \"expr=%{HTTP:X-Hdr} == 'a'\"\n"
                       "SetEnvIfExpr \"req('X-Env') == 'b' || %{HTTP_HOST} == 'x' || req('Host') == 'y'\" SEEN=1\n"
                       "</Location>\n"
                       "<Location /req.txt>\nRequire expr \"%{HTTP:X-Auth} != 'deny'\"\n</Location>\n"
                       "<Location /quiet.txt>\nSetEnvIfExpr \"req_novary('X-Quiet') == 'q'\" Q=1\n</Location>\n");
    auto rs = expect_both({get_request("/if.txt"), request_with("/if.txt", "X-If: on\r\n"), get_request("/cond.txt"),
                           request_with("/cond.txt", "X-Hdr: a\r\nX-Env: b\r\n"), get_request("/req.txt"),
                           request_with("/req.txt", "X-Auth: deny\r\n"), get_request("/quiet.txt")},
                          {200, 200, 200, 200, 200, 403, 200}, {"Vary", "X-Was", "X-H"});
    ASSERT_EQ(rs.size(), 7u);
    EXPECT_EQ(values(rs[0], "Vary"), "X-If\n");
    EXPECT_EQ(values(rs[1], "Vary"), "X-If\n");
    EXPECT_EQ(values(rs[1], "X-Was"), "on\n");
    EXPECT_EQ(values(rs[2], "Vary"), "X-Env,X-Hdr\n");
    EXPECT_EQ(values(rs[3], "X-H"), "yes\n");
    EXPECT_EQ(values(rs[4], "Vary"), "X-Auth\n");
    EXPECT_EQ(values(rs[5], "Vary"), "");  // an error page drops headers_out
    EXPECT_EQ(values(rs[6], "Vary"), "");
}

// An error page goes out with err_headers_out, not with what the handler had
// set before it failed (httpd's ap_send_error_response): a 416 carries none
// of the file's validators; a redirect keeps its Location, a 405 its Allow.
TEST_F(Headers, AnErrorPageCarriesOnlyItsOwnFields) {
    site.append_config("Redirect /moved http://elsewhere.example/\n");
    auto rs = expect_both({request_with("/a.txt", "Range: bytes=100-\r\n"), get_request("/moved/x"),
                           "PUT /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
                          {416, 302, 405}, {"Last-Modified", "ETag", "Accept-Ranges", "Content-Range", "Location"});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(values(rs[0], "Last-Modified") + values(rs[0], "ETag") + values(rs[0], "Accept-Ranges"), "");
    EXPECT_EQ(rs[1].header("Location"), "http://elsewhere.example//x");  // as httpd joins them
    EXPECT_NE(rs[2].header("Allow"), "");
}

}  // namespace
}  // namespace sonora::test
