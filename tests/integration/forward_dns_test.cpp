// Require forward-dns (mod_authz_host) on the real binary: the names on the
// line are resolved forward when a request is checked, off the event loop,
// and the client's address must be one of their addresses. DNS answers come
// from a stub /etc/hosts (support/stub_hosts.h); clients connect from the
// loopback address a case needs (127.0.0.5, 127.0.0.6, ::1). Every case runs
// against Apache 2.4 under the same stub too, when it is installed, and the
// statuses expected here are the ones Apache answers.

#include "support/server.h"
#include "support/stub_hosts.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

// five.example and six.example are one IPv4 client each, v6.example is ::1,
// both.example has an address of each family; nowhere.invalid resolves to
// nothing (RFC 6761: .invalid never does).
constexpr const char* kHosts =
    "127.0.0.5 five.example\n"
    "127.0.0.6 six.example\n"
    "::1 v6.example\n"
    "127.0.0.7 both.example\n"
    "::1 both.example\n";

constexpr const char* kModules =
    "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n";

// A request from `from` for `path`, and what it must get.
struct Case {
    std::string from;
    std::string path;
    int status;
};

class ForwardDns : public ::testing::Test {
protected:
    void SetUp() override {
        if (!can_stub_hosts()) {
            GTEST_SKIP() << "needs root and mount namespaces to stub /etc/hosts";
        }
        site.stub_hosts(kHosts);
        site.append_config("Listen [::1]:" + std::to_string(site.port()) + "\n");
        for (const char* d : {"one", "many", "none", "v6", "all", "not", "either", "comment"}) {
            site.write_doc(std::string(d) + "/f.txt", std::string("DOCUMENT ") + d + "\n");
        }
    }
    std::string htdocs() const { return site.root().str() + "/htdocs"; }
    void allow(const std::string& dir, const std::string& body) const {
        site.append_config("<Directory \"" + htdocs() + "/" + dir + "\">\n" + body + "\n</Directory>\n");
    }

    // Runs `which` and sends each case on a connection of its own.
    std::vector<int> fetch(const std::string& which, const std::vector<Case>& cases) const {
        std::vector<int> out;
        BinaryServer server = site.server(which);
        if (!server.start()) {
            ADD_FAILURE() << "failed to start " << which << ": " << server.startup_error;
            return out;
        }
        for (const Case& c : cases) {
            const std::string to = c.from == "::1" ? "::1" : "127.0.0.1";
            auto rs = parse_responses(http_exchange_from(c.from, to, site.port(), get_request(c.path)));
            out.push_back(rs.empty() ? 0 : rs.front().status);
            if (!rs.empty() && rs.front().status == 403) {
                EXPECT_FALSE(contains(rs.front().body, "DOCUMENT")) << which << " " << c.path;
            }
        }
        server.stop();
        return out;
    }
    // Sonora answers what each case expects; so does Apache when it is installed.
    void expect_both(const std::vector<Case>& cases) const {
        std::vector<int> expected;
        for (const Case& c : cases) {
            expected.push_back(c.status);
        }
        EXPECT_EQ(fetch("sonora", cases), expected) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            EXPECT_EQ(fetch("apache", cases), expected) << site.read_log("apache", "error_log");
        }
    }

    TwinSite site{kModules};
};

TEST_F(ForwardDns, GrantsTheAddressesOfTheNameOnly) {
    allow("one", "Require forward-dns five.example");
    expect_both({{"127.0.0.5", "/one/f.txt", 200},
                 {"127.0.0.6", "/one/f.txt", 403},
                 {"::1", "/one/f.txt", 403},
                 {"127.0.0.5", "/one/f.txt", 200}});  // answered from the cache
}

TEST_F(ForwardDns, AnyOfSeveralNamesGrants) {
    allow("many", "Require forward-dns nowhere.invalid six.example v6.example");
    expect_both({{"127.0.0.5", "/many/f.txt", 403}, {"127.0.0.6", "/many/f.txt", 200}, {"::1", "/many/f.txt", 200}});
}

