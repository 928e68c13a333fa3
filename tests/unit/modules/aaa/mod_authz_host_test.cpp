// mod_authz_host: APR-compatible subnet parsing (the three failure kinds httpd
// words differently), the module's registration (providers, no directives),
// and the forward-dns provider against a stand-in for the connection's DNS.

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/core/core_config.h"

#include <gtest/gtest.h>

#include <map>
#include <memory_resource>
#include <set>

namespace sonora::modules::aaa {
namespace {

struct SubnetCase {
    const char* text;
    SubnetError error;
    const char* inside;   // an address inside (when valid)
    const char* outside;  // an address outside (when valid)
};

class ParseSubnet : public ::testing::TestWithParam<SubnetCase> {};

TEST_P(ParseSubnet, MatchesApr) {
    const SubnetCase& c = GetParam();
    std::string_view text = c.text;
    std::optional<std::string_view> mask;
    std::string_view addr = text;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        addr = text.substr(0, slash);
        mask = text.substr(slash + 1);
    }
    expr::Subnet net;
    EXPECT_EQ(parse_subnet(addr, mask, net), c.error) << c.text;
    if (c.error == SubnetError::None) {
        EXPECT_TRUE(net.contains(c.inside)) << c.text << " " << c.inside;
        EXPECT_FALSE(net.contains(c.outside)) << c.text << " " << c.outside;
    }
}

using E = SubnetError;
INSTANTIATE_TEST_SUITE_P(
    Table, ParseSubnet,
    ::testing::Values(SubnetCase{"1.2.3.4", E::None, "1.2.3.4", "1.2.3.5"},
                      SubnetCase{"10", E::None, "10.200.1.1", "11.0.0.1"},
                      SubnetCase{"10.1", E::None, "10.1.9.9", "10.2.0.1"},
                      SubnetCase{"10.1.", E::None, "10.1.9.9", "10.2.0.1"},
                      SubnetCase{"192.168.0.0/16", E::None, "192.168.5.5", "192.169.0.1"},
                      SubnetCase{"10.0.0.0/255.0.0.0", E::None, "10.9.9.9", "11.0.0.0"},
                      SubnetCase{"1.2.3.4/255.0.255.0", E::None, "1.9.3.9", "1.2.4.4"},
                      SubnetCase{"::1", E::None, "::1", "::2"},
                      SubnetCase{"2001:db8::/32", E::None, "2001:db8:1::1", "2001:db9::1"},
                      SubnetCase{"foo", E::NotAnAddress, "", ""}, SubnetCase{"", E::NotAnAddress, "", ""},
                      SubnetCase{"example.com", E::NotAnAddress, "", ""},
                      SubnetCase{"1.2.3.400", E::BadIp, "", ""}, SubnetCase{"1..3", E::BadIp, "", ""},
                      SubnetCase{"1.2.3.4.5", E::BadIp, "", ""}, SubnetCase{"10.1/16", E::BadIp, "", ""},
                      SubnetCase{"2001:zz::", E::BadIp, "", ""}, SubnetCase{"1.2.3.4/33", E::BadMask, "", ""},
                      SubnetCase{"1.2.3.4/0", E::BadMask, "", ""}, SubnetCase{"1.2.3.4/", E::BadMask, "", ""},
                      SubnetCase{"1.2.3.4/x", E::BadMask, "", ""}, SubnetCase{"fe80::/foo", E::BadMask, "", ""},
                      SubnetCase{"2001:db8::/129", E::BadMask, "", ""},
                      SubnetCase{"::1/255.0.0.0", E::BadMask, "", ""}));

TEST(ModAuthzHost, ErrorTexts) {
    EXPECT_EQ(subnet_error_text(SubnetError::BadIp), "The specified IP address is invalid.");
    EXPECT_EQ(subnet_error_text(SubnetError::BadMask), "The specified network mask is invalid.");
    EXPECT_TRUE(subnet_error_text(SubnetError::NotAnAddress).empty());
}

TEST(ModAuthzHost, RegistersProvidersOnly) {
    EXPECT_FALSE(authz_host_module.is_static);
    EXPECT_TRUE(authz_host_module.directives.empty());
    std::vector<std::string_view> names;
    for (const auto& p : authz_host_providers()) {
        names.push_back(p.name);
        EXPECT_EQ(p.owner, &authz_host_module);
    }
    EXPECT_EQ(names, (std::vector<std::string_view>{"ip", "host", "forward-dns", "local"}));
    // Loading it alone is fine (Require then needs authz_core).
    test::ConfigRoot root;
    root.load("LoadModule authz_host_module modules/mod_authz_host.so\n");
}

// ---- Require forward-dns ----

// The connection's DNS as a table: names it knows resolve, names listed as
// pending are not looked up yet (asked about, they are noted as started).
class FakeLookups final : public request::HostLookups {
public:
    std::map<std::string, std::vector<request::IpAddress>, std::less<>> answers;
    std::set<std::string, std::less<>> pending;
    std::vector<std::string> asked;

