// Logical lines as httpd's ap_cfg_getline gives them.

#include "config/line_reader.h"

#include <gtest/gtest.h>

namespace sonora::config {
namespace {

std::vector<std::pair<std::string, int>> all_lines(std::string text) {
    LineReader r(std::move(text));
    std::vector<std::pair<std::string, int>> out;
    std::string line;
    while (r.next(line) == LineReader::Result::Line) {
        out.emplace_back(line, r.line_number());
    }
    return out;
}

TEST(LineReader, TrimsAndNumbers) {
    auto lines = all_lines("  first  \n\tsecond\t\r\n\nlast");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], std::make_pair(std::string("first"), 1));
    EXPECT_EQ(lines[1], std::make_pair(std::string("second"), 2));
    EXPECT_EQ(lines[2], std::make_pair(std::string(""), 3));
    EXPECT_EQ(lines[3], std::make_pair(std::string("last"), 4));
}

TEST(LineReader, BackslashJoinsLinesAndReportsTheLastOne) {
    auto lines = all_lines("ServerName a\\\n  b\\\r\nc\nnext\n");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].first, "ServerName a  bc");
    EXPECT_EQ(lines[0].second, 3);
    EXPECT_EQ(lines[1], std::make_pair(std::string("next"), 4));
}

TEST(LineReader, BackslashFollowedBySpaceDoesNotContinue) {
    auto lines = all_lines("a \\ \nb\n");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].first, "a \\");
}

TEST(LineReader, CommentLinesContinueToo) {
    // As in httpd, a comment ending in a backslash swallows the next line.
    auto lines = all_lines("# comment \\\nBogus\nReal\n");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].first, "# comment Bogus");
    EXPECT_EQ(lines[1].first, "Real");
}

TEST(LineReader, BackslashAtEndOfFileIsKept) {
    auto lines = all_lines("a\\");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].first, "a\\");
}

TEST(LineReader, OverlongLineIsReported) {
    LineReader r(std::string(LineReader::kMaxLine + 10, 'x'));
    std::string line;
    EXPECT_EQ(r.next(line), LineReader::Result::TooLong);
}

}  // namespace
}  // namespace sonora::config
