// Argument splitting as httpd's ap_getword_conf.

#include "config/words.h"

#include <gtest/gtest.h>

namespace sonora::config {
namespace {

struct Case {
    const char* line;
    std::vector<std::string> words;
};

TEST(Words, SplitsAsHttpd) {
    const Case cases[] = {
        {"", {}},
        {"   ", {}},
        {"a b  c", {"a", "b", "c"}},
        {"\ta\t b ", {"a", "b"}},
        {R"("a b" c)", {"a b", "c"}},
        {R"('a b' "c d")", {"a b", "c d"}},
        {R"("a \"quoted\" word")", {R"(a "quoted" word)"}},
        {R"('it\'s')", {"it's"}},
        {R"("back\\slash")", {R"(back\slash)"}},
        {R"("keep \n escape")", {R"(keep \n escape)"}},
        {R"(un\\quoted)", {R"(un\quoted)"}},
        {R"(un\"quoted)", {R"(un\"quoted)"}},
        {R"(a"b c")", {R"(a"b)", R"(c")"}},
        {R"("unterminated word)", {"unterminated word"}},
        {R"("")", {""}},
        {R"("" x)", {"", "x"}},
        {R"("a"b)", {"a", "b"}},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(split_words(c.line), c.words) << c.line;
    }
}

TEST(Words, NextWordAdvances) {
    std::string_view rest = R"(  first "second word"   third)";
    EXPECT_EQ(next_word(rest), "first");
    EXPECT_EQ(rest, R"("second word"   third)");
    EXPECT_EQ(next_word(rest), "second word");
    EXPECT_EQ(next_word(rest), "third");
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(next_word(rest), "");
}

}  // namespace
}  // namespace sonora::config