    std::optional<std::span<const request::IpAddress>> addresses(std::string_view name) override {
        asked.emplace_back(name);
        if (pending.count(name) != 0) {
            return std::nullopt;
        }
        auto it = answers.find(name);
        if (it == answers.end()) {
            return std::span<const request::IpAddress>();
        }
        return std::span<const request::IpAddress>(it->second);
    }
    std::optional<std::string_view> local_host() override { return std::string_view(); }
};

request::IpAddress ip(const char* text) { return request::parse_ip_address(text).value(); }

class ForwardDns : public ::testing::Test {
protected:
    ForwardDns() {
        lookups.answers["www.example"] = {ip("192.0.2.1"), ip("2001:db8::1")};
        lookups.answers["other.example"] = {ip("198.51.100.7")};
        info.lookups = &lookups;
        r.connection = &info;
        r.client_ip = "192.0.2.1";
    }
    // The check of the first Require line in `body` for the request.
    AuthzResult check(const std::string& body) {
        gen = root.load("LoadModule authz_core_module modules/mod_authz_core.so\n"
                        "LoadModule authz_host_module modules/mod_authz_host.so\n"
                        "LogLevel crit\n<Directory />\n" + body + "\n</Directory>\n");
        const auto* authz = core::server_config(gen->main)
                                .sec_dir.at(0)
                                ->config.get<AuthzCoreDirConfig>(authz_core_module.index);
        const AuthzNode& node = *authz->section->children.at(0);
        EXPECT_EQ(node.provider, "forward-dns");
        EXPECT_NE(node.checker, nullptr) << "the provider checks for itself";
        r.server = &gen->main;
        return node.checker->check(r, node.parsed, nullptr);
    }

    test::ConfigRoot root;
    std::unique_ptr<config::Generation> gen;
    FakeLookups lookups;
    request::ConnectionInfo info;
    std::pmr::monotonic_buffer_resource arena;
    request::Request r{&arena};
};

TEST_F(ForwardDns, GrantsWhenTheClientIsOneOfTheAddresses) {
    EXPECT_EQ(check("Require forward-dns www.example"), AuthzResult::Granted);
    r.client_ip = "2001:db8::1";
    EXPECT_EQ(check("Require forward-dns www.example"), AuthzResult::Granted);
    r.client_ip = "::ffff:192.0.2.1";  // an IPv4 client on an IPv6 socket
    EXPECT_EQ(check("Require forward-dns www.example"), AuthzResult::Granted);
    r.client_ip = "192.0.2.2";
    EXPECT_EQ(check("Require forward-dns www.example"), AuthzResult::Denied);
}

TEST_F(ForwardDns, AnyNameMayGrant) {
    r.client_ip = "198.51.100.7";
    EXPECT_EQ(check("Require forward-dns www.example other.example"), AuthzResult::Granted);
    EXPECT_EQ(check("Require forward-dns nowhere.invalid other.example"), AuthzResult::Granted);
    EXPECT_EQ(check("Require forward-dns nowhere.invalid www.example"), AuthzResult::Denied);
}

TEST_F(ForwardDns, ANameThatDoesNotResolveNeverGrants) {
    EXPECT_EQ(check("Require forward-dns nowhere.invalid"), AuthzResult::Denied);
    EXPECT_EQ(check("Require forward-dns"), AuthzResult::Denied) << "accepted empty, as httpd";
    info.lookups = nullptr;  // nothing can be looked up: fail closed
    EXPECT_EQ(check("Require forward-dns www.example"), AuthzResult::Denied);
}

TEST_F(ForwardDns, PendingUntilEveryNameIsKnownUnlessOneGrants) {
    lookups.pending.insert("slow.example");
    EXPECT_EQ(check("Require forward-dns slow.example www.example"), AuthzResult::Granted);
    EXPECT_EQ(check("Require forward-dns slow.example other.example"), AuthzResult::Pending);
    lookups.asked.clear();
    lookups.pending.insert("late.example");
    EXPECT_EQ(check("Require forward-dns slow.example late.example"), AuthzResult::Pending);
    EXPECT_EQ(lookups.asked, (std::vector<std::string>{"slow.example", "late.example"}))
        << "both lookups start in the same run";
}

TEST_F(ForwardDns, AHashEndsTheListAsInHttpd) {
    EXPECT_EQ(check("Require forward-dns nowhere.invalid # www.example"), AuthzResult::Denied);
    EXPECT_EQ(check("Require forward-dns nowhere.invalid www.example#note"), AuthzResult::Granted);
    lookups.asked.clear();
    EXPECT_EQ(check("Require forward-dns other.example#x www.example"), AuthzResult::Denied);
    EXPECT_EQ(lookups.asked.front(), "other.example");
    EXPECT_EQ(std::count(lookups.asked.begin(), lookups.asked.end(), "www.example"), 0);
}

TEST_F(ForwardDns, TheLineIsAnExpressionString) {
    r.env_set("ALLOWED", "www.example");
    EXPECT_EQ(check("Require forward-dns nowhere.invalid %{env:ALLOWED}"), AuthzResult::Granted);
    r.env_set("ALLOWED", "other.example");
    EXPECT_EQ(check("Require forward-dns nowhere.invalid %{env:ALLOWED}"), AuthzResult::Denied);
}

}  // namespace
}  // namespace sonora::modules::aaa
