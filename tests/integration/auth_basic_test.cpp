// HTTP Basic authentication on the real binary: mod_auth_basic with
// mod_authn_file (every htpasswd format), mod_authz_user, mod_authz_groupfile,
// <AuthnProviderAlias>, Satisfy Any with Allow, %u in the access log, and the
// 401 challenge. Every case runs against Apache 2.4 with the same
// configuration too, when it is installed: statuses, the challenge, the
// error page, the error-log messages and the access log must agree.

#include "support/client.h"
#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules =
    "LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so\n"
    "LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so\n"
    "LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so\n"
    "LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so\n"
    "LoadModule authz_groupfile_module /usr/lib/apache2/modules/mod_authz_groupfile.so\n"
    "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n"
    "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n"
    "CustomLog @LOGS@/access_log \"%u %>s %r\"\n";

// Made by htpasswd -B, -m, -s, -d and -p; the passwords are the users' names
// with " pw" (crypt-user: "cryptpw", plain-user: "plainpw", empty-user: "").
constexpr const char* kUsers =
    "bcrypt-user:$2y$05$WZKK64mA7V7qPBbQG101IOCmF9h/cp48.5ki3h3pcSMpLTNC3hsDy\n"
    "apr1-user:$apr1$F5loxn41$TNlIpUWPHQ14hzNMUeP8x1\n"
    "sha-user:{SHA}7ubAkIthNAIpEJjMktYaoVaMPB8=\n"
    "crypt-user:fW/cm30lC1gaI\n"
    "plain-user:plainpw\n"
    "empty-user:$apr1$ZzXNzk2d$pupKvDVysrQU3f4XzjQvR1\n";
constexpr const char* kGroups = "admins: bcrypt-user sha-user\nstaff:apr1-user\n";

std::string base64(const std::string& in) {
    static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) {
            out += digits[(v >> s) & 63];
        }
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) {
            v |= static_cast<unsigned char>(in[i + 1]) << 8;
        }
        out += digits[(v >> 18) & 63];
        out += digits[(v >> 12) & 63];
        out += i + 1 < in.size() ? digits[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string authorization(const std::string& credentials) { return "Authorization: Basic " + base64(credentials) + "\r\n"; }

std::string get(const std::string& path, const std::string& headers = {}) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n";
}
std::string get_as(const std::string& path, const std::string& credentials) {
    return get(path, authorization(credentials));
}

// A protected <Location>: Basic with the users file, and `rules`.
std::string location(const std::string& path, const std::string& rules,
                     const std::string& realm = "Members Only") {
    return "<Location " + path + ">\nAuthType Basic\nAuthName \"" + realm + "\"\nAuthUserFile users\n" +
           "AuthGroupFile groups\n" + rules + "\n</Location>\n";
}

class AuthBasic : public ::testing::Test {
protected:
    AuthBasic() : site(kModules) {
        site.root().write("users", kUsers);
        site.root().write("groups", kGroups);
        for (const char* doc : {"sec/doc.txt", "open.txt", "errors/401.html"}) {
            site.write_doc(doc, std::string("DOCUMENT ") + doc + "\n");
        }
    }

    // Sonora answers `expected`; so does Apache when it is installed. Refusals
    // never carry a document.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << "sonora\n" << site.read_log("sonora", "error_log");
        for (const Response& r : sonora) {
            if (r.status >= 400) {
                EXPECT_FALSE(contains(r.body, "DOCUMENT sec")) << r.body;
            }
        }
        if (apache_available()) {
            apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << "apache\n" << site.read_log("apache", "error_log");
        }
        return sonora;
    }
    // Sonora's error log holds `message` under `id` (SNnnnnn), and Apache's
    // under the AH number of the same digits.
    void expect_logged(const std::string& id, const std::string& message) const {
        EXPECT_TRUE(contains(site.read_log("sonora", "error_log"), id + ": " + message))
            << id << ": " << message << "\n" << site.read_log("sonora", "error_log");
        if (apache_available()) {
            const std::string ah = "AH" + id.substr(2);
            EXPECT_TRUE(contains(site.read_log("apache", "error_log"), ah + ": " + message))
                << ah << ": " << message << "\n" << site.read_log("apache", "error_log");
        }
    }

    TwinSite site;
    std::vector<Response> apache;
};

