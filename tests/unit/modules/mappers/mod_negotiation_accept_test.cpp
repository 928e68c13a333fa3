// mod_negotiation's Accept-* reading: items, parameters, q-values as httpd
// reads them, malformed input.

#include "modules/mappers/mod_negotiation_accept.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers::negotiation {
namespace {

TEST(NegotiationAccept, QValues) {
    struct Case {
        const char* text;
        float q;
    } cases[] = {
        {"", 1.0f},     {"1", 1.0f},      {"1.0", 1.0f},    {"0", 0.0f},      {"0.5", 0.5f},
        {".5", 0.5f},   {"0.25", 0.25f},  {"0.125", 0.125f}, {"0.1239", 0.123f}, {"0.120", 0.12f},
        {"  0.3", 0.3f}, {"2", 1.0f},     {"x", 1.0f},      {"0x", 0.0f},     {"0.x", 0.0f},
        {"-1", 1.0f},   {"0.05", 0.05f},  {"00.5", 0.0f},
    };
    for (const Case& c : cases) {
        EXPECT_FLOAT_EQ(parse_qvalue(c.text), c.q) << c.text;
    }
}

TEST(NegotiationAccept, ItemsAndParameters) {
    std::pmr::monotonic_buffer_resource arena;
    auto list = parse_accept("Text/HTML;level=3;Q=0.5, text/plain ; q = 0.2 ,image/*;charset=\"UTF-8\", */*",
                             &arena);
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list[0].name, "text/html");
    EXPECT_FLOAT_EQ(list[0].level, 3.0f);
    EXPECT_FLOAT_EQ(list[0].quality, 0.5f);
    EXPECT_EQ(list[1].name, "text/plain");
    EXPECT_FLOAT_EQ(list[1].quality, 0.2f);
    EXPECT_EQ(list[2].name, "image/*");
    EXPECT_EQ(list[2].charset, "utf-8");
    EXPECT_EQ(list[3].name, "*/*");
    EXPECT_FLOAT_EQ(list[3].quality, 1.0f);
}

TEST(NegotiationAccept, HtmlDefaultsToLevelTwo) {
    std::pmr::monotonic_buffer_resource arena;
    auto list = parse_accept("text/html, text/x-server-parsed-html3, text/plain", &arena);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_FLOAT_EQ(list[0].level, 2.0f);
    EXPECT_FLOAT_EQ(list[1].level, 3.0f);
    EXPECT_FLOAT_EQ(list[2].level, 0.0f);
}

TEST(NegotiationAccept, OldSpaceSeparatedForm) {
    std::pmr::monotonic_buffer_resource arena;
    auto list = parse_accept("text/html text/plain moo/zot", &arena);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[2].name, "moo/zot");
}

TEST(NegotiationAccept, MalformedInputStillParses) {
    std::pmr::monotonic_buffer_resource arena;
    EXPECT_TRUE(parse_accept("", &arena).empty());
    auto commas = parse_accept(",,", &arena);
    ASSERT_EQ(commas.size(), 2u);
    EXPECT_EQ(commas[0].name, "");
    auto bare = parse_accept("en;q;level;=;q=", &arena);
    ASSERT_EQ(bare.size(), 1u);
    EXPECT_FLOAT_EQ(bare[0].quality, 1.0f);
    auto quoted = parse_accept("\"a,b\";q=0.3, c", &arena);
    ASSERT_EQ(quoted.size(), 2u);
    EXPECT_EQ(quoted[0].name, "\"a,b\"");
    EXPECT_FLOAT_EQ(quoted[0].quality, 0.3f);
    auto unterminated = parse_accept("a;charset=\"x", &arena);
    ASSERT_EQ(unterminated.size(), 1u);
    EXPECT_EQ(unterminated[0].charset, "x");
    auto nul = parse_accept(std::string_view("fr\0de", 5), &arena);
    ASSERT_EQ(nul.size(), 1u);
    EXPECT_EQ(nul[0].name, "fr");
}

TEST(NegotiationAccept, AbsentDiffersFromEmpty) {
    std::pmr::monotonic_buffer_resource arena;
    EXPECT_FALSE(parse_accept_header(std::nullopt, &arena).has_value());
    auto empty = parse_accept_header(std::string_view(), &arena);
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace sonora::modules::mappers::negotiation