TEST_F(ForwardDns, ANameThatDoesNotResolveGrantsNobodyAndIsLogged) {
    allow("none", "Require forward-dns nowhere.invalid");
    expect_both({{"127.0.0.5", "/none/f.txt", 403}, {"::1", "/none/f.txt", 403}});
    const std::string log = site.read_log("sonora", "error_log");
    EXPECT_TRUE(contains(log, "[authz_host:warn]")) << log;
    EXPECT_TRUE(contains(log, "SN03356: No sockaddr info for \"nowhere.invalid\"")) << log;
    EXPECT_TRUE(contains(log, "[authz_core:error]")) << log;
    EXPECT_TRUE(contains(log, "[client 127.0.0.5:")) << log;
    EXPECT_TRUE(contains(log, "SN01630: client denied by server configuration: " + htdocs() + "/none/f.txt\n"))
        << log;
    if (apache_available()) {
        const std::string apache = site.read_log("apache", "error_log");
        EXPECT_TRUE(contains(apache, "AH03356: No sockaddr info for \"nowhere.invalid\"")) << apache;
        EXPECT_TRUE(contains(apache, "AH01630: client denied by server configuration: " + htdocs() + "/none/f.txt\n"))
            << apache;
    }
}

TEST_F(ForwardDns, Ipv6ClientsMatchIpv6Addresses) {
    allow("v6", "Require forward-dns both.example");
    expect_both({{"::1", "/v6/f.txt", 200}, {"127.0.0.5", "/v6/f.txt", 403}});
}

TEST_F(ForwardDns, InsideRequireAllAndRequireNone) {
    allow("all", "<RequireAll>\nRequire forward-dns five.example six.example\nRequire not ip 127.0.0.6\n"
                 "</RequireAll>");
    allow("not", "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire forward-dns five.example\n"
                 "</RequireNone>\n</RequireAll>");
    expect_both({{"127.0.0.5", "/all/f.txt", 200},
                 {"127.0.0.6", "/all/f.txt", 403},
                 {"::1", "/all/f.txt", 403},
                 {"127.0.0.5", "/not/f.txt", 403},
                 {"127.0.0.6", "/not/f.txt", 200},
                 {"::1", "/not/f.txt", 200}});
}

// A forward lookup, then the client's double-reverse name, in one request:
// each wait runs the request again.
TEST_F(ForwardDns, BesideRequireHost) {
    allow("either", "<RequireAny>\nRequire forward-dns nowhere.invalid\nRequire host five.example\n</RequireAny>");
    expect_both({{"127.0.0.5", "/either/f.txt", 200}, {"127.0.0.6", "/either/f.txt", 403}});
}

TEST_F(ForwardDns, AHashEndsTheNames) {
    allow("comment", "Require forward-dns nowhere.invalid # five.example");
    allow("one", "Require forward-dns nowhere.invalid five.example#note six.example");
    expect_both({{"127.0.0.5", "/comment/f.txt", 403},
                 {"127.0.0.5", "/one/f.txt", 200},
                 {"127.0.0.6", "/one/f.txt", 403}});
}

// Pipelined requests on one connection: the first waits for the lookups, the
// others stay in order behind it.
TEST_F(ForwardDns, PipelinedRequestsKeepTheirOrder) {
    allow("one", "Require forward-dns five.example");
    allow("many", "Require forward-dns nowhere.invalid six.example");
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto keep = [](const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"; };
    const std::string bytes = keep("/many/f.txt") + keep("/one/f.txt") + get_request("/many/f.txt");
    auto rs = parse_responses(http_exchange_from("127.0.0.5", "127.0.0.1", site.port(), bytes));
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].status, 403);
    EXPECT_EQ(rs[1].status, 200);
    EXPECT_EQ(rs[1].body, "DOCUMENT one\n");
    EXPECT_EQ(rs[2].status, 403);
    server.stop();
}

}  // namespace
}  // namespace sonora::test