// The challenge: status, WWW-Authenticate, type and body as Apache sends them.
TEST_F(AuthBasic, ChallengeWithoutCredentials) {
    site.append_config(location("/sec", "Require valid-user") +
                       location("/sec/expr", "Require valid-user", "Realm of %{SERVER_NAME}"));
    auto rs = expect_both({get("/sec/doc.txt"), get("/sec/expr/x"), get("/open.txt")}, {401, 401, 200});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].header("WWW-Authenticate"), "Basic realm=\"Members Only\"");
    EXPECT_EQ(rs[1].header("WWW-Authenticate"), "Basic realm=\"Realm of localhost\"");
    EXPECT_EQ(rs[0].header("Content-Type"), "text/html; charset=iso-8859-1");
    EXPECT_TRUE(contains(rs[0].body, "<title>401 Unauthorized</title>")) << rs[0].body;
    EXPECT_EQ(rs[2].header("WWW-Authenticate"), "");
    if (apache_available()) {
        ASSERT_EQ(apache.size(), 3u);
        for (std::size_t i = 0; i < 2; ++i) {
            EXPECT_EQ(rs[i].status_line, apache[i].status_line);
            EXPECT_EQ(rs[i].header("WWW-Authenticate"), apache[i].header("WWW-Authenticate"));
            EXPECT_EQ(rs[i].header("Content-Type"), apache[i].header("Content-Type"));
            EXPECT_EQ(rs[i].header("Content-Length"), apache[i].header("Content-Length"));
            EXPECT_EQ(rs[i].body, apache[i].body);
        }
    }
}

TEST_F(AuthBasic, EveryHashFormatAndTheWrongPasswords) {
    site.append_config(location("/sec", "Require valid-user"));
    const std::string doc = "/sec/doc.txt";
    auto rs = expect_both(
        {
            get_as(doc, "bcrypt-user:bcrypt pw"), get_as(doc, "bcrypt-user:bcrypt"),
            get_as(doc, "apr1-user:apr1 pw"),     get_as(doc, "apr1-user:APR1 PW"),
            get_as(doc, "sha-user:sha pw"),       get_as(doc, "sha-user:wrong"),
            get_as(doc, "crypt-user:cryptpw"),    get_as(doc, "crypt-user:cryptpx"),
            get_as(doc, "plain-user:plainpw"),  // plain text is not compared on Linux
            get_as(doc, "empty-user:"),           get_as(doc, "ghost:x"),
            get_as(doc, "sha-user"),            // no colon: an empty password
            get(doc, "Authorization: Digest username=\"sha-user\"\r\n"),
        },
        {200, 401, 200, 401, 200, 401, 200, 401, 401, 200, 401, 401, 401});
    ASSERT_EQ(rs.size(), 13u);
    EXPECT_EQ(rs[0].body, "DOCUMENT sec/doc.txt\n");
    EXPECT_EQ(rs[1].header("WWW-Authenticate"), "Basic realm=\"Members Only\"");
    expect_logged("SN01617", "user sha-user: authentication failure for \"/sec/doc.txt\": Password Mismatch");
    expect_logged("SN01618", "user ghost not found: /sec/doc.txt");
    expect_logged("SN01614", "client used wrong authentication scheme: /sec/doc.txt");
}

