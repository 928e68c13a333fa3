// mod_authz_host: APR-compatible subnet parsing (the three failure kinds httpd
// words differently) and the module's registration (providers, no directives).

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_authz_host.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sonora::modules::aaa
