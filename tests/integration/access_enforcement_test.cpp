// Access control enforced per request, on the real binary: mod_access_compat
// (Order, Allow, Deny, Satisfy), <Limit>/<LimitExcept> method masks,
// <If>/<ElseIf>/<Else> merged per request, the Require providers of
// mod_authz_core and mod_authz_host, Require groups and negation,
// AuthMerging and <AuthzProviderAlias>. Every case runs against Apache 2.4
// with the same configuration too, when it is installed, and the statuses
// expected here are the ones Apache answers.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

// What the twin configuration does not load: Order/Allow/Deny/Satisfy, and
// the ip and local providers.
constexpr const char* kModules =
    "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n"
    "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n";

// Every document holds this marker, so a refused request can be checked for
// leaking one.
constexpr const char* kBodyMarker = "DOCUMENT ";

// One request: "METHOD /path" (or just "/path" for GET), with a User-Agent.
struct Req {
    Req(const char* line) : Req(std::string(line)) {}  // NOLINT(google-explicit-constructor)
    Req(const std::string& line, std::string ua = "sonora-test") : user_agent(std::move(ua)) {
        std::size_t space = line.find(' ');
        if (space == std::string::npos) {
            method = "GET";
            path = line;
        } else {
            method = line.substr(0, space);
            path = line.substr(space + 1);
        }
    }
    std::string wire() const {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + user_agent +
               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    std::string method;
    std::string path;
    std::string user_agent;
};

class AccessEnforcement : public ::testing::Test {
protected:
    AccessEnforcement() : site(kModules) {
        for (const char* doc : {"plain.txt", "secret.txt", "page.html", "sub/file.txt", "sub/deeper/file.txt",
                                "x/file.txt", "y/file.txt", "open/file.txt", "idx/index.html", "idx/other.txt"}) {
            site.write_doc(doc, std::string(kBodyMarker) + doc + "\n");
        }
    }

    std::string htdocs() const { return site.root().str() + "/htdocs"; }
    void configure(const std::string& text) const { site.append_config(text); }
    std::string dir(const std::string& relative, const std::string& body) const {
        std::string path = relative.empty() ? htdocs() : htdocs() + "/" + relative;
        return "<Directory \"" + path + "\">\n" + body + "\n</Directory>\n";
    }

    // Runs `which` and sends each request on its own connection.
    std::vector<Response> fetch(const std::string& which, const std::vector<Req>& reqs) {
        std::vector<std::string> requests;
        for (const Req& req : reqs) {
            requests.push_back(req.wire());
        }
        return site.exchange(which, requests);
    }
    // No refused request carries the document it asked for (any document,
    // for a directory).
    static void expect_no_document_in_refusals(const std::string& which, const std::vector<Req>& reqs,
                                               const std::vector<Response>& rs) {
        for (std::size_t i = 0; i < rs.size() && i < reqs.size(); ++i) {
            std::string doc = reqs[i].path.substr(1, reqs[i].path.find('?') - 1);
            if (doc.empty() || doc.back() == '/') {
                doc.clear();
            }
            if (rs[i].status == 403) {
                EXPECT_EQ(rs[i].body.find(kBodyMarker + doc), std::string::npos)
                    << which << ": " << reqs[i].method << " " << reqs[i].path << "\n"
                    << rs[i].body;
            }
        }
    }
    // Sonora answers `expected`; so does Apache when it is installed.
    std::vector<Response> expect_both(const std::vector<Req>& reqs, const std::vector<int>& expected) {
        auto sonora = fetch("sonora", reqs);
        EXPECT_EQ(statuses(sonora), expected) << "sonora\n" << sonora_log();
        expect_no_document_in_refusals("sonora", reqs, sonora);
        if (apache_available()) {
            auto apache = fetch("apache", reqs);
            EXPECT_EQ(statuses(apache), expected) << "apache\n" << apache_log();
            expect_no_document_in_refusals("apache", reqs, apache);
        }
        return sonora;
    }
    std::string sonora_log() const { return site.read_log("sonora", "error_log"); }
    std::string apache_log() const { return site.read_log("apache", "error_log"); }