TEST_F(AuthBasic, RequireUserAndGroup) {
    site.append_config(location("/sec", "Require valid-user") + location("/only-sha", "Require user sha-user") +
                       location("/admins", "Require group admins") + location("/staff", "Require group staff admins") +
                       location("/forbidden", "Require user nobody\nAuthzSendForbiddenOnFailure On") +
                       location("/nogroupfile", "AuthGroupFile no-such-file\nRequire group admins") +
                       location("/not", "<RequireAll>\nRequire valid-user\nRequire not user sha-user\n</RequireAll>"));
    auto rs = expect_both(
        {
            get_as("/only-sha/x", "sha-user:sha pw"),
            get_as("/only-sha/x", "apr1-user:apr1 pw"),
            get("/only-sha/x"),
            get_as("/admins/x", "bcrypt-user:bcrypt pw"),
            get_as("/admins/x", "apr1-user:apr1 pw"),
            get_as("/admins/x", "crypt-user:cryptpw"),  // in no group at all
            get_as("/staff/x", "apr1-user:apr1 pw"),
            get_as("/forbidden/x", "sha-user:sha pw"),
            get_as("/nogroupfile/x", "sha-user:sha pw"),
            get_as("/not/x", "sha-user:sha pw"),
            get_as("/not/x", "apr1-user:apr1 pw"),
        },
        {404, 401, 401, 404, 401, 401, 404, 403, 401, 401, 404});
    ASSERT_EQ(rs.size(), 11u);
    EXPECT_EQ(rs[1].header("WWW-Authenticate"), "Basic realm=\"Members Only\"");  // try again
    EXPECT_EQ(rs[7].header("WWW-Authenticate"), "");
    expect_logged("SN01631", "user apr1-user: authorization failure for \"/only-sha/x\": ");
    // The system error comes first: "(2)No such file or directory: ".
    const std::string unreadable = "Could not open group file: " + site.root().str() + "/no-such-file";
    EXPECT_TRUE(contains(site.read_log("sonora", "error_log"), "SN01665: (2)No such file or directory: " + unreadable));
    if (apache_available()) {
        EXPECT_TRUE(contains(site.read_log("apache", "error_log"), "AH01665: " + unreadable));
    }
}

// Satisfy Any: an allowed client needs no password; others authenticate.
TEST_F(AuthBasic, SatisfyAnyWithAllow) {
    const std::string compat = "Order deny,allow\nDeny from all\n";
    site.append_config(location("/any", "Require valid-user\n" + compat + "Allow from 127.0.0.1\nSatisfy Any") +
                       location("/anyelse", "Require valid-user\n" + compat + "Allow from 10.9.9.9\nSatisfy Any") +
                       location("/all", "Require valid-user\n" + compat + "Allow from 127.0.0.1\nSatisfy All") +
                       location("/allelse", "Require valid-user\n" + compat + "Allow from 10.9.9.9\nSatisfy All"));
    expect_both({get("/any/x"), get("/anyelse/x"), get_as("/anyelse/x", "sha-user:sha pw"), get("/all/x"),
                 get_as("/all/x", "sha-user:sha pw"), get_as("/allelse/x", "sha-user:sha pw")},
                {404, 401, 404, 401, 404, 403});
}

TEST_F(AuthBasic, ProviderAliasWithItsOwnFile) {
    site.root().write("other-users", "otheruser:{SHA}5x8RRXHls54Hse54VaYA2Ywl1Hg=\n");  // "new pw"
    site.append_config("<AuthnProviderAlias file other>\nAuthUserFile other-users\n</AuthnProviderAlias>\n" +
                       location("/both", "AuthBasicProvider other file\nRequire valid-user") +
                       location("/aliasonly", "AuthBasicProvider other\nRequire valid-user"));
    expect_both({get_as("/both/x", "otheruser:new pw"), get_as("/both/x", "sha-user:sha pw"),
                 get_as("/aliasonly/x", "otheruser:new pw"), get_as("/aliasonly/x", "sha-user:sha pw"),
                 get_as("/aliasonly/x", "otheruser:sha pw")},
                {404, 404, 404, 401, 401});
}

TEST_F(AuthBasic, DigestAlgorithmComparesTheRealmHash) {
    // htdigest's line for alice in realm "Members Only", password "wonderland".
    site.root().write("digests", "alice:Members Only:4e70661274cacb815a9ceadc1b9db376\n");
    site.append_config("<Location /md5>\nAuthType Basic\nAuthName \"Members Only\"\nAuthUserFile digests\n"
                       "AuthBasicUseDigestAlgorithm MD5\nRequire valid-user\n</Location>\n");
    expect_both({get_as("/md5/x", "alice:wonderland"), get_as("/md5/x", "alice:alice"), get_as("/md5/x", "bob:x")},
                {404, 401, 401});
}

