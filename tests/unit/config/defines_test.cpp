// Define / UnDefine / ${VAR}.

#include "config/defines.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sonora::config {
namespace {

TEST(Defines, ExpandsDefinesThenEnvironment) {
    ::setenv("SONORA_TEST_ENV", "from-env", 1);
    Defines d;
    d.define("A", "alpha");
    d.define("FLAG");
    std::vector<std::string> undefined;
    auto note = [&](std::string_view n) { undefined.emplace_back(n); };
    EXPECT_EQ(d.expand("x${A}y", note), "xalphay");
    EXPECT_EQ(d.expand("${SONORA_TEST_ENV}/${A}", note), "from-env/alpha");
    // A Define without a value is defined for <IfDefine> but has no ${} value.
    EXPECT_EQ(d.expand("${FLAG}", note), "${FLAG}");
    EXPECT_EQ(d.expand("${NOPE} and ${} and ${unclosed", note), "${NOPE} and ${} and ${unclosed");
    EXPECT_EQ(undefined, (std::vector<std::string>{"FLAG", "NOPE", ""}));
}

TEST(Defines, DefineOverridesEnvironmentAndUndefineRemoves) {
    ::setenv("SONORA_TEST_SHADOW", "env", 1);
    Defines d;
    d.define("SONORA_TEST_SHADOW", "define");
    auto ignore = [](std::string_view) {};
    EXPECT_EQ(d.expand("${SONORA_TEST_SHADOW}", ignore), "define");
    d.undefine("SONORA_TEST_SHADOW");
    EXPECT_FALSE(d.defined("SONORA_TEST_SHADOW"));
    EXPECT_EQ(d.expand("${SONORA_TEST_SHADOW}", ignore), "env");
}

TEST(Defines, RedefineKeepsOrderAndUpdatesValue) {
    Defines d;
    d.define("A", "1");
    d.define("B");
    d.define("A", "2");
    ASSERT_EQ(d.entries().size(), 2u);
    EXPECT_EQ(d.entries()[0].name, "A");
    EXPECT_EQ(*d.value("A"), "2");
    EXPECT_EQ(d.value("B"), nullptr);
    EXPECT_TRUE(d.defined("B"));
}

}  // namespace
}  // namespace sonora::config