    TwinSite site;
};

int count(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// ---- mod_access_compat: Order, Allow, Deny ----

TEST_F(AccessEnforcement, OrderAllowDenyWithDenyFromAllRefuses) {
    configure(dir("", "Order allow,deny\nDeny from all"));
    expect_both({"/plain.txt", "/sub/file.txt", "/missing.txt"}, {403, 403, 403});
}

TEST_F(AccessEnforcement, DenyFromAllWithTheDefaultOrderRefuses) {
    // The default order is deny,allow: with no Allow the Deny wins.
    configure(dir("", "Deny from all"));
    expect_both({"/plain.txt"}, {403});
}

TEST_F(AccessEnforcement, OrderDenyAllowLetsTheAllowedAddressIn) {
    configure(dir("", "Order deny,allow\nDeny from all\nAllow from 127.0.0.1"));
    auto rs = expect_both({"/plain.txt"}, {200});
    ASSERT_EQ(rs.size(), 1U);
    EXPECT_EQ(rs[0].body, "DOCUMENT plain.txt\n");
}

TEST_F(AccessEnforcement, OrderAllowDenyWithAnotherNetworkRefuses) {
    configure(dir("", "Order allow,deny\nAllow from 10.0.0.0/8"));
    expect_both({"/plain.txt"}, {403});
}

TEST_F(AccessEnforcement, AllowFromAllLetsEveryoneIn) {
    configure(dir("", "Order allow,deny\nAllow from all") + dir("sub", "Allow from all"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 200});
}

TEST_F(AccessEnforcement, MutualFailureAndPartialAddresses) {
    configure(dir("", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from 10.0.0.0/8") +
              dir("sub", "Order mutual-failure\nAllow from 127.0\nDeny from 127.0.0.0/255.0.0.0"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 403});
}

TEST_F(AccessEnforcement, KeywordsAreCaseInsensitiveAndAllowTakesSeveralAddresses) {
    configure(dir("", "order Allow,Deny\nallow from 10.0.0.1 127.0.0.1") +
              dir("sub", "Order Allow,Deny\nAllow from 127"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 200});
}

TEST_F(AccessEnforcement, AllowAndDenyFromEnvironmentVariables) {
    configure("SetEnvIf Request_URI \"^/open\" let_in\n" +
              dir("", "Order deny,allow\nDeny from all\nAllow from env=let_in") +
              dir("sub", "Order allow,deny\nAllow from all\nDeny from env=!let_in"));
    expect_both({"/plain.txt", "/open/file.txt", "/sub/file.txt"}, {403, 200, 403});
}

TEST_F(AccessEnforcement, DenyFromASetEnvIfVariableOfTheSameDirectory) {
    configure(dir("", "SetEnvIf User-Agent \"bad\" blocked\nOrder allow,deny\nAllow from all\nDeny from env=blocked"));
    expect_both({Req("/plain.txt", "bad-bot"), Req("/plain.txt", "good")}, {403, 200});
}

TEST_F(AccessEnforcement, ASectionUsingAccessCompatReplacesTheParentRecordWhole) {
    // sub's record (Satisfy only) starts from deny,allow with no rules: the
    // parent's Deny from all is gone, and Satisfy Any lets the host check
    // pass alone.
    configure(dir("", "Order deny,allow\nDeny from all") + dir("sub", "Satisfy Any\nRequire all denied"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, ALocationRecordReplacesTheDirectoryRecord) {
    configure(dir("", "Order deny,allow\nDeny from all") +
              "<Location \"/sub\">\nOrder allow,deny\nAllow from all\n</Location>\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, AccessCompatDenialsAreLogged) {
    configure(dir("", "Order allow,deny\nDeny from all"));
    expect_both({"/plain.txt", "/sub"}, {403, 403});
    const std::string log = sonora_log();
    EXPECT_TRUE(contains(log, "[access_compat:error]")) << log;
    EXPECT_TRUE(contains(log, "] [client 127.0.0.1:")) << log;
    EXPECT_TRUE(contains(log, "SN01797: client denied by server configuration: " + htdocs() + "/plain.txt\n")) << log;
    EXPECT_TRUE(contains(log, "SN01797: client denied by server configuration: " + htdocs() + "/sub\n")) << log;
    EXPECT_FALSE(contains(log, "SN01630")) << log;
    if (apache_available()) {
        EXPECT_TRUE(
            contains(apache_log(), "AH01797: client denied by server configuration: " + htdocs() + "/plain.txt\n"))
            << apache_log();
    }
}

// ---- Satisfy ----

TEST_F(AccessEnforcement, SatisfyAnyLetsTheHostCheckGrantAlone) {
    // No authentication is configured: the passing Allow is enough.
    configure(dir("", "Require all denied\nAllow from 127.0.0.1\nSatisfy Any"));
    expect_both({"/plain.txt"}, {200});
}

TEST_F(AccessEnforcement, SatisfyAnyLetsTheRequirementsGrantWhenTheHostCheckFails) {
    configure(dir("", "Order allow,deny\nRequire all granted\nSatisfy Any") +
              dir("sub", "Order deny,allow\nDeny from all\nRequire all denied\nSatisfy Any"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 403});
}

TEST_F(AccessEnforcement, SatisfyAnyWithAFailingHostCheckAndNoRequirementsServes) {
    // httpd: no Require anywhere means "granted (no directives)".
    configure(dir("", "Order deny,allow\nDeny from all\nSatisfy Any"));
    expect_both({"/plain.txt"}, {200});
}

TEST_F(AccessEnforcement, SatisfyAllNeedsBothChecks) {
    configure(dir("", "Deny from all\nRequire all granted\nSatisfy All"));
    expect_both({"/plain.txt"}, {403});
}

TEST_F(AccessEnforcement, SatisfyAnyInAChildDirectoryDoesNotReachTheParent) {
    configure(dir("", "Require all granted\nSatisfy Any\nOrder allow,deny") + dir("sub", "Require all denied"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 403});
}

TEST_F(AccessEnforcement, SatisfyPerMethod) {
    configure(dir("", "Require all denied\n<Limit GET>\nSatisfy Any\n</Limit>\nAllow from all"));
    expect_both({"GET /plain.txt", "HEAD /plain.txt", "POST /plain.txt", "PUT /plain.txt"}, {200, 200, 403, 403});
}

// ---- <Limit> and <LimitExcept> ----

TEST_F(AccessEnforcement, LimitPostRequireAllDenied) {
    configure(dir("", "<Limit POST>\nRequire all denied\n</Limit>"));
    // PUT is not limited: the default handler refuses it.
    expect_both({"GET /plain.txt", "HEAD /plain.txt", "POST /plain.txt", "PUT /plain.txt", "OPTIONS /plain.txt"},
                {200, 200, 403, 405, 200});
}

TEST_F(AccessEnforcement, LimitExceptGetHeadRequireAllDenied) {
    configure(dir("", "<LimitExcept GET HEAD>\nRequire all denied\n</LimitExcept>"));
    expect_both({"GET /plain.txt", "HEAD /plain.txt", "PUT /plain.txt", "POST /plain.txt", "DELETE /plain.txt",
                 "OPTIONS /plain.txt"},
                {200, 200, 403, 403, 403, 403});
}

TEST_F(AccessEnforcement, LimitExceptGetAlsoSparesHead) {
    // HEAD is GET's method number; an unknown method is refused before 501.
    configure(dir("", "<LimitExcept GET>\nRequire all denied\n</LimitExcept>"));
    expect_both({"GET /plain.txt", "HEAD /plain.txt", "POST /plain.txt", "FOO /plain.txt"}, {200, 200, 403, 403});
}

TEST_F(AccessEnforcement, LimitGetCoversHeadAndLimitHeadCoversGet) {
    configure(dir("x", "<Limit GET>\nRequire all denied\n</Limit>") +
              dir("y", "<Limit HEAD>\nRequire all denied\n</Limit>"));
    expect_both({"GET /x/file.txt", "HEAD /x/file.txt", "POST /x/file.txt", "GET /y/file.txt", "HEAD /y/file.txt",
                 "POST /y/file.txt"},
                {403, 403, 200, 403, 403, 200});
}

TEST_F(AccessEnforcement, LimitOfAnExtensionMethod) {
    configure(dir("", "<Limit FOO>\nRequire all denied\n</Limit>"));
    expect_both({"GET /plain.txt", "FOO /plain.txt", "POST /plain.txt", "BAR /plain.txt"}, {200, 403, 200, 501});
}

TEST_F(AccessEnforcement, LimitPostWithAccessCompat) {
    configure(dir("", "<Limit POST>\nOrder deny,allow\nDeny from all\n</Limit>") +
              dir("sub", "Order allow,deny\nAllow from all\n<Limit POST>\nDeny from all\n</Limit>"));
    expect_both({"POST /plain.txt", "GET /plain.txt", "POST /sub/file.txt", "GET /sub/file.txt"}, {403, 200, 403, 200});
}

TEST_F(AccessEnforcement, LimitInALocation) {
    configure("<Location \"/\">\n<Limit POST>\nOrder deny,allow\nDeny from all\n</Limit>\n</Location>\n" +
              dir("sub", "Order allow,deny\nAllow from all"));
    // The Location record replaces the Directory one.
    expect_both({"GET /plain.txt", "POST /plain.txt", "POST /sub/file.txt"}, {200, 403, 403});
}

TEST_F(AccessEnforcement, AnUnlimitedGrantInTheSameSectionWinsOverALimitedDenial) {
    // The section's implicit <RequireAny>: the grant holds for POST too.
    configure(dir("", "Require all granted\n<Limit POST>\nRequire all denied\n</Limit>"));
    expect_both({"GET /plain.txt", "POST /plain.txt"}, {200, 200});
}

TEST_F(AccessEnforcement, ALimitedDenialInsideRequireAll) {
    configure(
        dir("", "<RequireAll>\nRequire all granted\n<Limit POST>\nRequire all denied\n</Limit>\n</RequireAll>") +
        dir("sub",
            "<RequireAll>\nRequire all granted\n<Limit POST>\nRequire not ip 127.0.0.1\n</Limit>\n</RequireAll>"));
    expect_both({"GET /plain.txt", "POST /plain.txt", "GET /sub/file.txt", "POST /sub/file.txt"}, {200, 403, 200, 403});
}

TEST_F(AccessEnforcement, LimitNamesMethodsCaseSensitively) {
    // "post" is an extension method of its own, not POST.
    configure(dir("", "<Limit post>\nRequire all denied\n</Limit>"));
    expect_both({"GET /plain.txt", "POST /plain.txt", "post /plain.txt"}, {200, 200, 403});
}

TEST_F(AccessEnforcement, LimitExceptDoesNotCoverTrace) {
    // TRACE is TraceEnable's business, never <Limit>'s.
    configure(dir("", "<LimitExcept GET>\nRequire all denied\n</LimitExcept>"));
    expect_both({"TRACE /plain.txt", "GET /plain.txt", "POST /plain.txt"}, {200, 200, 403});
}

// ---- <If>, <ElseIf>, <Else> ----

TEST_F(AccessEnforcement, IfInADirectory) {
    configure(dir("", "<If \"%{REQUEST_URI} =~ m#/x/#\">\nRequire all denied\n</If>"));
    expect_both({"/x/file.txt", "/y/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, IfElseIfElseChain) {
    configure(dir("",
                  "<If \"%{QUERY_STRING} == 'a'\">\nRequire all denied\n</If>\n"
                  "<ElseIf \"%{QUERY_STRING} == 'b'\">\nRequire all granted\n</ElseIf>\n<Else>\n"
                  "Require ip 10.1.2.3\n</Else>"));
    expect_both({"/plain.txt?a", "/plain.txt?b", "/plain.txt?c", "/plain.txt"}, {403, 200, 403, 403});
}

TEST_F(AccessEnforcement, NestedIf) {
    configure(dir(
        "", "<If \"%{REQUEST_URI} =~ m#/x/#\">\n<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n</If>"));
    expect_both({"/x/file.txt", "/x/file.txt?deny", "/y/file.txt?deny"}, {200, 403, 200});
}

TEST_F(AccessEnforcement, ANestedChainInsideAnIfWithAnElse) {
    configure(dir("",
                  "<If \"%{QUERY_STRING} =~ /^a/\">\n<If \"%{QUERY_STRING} == 'ab'\">\nRequire all denied\n"
                  "</If>\n<ElseIf \"%{QUERY_STRING} == 'ac'\">\nRequire ip 10.1.2.3\n</ElseIf>\n</If>\n"
                  "<Else>\nRequire method POST\n</Else>"));
    expect_both({"/plain.txt?ab", "/plain.txt?ac", "/plain.txt?ad", "GET /plain.txt", "POST /plain.txt"},
                {403, 403, 200, 403, 200});
}

TEST_F(AccessEnforcement, IfInServerContext) {
    configure("<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n");
    expect_both({"/x/file.txt", "/x/file.txt?deny", "/plain.txt?deny"}, {200, 403, 403});
}

TEST_F(AccessEnforcement, IfInALocation) {
    configure("<Location \"/x\">\n<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n</Location>\n");
    expect_both({"/x/file.txt", "/x/file.txt?deny", "/y/file.txt?deny", "/plain.txt?deny"}, {200, 403, 200, 200});
}

TEST_F(AccessEnforcement, IfInFiles) {
    configure("<Files \"file.txt\">\n<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n</Files>\n");
    expect_both({"/x/file.txt", "/x/file.txt?deny", "/y/file.txt?deny", "/plain.txt?deny"}, {200, 403, 403, 200});
}

TEST_F(AccessEnforcement, IfInAVirtualHost) {
    configure(
        "<VirtualHost *>\nServerName localhost\nDocumentRoot htdocs\n"
        "<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>\n" +
        dir("sub", "Require all denied") + "</VirtualHost>\n");
    expect_both({"/plain.txt", "/plain.txt?deny", "/sub/file.txt"}, {200, 403, 403});
}

TEST_F(AccessEnforcement, IfMergesAfterTheDirectory) {
    configure(dir("", "Require all denied\n<If \"%{QUERY_STRING} == 'ok'\">\nRequire all granted\n</If>"));
    expect_both({"/plain.txt", "/plain.txt?ok"}, {403, 200});
}

TEST_F(AccessEnforcement, AServerIfMergesAfterALocation) {
    configure(
        "<Location \"/\">\nRequire all denied\n</Location>\n<If \"%{QUERY_STRING} == 'ok'\">\n"
        "Require all granted\n</If>\n");
    expect_both({"/plain.txt", "/plain.txt?ok"}, {403, 200});
}

TEST_F(AccessEnforcement, AccessCompatInsideIf) {
    configure(
        dir("", "<If \"%{QUERY_STRING} == 'deny'\">\nOrder allow,deny\n</If>") +
        dir("sub", "Require all denied\n<If \"%{QUERY_STRING} == 'any'\">\nSatisfy Any\nAllow from 127.0.0.1\n</If>"));
    expect_both({"/plain.txt", "/plain.txt?deny", "/sub/file.txt", "/sub/file.txt?any"}, {200, 403, 403, 200});
}

TEST_F(AccessEnforcement, AnIfRecordOfAParentReplacesTheChildDirectoryRecord) {
    configure(dir("", "<If \"%{QUERY_STRING} == 'd'\">\nDeny from all\n</If>") +
              dir("sub", "Order allow,deny\nAllow from all"));
    expect_both({"/sub/file.txt?d", "/sub/file.txt", "/plain.txt", "/plain.txt?d"}, {403, 200, 200, 403});
}

TEST_F(AccessEnforcement, IfRefusesBeforeTheTrailingSlashRedirect) {
    configure(dir("", "<If \"%{REQUEST_URI} == '/sub'\">\nRequire all denied\n</If>"));
    expect_both({"/sub", "/sub/"}, {403, 404});
}

TEST_F(AccessEnforcement, IfSeesServerSetEnvIfButNotTheDirectoryOne) {
    // A SetEnvIf in server context runs before the <If> walk; one in a
    // directory runs after it (in the header parser).
    configure("SetEnvIf User-Agent \"bad\" blocked\n" +
              dir("x", "<If \"-n env('blocked')\">\nRequire all denied\n</If>") +
              dir("y", "SetEnvIf User-Agent \"evil\" late\n<If \"-n env('late')\">\nRequire all denied\n</If>"));
    expect_both({Req("/x/file.txt", "bad"), Req("/x/file.txt", "good"), Req("/y/file.txt", "evil")}, {403, 200, 200});
}

TEST_F(AccessEnforcement, IfIsEvaluatedForEachRequestOfAConnection) {
    configure(dir("", "<If \"%{QUERY_STRING} == 'deny'\">\nRequire all denied\n</If>"));
    auto pipelined = [&](const std::string& which) {
        std::vector<int> out;
        BinaryServer server = site.server(which);
        if (!server.start()) {
            ADD_FAILURE() << "failed to start " << which << ": " << server.startup_error;
            return out;
        }
        std::string wire;
        for (const char* path : {"/plain.txt", "/plain.txt?deny", "/plain.txt", "/plain.txt?deny"}) {
            wire += std::string("GET ") + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        }
        wire += "GET /plain.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        for (const Response& r : parse_responses(http_exchange(site.port(), wire))) {
            out.push_back(r.status);
        }
        server.stop();
        return out;
    };
    const std::vector<int> expected{200, 403, 200, 403, 200};
    EXPECT_EQ(pipelined("sonora"), expected) << sonora_log();
    if (apache_available()) {
        EXPECT_EQ(pipelined("apache"), expected) << apache_log();
    }
}

TEST_F(AccessEnforcement, IfSeesTheDirectoryIndexUri) {
    configure("DirectoryIndex file.txt\n" + dir("", "<If \"%{REQUEST_URI} =~ /file/\">\nRequire all denied\n</If>"));
    expect_both({"/x/", "/x/file.txt", "/plain.txt"}, {403, 403, 200});
}

// ---- Require providers ----

TEST_F(AccessEnforcement, RequireEnvWithSetEnvIf) {
    configure("SetEnvIf Request_URI \"^/open\" let_in\n" + dir("", "Require env let_in") +
              dir("sub", "SetEnvIf User-Agent \"good\" ok_agent\nRequire env ok_agent"));
    expect_both({"/open/file.txt", "/plain.txt", Req("/sub/file.txt", "good"), Req("/sub/file.txt", "bad")},
                {200, 403, 200, 403});
}

TEST_F(AccessEnforcement, RequireEnvDoesNotSeeSetEnv) {
    // SetEnv runs in the fixups, after the access checks.
    configure("SetEnv let_in 1\n" + dir("", "Require env let_in"));
    expect_both({"/plain.txt"}, {403});
}

TEST_F(AccessEnforcement, RequireEnvAndMethodTakeSeveralArguments) {
    configure("SetEnvIf Request_URI \"^/x/\" b\n" + dir("", "Require env a b\nRequire method PUT POST"));
    // PUT is let in, and refused by the default handler.
    expect_both({"GET /plain.txt", "GET /x/file.txt", "POST /plain.txt", "PUT /plain.txt", "DELETE /plain.txt",
                 "DELETE /x/file.txt"},
                {403, 200, 200, 405, 403, 405});
}

TEST_F(AccessEnforcement, RequireExprWithoutQuotes) {
    configure(dir("", "Require expr %{QUERY_STRING} == 'ok'") +
              dir("sub", "Require expr \"%{HTTP_USER_AGENT} =~ /^curl/ && %{REQUEST_URI} !~ m#/deeper/#\""));
    expect_both({"/plain.txt?ok", "/plain.txt", Req("/sub/file.txt", "curl/8"), Req("/sub/deeper/file.txt", "curl/8"),
                 Req("/sub/file.txt", "wget")},
                {200, 403, 200, 403, 403});
}

TEST_F(AccessEnforcement, RequireAllWithANegatedEnv) {
    configure("SetEnvIf User-Agent \"bad\" blocked\n" +
              dir("", "<RequireAll>\nRequire all granted\nRequire not env blocked\n</RequireAll>"));
    expect_both({Req("/plain.txt", "bad-bot"), Req("/plain.txt", "good")}, {403, 200});
}

TEST_F(AccessEnforcement, RequireExpr) {
    configure(dir("", "Require expr \"%{QUERY_STRING} == 'ok'\"") +
              dir("sub", "Require expr \"%{REQUEST_METHOD} == 'POST' || %{REMOTE_ADDR} == '10.0.0.1'\""));
    expect_both({"/plain.txt?ok", "/plain.txt?no", "/plain.txt", "GET /sub/file.txt", "POST /sub/file.txt"},
                {200, 403, 403, 403, 200});
}

TEST_F(AccessEnforcement, RequireMethod) {
    // GET covers HEAD; every other method is refused before its handler.
    configure(dir("", "Require method GET"));
    expect_both({"GET /plain.txt", "HEAD /plain.txt", "POST /plain.txt", "OPTIONS /plain.txt", "PUT /plain.txt"},
                {200, 200, 403, 403, 403});
}

TEST_F(AccessEnforcement, RequireLocal) {
    configure(dir("", "Require local"));
    expect_both({"/plain.txt"}, {200});
}

TEST_F(AccessEnforcement, RequireIp) {
    configure(dir("", "Require ip 127.0.0.1") + dir("sub", "Require ip 10.1.2.3") +
              dir("x", "Require ip 10.1.2.3 127.0.0.1") + dir("y", "Require ip 10.1.2.3 192.168.0.0/16"));
    expect_both({"/plain.txt", "/sub/file.txt", "/x/file.txt", "/y/file.txt"}, {200, 403, 200, 403});
}

TEST_F(AccessEnforcement, RequireNoneInsideRequireAll) {
    configure(
        dir("",
            "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire ip 127.0.0.1\n</RequireNone>\n</RequireAll>") +
        dir("sub",
            "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire ip 10.0.0.1\n</RequireNone>\n</RequireAll>"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, RequireInFilesAndFilesMatch) {
    configure(dir("", "Require all denied") + "<Files \"*.txt\">\nRequire all granted\n</Files>\n" +
              "<FilesMatch \"^secret\">\nRequire all denied\n</FilesMatch>\n");
    expect_both({"/plain.txt", "/secret.txt", "/page.html"}, {200, 403, 403});
}

TEST_F(AccessEnforcement, ALocationMergesAfterTheDirectory) {
    configure(dir("", "Require all denied") + "<Location \"/sub\">\nRequire all granted\n</Location>\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, ARefusedDirectoryIndexIsNotServed) {
    configure("DirectoryIndex index.html\n<Files \"index.html\">\nRequire all denied\n</Files>\n");
    expect_both({"/idx/", "/idx/index.html", "/idx"}, {403, 403, 301});
}

// httpd's mod_dir looks each DirectoryIndex name up as a subrequest, access
// checks included, and serves the first one that passes.
TEST_F(AccessEnforcement, ADeniedDirectoryIndexFallsThroughToTheNextName) {
    configure("DirectoryIndex index.html other.txt\n<Files \"index.html\">\nRequire all denied\n</Files>\n");
    auto rs = expect_both({"/idx/"}, {200});
    ASSERT_EQ(rs.size(), 1U);
    EXPECT_EQ(rs[0].body, "DOCUMENT idx/other.txt\n");
}

TEST_F(AccessEnforcement, LowerCaseKeywordsAndHostRulesUnderSatisfyAny) {
    configure(
        dir("", "satisfy any\norder allow,deny\nallow from 127.0.0.1/32\ndeny from 10.0.0.0/8\nrequire all denied") +
        dir("sub", "Order allow,deny\nAllow from all\nDeny from 127.0.0.1"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {200, 403});
}

// ---- host names (the client is 127.0.0.1: "localhost" both ways in /etc/hosts) ----

TEST_F(AccessEnforcement, RequireHostMatchesTheVerifiedName) {
    configure(dir("sub", "Require host localhost") + dir("x", "Require host example.com") +
              dir("y", "<RequireAll>\nRequire all granted\nRequire not host LOCALHOST\n</RequireAll>") +
              dir("open", "Require host .localhost"));
    expect_both({"/sub/file.txt", "/x/file.txt", "/y/file.txt", "/open/file.txt", "/plain.txt"},
                {200, 403, 403, 403, 200});
}

// Forward lookups only (forward_dns_test.cpp has the cases that need other names).
TEST_F(AccessEnforcement, RequireForwardDnsLooksTheNamesUp) {
    configure(dir("sub", "Require forward-dns localhost") + dir("x", "Require forward-dns nowhere.invalid") +
              dir("y", "Require forward-dns nowhere.invalid LOCALHOST") +
              dir("open", "<RequireAll>\nRequire all granted\nRequire not forward-dns localhost\n</RequireAll>"));
    expect_both({"/sub/file.txt", "/x/file.txt", "/y/file.txt", "/open/file.txt", "/plain.txt"},
                {200, 403, 200, 403, 200});
}

TEST_F(AccessEnforcement, AllowAndDenyFromHostNames) {
    configure(dir("sub", "Order deny,allow\nDeny from localhost") +
              dir("x", "Order allow,deny\nAllow from localhost") +
              dir("y", "Order allow,deny\nAllow from nowhere.invalid") +
              dir("open", "Order deny,allow\nDeny from nowhere.invalid"));
    expect_both({"/sub/file.txt", "/x/file.txt", "/y/file.txt", "/open/file.txt"}, {403, 200, 403, 200});
}

TEST_F(AccessEnforcement, SatisfyAnyNeedsNoNameWhenTheRequirementsGrant) {
    configure(dir("sub", "Satisfy any\nOrder allow,deny\nAllow from nowhere.invalid\nRequire all granted") +
              dir("x", "Satisfy any\nOrder allow,deny\nAllow from localhost\nRequire all denied"));
    expect_both({"/sub/file.txt", "/x/file.txt"}, {200, 200});
}

TEST_F(AccessEnforcement, HostRulesOnAKeepAliveConnectionAndPipelined) {
    configure(dir("sub", "Require host localhost") + dir("x", "Order allow,deny\nAllow from example.com") +
              "CustomLog logs-sonora/access_log \"%r %>s\"\n");
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto keep = [](const std::string& path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    };
    // Three requests in one write: the first waits for the name, the others
    // stay in order behind it.
    const std::string bytes = keep("/sub/file.txt") + keep("/x/file.txt") +
                              "GET /sub/file.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    auto rs = parse_responses(http_exchange(site.port(), bytes));
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].status, 200);
    EXPECT_EQ(rs[0].body, std::string(kBodyMarker) + "sub/file.txt\n");
    EXPECT_EQ(rs[1].status, 403);
    EXPECT_EQ(rs[2].status, 200);
    // Each request is logged once.
    server.stop();
    const std::string log = site.read_log("sonora", "access_log");
    EXPECT_EQ(count(log, "GET /sub/file.txt"), 2) << log;
    EXPECT_EQ(count(log, "GET /x/file.txt"), 1) << log;
}

TEST_F(AccessEnforcement, HostRulesInAnHtaccessFile) {
    configure(dir("sub", "AllowOverride AuthConfig Limit"));
    site.write_doc("sub/.htaccess", "Require host example.com\n");
    expect_both({"/sub/file.txt"}, {403});
    site.write_doc("sub/.htaccess", "Order deny,allow\nDeny from all\nAllow from localhost\n");
    expect_both({"/sub/file.txt"}, {200});
}

TEST_F(AccessEnforcement, RequireDenialsAreLogged) {
    configure(dir("", "<Limit POST>\nRequire all denied\n</Limit>"));
    expect_both({"POST /plain.txt", "GET /plain.txt"}, {403, 200});
    const std::string log = sonora_log();
    EXPECT_TRUE(contains(log, "[authz_core:error]")) << log;
    EXPECT_TRUE(contains(log, "SN01630: client denied by server configuration: " + htdocs() + "/plain.txt\n")) << log;
    EXPECT_EQ(count(log, "client denied"), 1) << log;
    EXPECT_FALSE(contains(log, "SN01797")) << log;
    if (apache_available()) {
        EXPECT_TRUE(
            contains(apache_log(), "AH01630: client denied by server configuration: " + htdocs() + "/plain.txt\n"))
            << apache_log();
    }
}

TEST_F(AccessEnforcement, AnErrorDocumentForARefusalIsServed) {
    configure(dir("sub", "Require all denied") + "ErrorDocument 403 /plain.txt\n");
    auto rs = expect_both({"/sub/file.txt"}, {403});
    ASSERT_EQ(rs.size(), 1U);
    EXPECT_EQ(rs[0].body, "DOCUMENT plain.txt\n");
}

// ---- AuthMerging ----

TEST_F(AccessEnforcement, AuthMergingAndWithADenyingChild) {
    configure(dir("", "Require ip 127.0.0.1") + dir("sub", "AuthMerging And\nRequire all denied"));
    expect_both({"/plain.txt", "/sub/file.txt", "/sub/deeper/file.txt"}, {200, 403, 403});
}

TEST_F(AccessEnforcement, AuthMergingAndWithADenyingParent) {
    configure(dir("", "Require all denied") + dir("sub", "AuthMerging And\nRequire ip 127.0.0.1"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 403});
}

TEST_F(AccessEnforcement, AuthMergingOffReplacesTheParent) {
    configure(dir("", "Require all denied") + dir("sub", "AuthMerging Off\nRequire all granted"));
    expect_both({"/plain.txt", "/sub/file.txt", "/sub/deeper/file.txt"}, {403, 200, 200});
}

TEST_F(AccessEnforcement, AuthMergingOffAloneDropsTheParentRequirements) {
    configure(dir("", "Require all denied") + dir("sub", "AuthMerging Off"));
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, AuthMergingOr) {
    configure(dir("", "Require all denied") + dir("sub", "AuthMerging Or\nRequire ip 127.0.0.1") +
              dir("x", "AuthMerging Or\nRequire ip 10.1.2.3"));
    expect_both({"/plain.txt", "/sub/file.txt", "/x/file.txt"}, {403, 200, 403});
}

TEST_F(AccessEnforcement, AuthMergingAcrossThreeLevels) {
    configure(dir("", "Require ip 127.0.0.1") + dir("sub", "AuthMerging And\nRequire ip 127.0.0.0/8") +
              dir("sub/deeper", "Require all denied\nAuthMerging Or"));
    expect_both({"/plain.txt", "/sub/file.txt", "/sub/deeper/file.txt"}, {200, 200, 200});
}

TEST_F(AccessEnforcement, AuthMergingWithoutRequirementsKeepsTheParentsForTheNextLevel) {
    configure(dir("", "Require all granted") + dir("sub", "AuthMerging And") + dir("sub/deeper", "Require all denied"));
    expect_both({"/plain.txt", "/sub/file.txt", "/sub/deeper/file.txt"}, {200, 200, 403});
}

TEST_F(AccessEnforcement, AuthMergingWithALimitedParent) {
    configure(dir("", "<Limit POST>\nRequire all denied\n</Limit>") +
              dir("sub", "AuthMerging And\nRequire all granted") + dir("x", "AuthMerging Or\nRequire ip 10.1.2.3"));
    expect_both({"GET /sub/file.txt", "POST /sub/file.txt", "GET /x/file.txt", "POST /x/file.txt"},
                {200, 403, 403, 403});
}

TEST_F(AccessEnforcement, AuthMergingInsideIf) {
    configure(dir("",
                  "Require ip 127.0.0.1\n<If \"%{QUERY_STRING} == 'and'\">\nAuthMerging And\n"
                  "Require all denied\n</If>\n<ElseIf \"%{QUERY_STRING} == 'or'\">\nAuthMerging Or\n"
                  "Require all denied\n</ElseIf>"));
    expect_both({"/plain.txt", "/plain.txt?and", "/plain.txt?or"}, {200, 403, 200});
}

TEST_F(AccessEnforcement, AuthMergingInALocation) {
    configure(dir("", "Require ip 127.0.0.1") +
              "<Location \"/sub\">\nAuthMerging And\nRequire all denied\n</Location>\n" +
              "<Location \"/x\">\nAuthMerging Or\nRequire all denied\n</Location>\n");
    expect_both({"/plain.txt", "/sub/file.txt", "/x/file.txt"}, {200, 403, 200});
}

TEST_F(AccessEnforcement, AuthMergingInADirectoryMatch) {
    configure(dir("", "Require all denied") +
              "<DirectoryMatch \"/sub\">\nAuthMerging Or\nRequire all granted\n</DirectoryMatch>\n");
    expect_both({"/plain.txt", "/sub/file.txt"}, {403, 200});
}

TEST_F(AccessEnforcement, RequireAllInsideRequireAny) {
    configure(dir("",
                  "<RequireAny>\n<RequireAll>\nRequire ip 10.0.0.0/8\nRequire all granted\n</RequireAll>\n"
                  "Require expr \"%{QUERY_STRING} == 'k'\"\n</RequireAny>"));
    expect_both({"/plain.txt", "/plain.txt?k"}, {403, 200});
}

// ---- <AuthzProviderAlias> ----

TEST_F(AccessEnforcement, ProviderAliases) {
    configure(
        "<AuthzProviderAlias ip lo 127.0.0.1>\n</AuthzProviderAlias>\n"
        "<AuthzProviderAlias ip tens 10.0.0.0/8>\n</AuthzProviderAlias>\n" +
        dir("", "Require lo") + dir("sub", "Require tens") +
        dir("x", "<RequireAll>\nRequire not tens\nRequire all granted\n</RequireAll>") +
        dir("y", "<RequireAll>\nRequire not lo\nRequire all granted\n</RequireAll>"));
    expect_both({"/plain.txt", "/sub/file.txt", "/x/file.txt", "/y/file.txt"}, {200, 403, 200, 403});
}

TEST_F(AccessEnforcement, ProviderAliasesWithSeveralArgumentsAndOtherProviders) {
    configure(
        "<AuthzProviderAlias ip lo \"127.0.0.1 ::1\">\n</AuthzProviderAlias>\n"
        "<AuthzProviderAlias env okenv let_in>\n</AuthzProviderAlias>\n"
        "SetEnvIf Request_URI \"^/open\" let_in\n" +
        dir("", "Require okenv") + dir("sub", "Require lo"));
    expect_both({"/plain.txt", "/sub/file.txt", "/open/file.txt"}, {403, 200, 200});
}

}  // namespace
}  // namespace sonora::test