TEST_F(AuthBasic, RequireExprOnTheRemoteUser) {
    site.append_config(location("/expr", "Require expr %{REMOTE_USER} == 'sha-user'"));
    expect_both({get("/expr/x"), get_as("/expr/x", "sha-user:sha pw"), get_as("/expr/x", "apr1-user:apr1 pw")},
                {401, 404, 401});
}

// An ErrorDocument for 401 outside the protected area is served with the
// challenge, which survives the internal redirect.
TEST_F(AuthBasic, ErrorDocumentKeepsTheChallenge) {
    site.append_config(location("/sec", "Require valid-user") + "ErrorDocument 401 /errors/401.html\n");
    auto rs = expect_both({get("/sec/doc.txt")}, {401});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].body, "DOCUMENT errors/401.html\n");
    EXPECT_EQ(rs[0].header("WWW-Authenticate"), "Basic realm=\"Members Only\"");
}

// AuthType without modules or requirements to back it: httpd's 500s.
TEST_F(AuthBasic, ConfigurationErrorsAtRequestTime) {
    site.append_config("<Location /noname>\nAuthType Basic\nAuthUserFile users\nRequire valid-user\n</Location>\n"
                       "<Location /notype>\nRequire valid-user\n</Location>\n"
                       "<Location /digest>\nAuthType Digest\nAuthName x\nRequire valid-user\n</Location>\n"
                       "<Location /norequire>\nAuthType Basic\nAuthName x\n</Location>\n"
                       "<Location /nofile>\nAuthType Basic\nAuthName x\nRequire valid-user\n</Location>\n");
    expect_both({get("/noname/x"), get("/notype/x"), get("/digest/x"), get("/norequire/x"),
                 get_as("/nofile/x", "a:b")},
                {500, 500, 500, 500, 500});
    expect_logged("SN01615", "need AuthName: /noname/x");
    expect_logged("SN00027", "No authentication done but request not allowed without authentication for "
                             "/notype/x. Authentication not configured?");
    expect_logged("SN01796", "AuthType Digest configured without corresponding module");
    expect_logged("SN01627", "AuthType configured with no corresponding authorization directives");
    expect_logged("SN01619", "AuthUserFile not specified in the configuration");
}

// %u: the name sent, even on a 401; "-" without one; "" for an empty one.
TEST_F(AuthBasic, AccessLogNamesTheUser) {
    site.append_config(location("/sec", "Require valid-user"));
    expect_both({get("/sec/doc.txt"), get_as("/sec/doc.txt", "sha-user:wrong"), get_as("/sec/doc.txt", "sha-user:sha pw"),
                 get_as("/sec/doc.txt", ":"), get("/open.txt"), get_as("/open.txt", "sha-user:sha pw")},
                {401, 401, 200, 401, 200, 200});
    const std::string expected = "- 401 GET /sec/doc.txt HTTP/1.1\n"
                                 "sha-user 401 GET /sec/doc.txt HTTP/1.1\n"
                                 "sha-user 200 GET /sec/doc.txt HTTP/1.1\n"
                                 "\"\" 401 GET /sec/doc.txt HTTP/1.1\n"
                                 "- 200 GET /open.txt HTTP/1.1\n"
                                 "- 200 GET /open.txt HTTP/1.1\n";
    EXPECT_EQ(site.read_log("sonora", "access_log"), expected);
    if (apache_available()) {
        EXPECT_EQ(site.read_log("apache", "access_log"), expected);
    }
}

