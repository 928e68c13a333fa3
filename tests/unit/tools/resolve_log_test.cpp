// logresolve's line rewriting and statistics, with a fake resolver.

#include "logresolve/resolve_log.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace sonora::tools {
namespace {

struct FakeDns {
    std::map<std::string, std::string> reverse;   // address -> name
    std::map<std::string, std::string> forward;   // name -> address
    int reverse_calls = 0;

    Resolvers resolvers() {
        Resolvers r;
        r.reverse = [this](std::string_view a) -> std::optional<std::string> {
            ++reverse_calls;
            auto it = reverse.find(std::string(a));
            return it == reverse.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        r.confirms = [this](std::string_view name, std::string_view a) {
            auto it = forward.find(std::string(name));
            return it != forward.end() && it->second == a;
        };
        return r;
    }
};

std::string run(LogResolver& lr, const std::string& in) {
    std::istringstream is(in);
    std::ostringstream os;
    lr.run(is, os);
    return os.str();
}

TEST(ResolveLogTest, ReplacesLeadingAddressesAndCachesEachOnce) {
    FakeDns dns;
    dns.reverse = {{"10.1.2.3", "web.example"}, {"2001:db8::1", "six.example"}};
    LogResolver lr(dns.resolvers(), false);
    std::string out = run(lr, "10.1.2.3 - - [x] \"GET /\" 200 1\n10.1.2.3 again\n2001:db8::1 v6\n"
                              "192.0.2.9 nobody\nname.example stays\n\n10.1.2.3\n10.0.0.300 bad\nlast 10.1.2.3");
    EXPECT_EQ(out, "web.example - - [x] \"GET /\" 200 1\nweb.example again\nsix.example v6\n"
                   "192.0.2.9 nobody\nname.example stays\n\n10.1.2.3\n10.0.0.300 bad\nlast 10.1.2.3");
    EXPECT_EQ(dns.reverse_calls, 3);
    const ResolveStats& s = lr.stats();
    EXPECT_EQ(s.entries, 9);
    EXPECT_EQ(s.with_name, 5);  // "name...", the empty line, an address alone, a bad address, "last"
    EXPECT_EQ(s.resolves, 3);
    EXPECT_EQ(s.no_reverse, 1);
    EXPECT_EQ(s.cache_hits, 1);
    EXPECT_EQ(s.cache_size, 3);
    EXPECT_EQ(lr.stats_text(),
              "logresolve Statistics:\nEntries: 9\n    With name   : 5\n    Resolves    : 3\n"
              "    - No reverse : 1\nCache hits      : 1\nCache size      : 3\n");
}

TEST(ResolveLogTest, DoubleLookupKeepsTheAddressWhenTheNameDoesNotPointBack) {
    FakeDns dns;
    dns.reverse = {{"10.0.0.1", "good.example"}, {"10.0.0.2", "liar.example"}};
    dns.forward = {{"good.example", "10.0.0.1"}, {"liar.example", "10.9.9.9"}};
    LogResolver lr(dns.resolvers(), true);
    EXPECT_EQ(run(lr, "10.0.0.1 a\n10.0.0.2 b\n10.0.0.2 c\n"), "good.example a\n10.0.0.2 b\n10.0.0.2 c\n");
    EXPECT_EQ(lr.stats().double_failed, 1);
    EXPECT_NE(lr.stats_text().find("    - Double lookup failed : 1\n"), std::string::npos);
}

TEST(ResolveLogTest, RecognisesNumericAddressesOnly) {
    EXPECT_TRUE(is_ip_address("127.0.0.1"));
    EXPECT_TRUE(is_ip_address("::1"));
    EXPECT_FALSE(is_ip_address("127.0.0.1\n"));
    EXPECT_FALSE(is_ip_address("300.0.0.1"));
    EXPECT_FALSE(is_ip_address("abc"));
    EXPECT_FALSE(is_ip_address(""));
}

}  // namespace
}  // namespace sonora::tools