// AuthBasicFake replaces the request's Authorization in a late fixup: the
// log sees the fake credentials.
TEST(AuthBasicFake, CredentialsReplaceTheHeader) {
    TwinSite site(std::string(kModules) + "CustomLog @LOGS@/fake_log \"%{Authorization}i\"\n"
                  "<Location /fake>\nAuthBasicFake demo %{REQUEST_METHOD}\n</Location>\n"
                  "<Location /fake/off>\nAuthBasicFake off\n</Location>\n");
    site.write_doc("open.txt", "open\n");
    const std::vector<std::string> requests = {get("/fake/x"), get_as("/fake/x", "sha-user:sha pw"),
                                               get_as("/fake/off/x", "a:b"), get("/open.txt")};
    const std::string expected = "Basic " + base64("demo:GET") + "\nBasic " + base64("demo:GET") + "\nBasic " +
                                 base64("a:b") + "\n-\n";
    for (const char* which : {"sonora", "apache"}) {
        if (std::string(which) == "apache" && !apache_available()) {
            continue;
        }
        EXPECT_EQ(statuses(site.exchange(which, requests)), (std::vector<int>{404, 404, 404, 200})) << which;
        EXPECT_EQ(site.read_log(which, "fake_log"), expected) << which;
    }
}

// Files htpasswd writes now, in each of its formats.
TEST_F(AuthBasic, FilesWrittenByHtpasswd) {
    if (::access("/usr/bin/htpasswd", X_OK) != 0) {
        GTEST_SKIP() << "htpasswd (apache2-utils) is not installed";
    }
    const std::string file = site.root().str() + "/fresh";
    struct Format {
        const char* flag;
        const char* user;
    };
    const Format formats[] = {{"-B -C 4", "b"}, {"-m", "m"}, {"-s", "s"}, {"-d", "d"}};
    std::vector<std::string> requests;
    for (const Format& f : formats) {
        std::string cmd = std::string("/usr/bin/htpasswd -b ") + f.flag + (requests.empty() ? " -c '" : " '") + file +
                          "' " + f.user + " 'pw-" + f.user + "' 2>/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        requests.push_back(get_as("/fresh/x", std::string(f.user) + ":pw-" + f.user));
        requests.push_back(get_as("/fresh/x", std::string(f.user) + ":pw-other"));
    }
    site.append_config("<Location /fresh>\nAuthType Basic\nAuthName fresh\nAuthUserFile fresh\n"
                       "Require valid-user\n</Location>\n");
    expect_both(requests, {404, 401, 404, 401, 404, 401, 404, 401});
}

// One keep-alive connection: a remembered success never lets another
// password in, and a rewritten password file is read at once.
TEST_F(AuthBasic, KeepAliveAndAChangedPasswordFile) {
    site.append_config(location("/sec", "Require valid-user"));
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    KeepAliveClient client(site.port());
    const std::string good = authorization("bcrypt-user:bcrypt pw");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(client.get("/sec/doc.txt", good).status, 200);
    }
    EXPECT_EQ(client.get("/sec/doc.txt", authorization("bcrypt-user:bcrypt pw ")).status, 401);
    EXPECT_EQ(client.get("/sec/doc.txt", authorization("bcrypt-user:")).status, 401);
    EXPECT_EQ(client.get("/sec/doc.txt", good).status, 200);
    // The same name with another hash: htpasswd -s for "new pw".
    site.root().write("users", "bcrypt-user:{SHA}5x8RRXHls54Hse54VaYA2Ywl1Hg=\n");
    EXPECT_EQ(client.get("/sec/doc.txt", good).status, 401);
    EXPECT_EQ(client.get("/sec/doc.txt", authorization("bcrypt-user:new pw")).status, 200);
    EXPECT_EQ(client.connections_made(), 1);
}

// A user is required but no module authenticates (no mod_authn_core).
TEST(AuthWithoutAuthentication, IsAConfigurationError) {
    TwinSite site("LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so\n"
                  "<Location /a>\nRequire valid-user\n</Location>\n");
    for (const char* which : {"sonora", "apache"}) {
        if (std::string(which) == "apache" && !apache_available()) {
            continue;
        }
        EXPECT_EQ(statuses(site.exchange(which, {get("/a/x")})), std::vector<int>{500}) << which;
    }
    EXPECT_TRUE(contains(site.read_log("sonora", "error_log"), "SN00025: configuration error:  couldn't check user: /a/x"))
        << site.read_log("sonora", "error_log");
    if (apache_available()) {
        EXPECT_TRUE(contains(site.read_log("apache", "error_log"), "AH00025: configuration error:  couldn't check user: /a/x"));
    }
}

}  // namespace
}  // namespace sonora::test
