// Table of request heads recorded against Apache/2.4.71 (HttpProtocolOptions Strict
// LenientMethods Allow0.9, default limits). `status` is what the parser must report:
// 0 for a complete head. Where Apache answered later in the request (Host, Expect,
// body framing, URI mapping), the case lives in the test of that helper instead.
// src/http/PROTOCOL_NOTES.md has the same table with Apache's answers.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http/request_parser.h"
#include "parse_helpers.h"

namespace sonora::http {
namespace {

using namespace std::string_view_literals;

struct Case {
    const char* name;
    std::string_view raw;
    int status;  // 0 = complete
};

const std::string kLongTarget(8190 - 14 + 1, 'a');  // line of 8191 bytes: accepted

const Case kCases[] = {
    {"valid", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", 0},
    {"http/0.9 simple request", "GET /\r\n", 0},
    {"http/0.9 POST", "POST /\r\n", 400},
    {"only a method", "GET\r\n\r\n", 400},
    {"bare LF request line", "GET / HTTP/1.1\nHost: x\n\n", 400},
    {"bare LF in headers", "GET / HTTP/1.1\r\nHost: x\n\r\n", 400},
    {"bare LF ends head", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400},
    {"bare CR in request line", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400},
    {"bare CR in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400},
    {"CR CR LF", "GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", 400},
    {"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n", 400},
    {"tab before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\t: b\r\n\r\n", 400},
    {"no colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A b\r\n\r\n", 400},
    {"empty name", "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", 400},
    {"obs-fold space", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 0},
    {"obs-fold tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 0},
    {"fold before first header", "GET / HTTP/1.1\r\n X-A: a\r\nHost: x\r\n\r\n", 400},
    {"whitespace-only fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n \r\n b\r\n\r\n", 400},
    {"NUL in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"sv, 400},
    {"NUL in header name", "GET / HTTP/1.1\r\nHost: x\r\nX\0A: ab\r\n\r\n"sv, 400},
    {"0x01 in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", 400},
    {"DEL in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7f" "b\r\n\r\n", 400},
    {"tab in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\tb\r\n\r\n", 0},
    {"obs-text in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x80" "b\r\n\r\n", 0},
    {"0xff in header name", "GET / HTTP/1.1\r\nHost: x\r\nX\xff" "A: ab\r\n\r\n", 400},
    {"@ in header name", "GET / HTTP/1.1\r\nHost: x\r\nX@A: ab\r\n\r\n", 400},
    {"quote in header name", "GET / HTTP/1.1\r\nHost: x\r\nX\"A: ab\r\n\r\n", 400},
    {"empty value", "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", 0},
    {"no space after colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A:b\r\n\r\n", 0},
    {"NUL in target", "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"sv, 400},
    {"NUL in method", "G\0T / HTTP/1.1\r\nHost: x\r\n\r\n"sv, 400},
    {"0x01 in target", "GET /a\x01" "b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"tab in target", "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"DEL in target", "GET /a\x7f" "b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"obs-text in target", "GET /a\x80" "b HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"raw <>\"{}|^` in target", "GET /a<b>\"{}|^` HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"fragment in target", "GET /index.html#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"double space after method", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"double space before version", "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"tab separators", "GET\t/\tHTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
    {"leading space", " GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"extra token", "GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400},
    {"two leading CRLF", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"ten leading CRLF", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0},
    {"eleven leading CRLF",
     "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400},
    {"leading bare LF", "\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"lowercase method (501 later)", "get / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"unknown method (501 later)", "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"@ in method", "GE@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"( in method", "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"HTTP/2.0 served as 1.1", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 0},
    {"HTTP/1.2 served as 1.1", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 0},
    {"HTTP/3.0 served as 1.1", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", 0},
    {"HTTP/3", "GET / HTTP/3\r\nHost: x\r\n\r\n", 400},
    {"HTTP/0.9 explicit", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 400},
    {"HTTP/1.10", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400},
    {"HTTP/01.1", "GET / HTTP/01.1\r\nHost: x\r\n\r\n", 400},
    {"lowercase http/1.1", "GET / http/1.1\r\nHost: x\r\n\r\n", 400},
    {"HTTP/1", "GET / HTTP/1\r\nHost: x\r\n\r\n", 400},
    {"HTTP/1.1x", "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400},
    {"FOO/1.1", "GET / FOO/1.1\r\nHost: x\r\n\r\n", 400},
    {"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
    {"absolute-form", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"absolute-form https", "GET https://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"absolute-form no path", "GET http://x HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"asterisk with GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"asterisk with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"CONNECT authority-form (405 later)", "CONNECT x:80 HTTP/1.1\r\nHost: x\r\n\r\n", 0},
    {"relative target", "GET index.html HTTP/1.1\r\nHost: x\r\n\r\n", 400},
    {"empty target", "GET  HTTP/1.1\r\nHost: x\r\n\r\n", 400},
};

class ApacheTable : public ::testing::TestWithParam<Case> {};

TEST_P(ApacheTable, OneShotAndBytewiseAgree) {
    const Case& c = GetParam();
    test::Parsed p;
    test::parse_all(c.raw, p);
    const int got = p.result.status == ParseStatus::kComplete ? 0
                    : p.result.status == ParseStatus::kError  ? p.result.error.status
                                                              : -1;
    EXPECT_EQ(got, c.status) << c.name << " reason: " << p.result.error.reason;
    const ParseResult bytewise = test::parse_bytewise(c.raw);
    EXPECT_EQ(bytewise.status, p.result.status) << c.name;
    EXPECT_EQ(bytewise.consumed, p.result.consumed) << c.name;
    EXPECT_EQ(bytewise.error.status, p.result.error.status) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Http, ApacheTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) {
                             return "case" + std::to_string(param.index);
                         });

struct LimitCase {
    const char* name;
    std::size_t line_bytes;  // request line or header line length, CRLF excluded
    bool header;             // measure a header line instead of the request line
    int status;
};

// Measured with LimitRequestLine 100, LimitRequestFieldSize 100, LimitRequestFields 3:
// Apache accepts lines of limit + 1 bytes.
const LimitCase kLimitCases[] = {
    {"request line 100", 100, false, 0},  {"request line 101", 101, false, 0},
    {"request line 102", 102, false, 414}, {"request line 200", 200, false, 414},
    {"field 100", 100, true, 0},           {"field 101", 101, true, 0},
    {"field 102", 102, true, 400},         {"field 300", 300, true, 400},
};

class LimitTable : public ::testing::TestWithParam<LimitCase> {};

TEST_P(LimitTable, MatchesApacheBoundary) {
    const LimitCase& c = GetParam();
    Limits limits;
    limits.request_line = 100;
    limits.field_size = 100;
    limits.fields = 3;
    std::string raw;
    if (c.header) {
        raw = "GET / HTTP/1.1\r\nX-A: " + std::string(c.line_bytes - 5, 'a') + "\r\n\r\n";
    } else {
        raw = "GET /" + std::string(c.line_bytes - 14, 'a') + " HTTP/1.1\r\n\r\n";
    }
    test::Parsed p;
    test::parse_all(raw, p, limits);
    const int got = p.result.status == ParseStatus::kError ? p.result.error.status : 0;
    EXPECT_EQ(got, c.status) << c.name;
    EXPECT_EQ(test::parse_bytewise(raw, limits).error.status, p.result.error.status);
}

INSTANTIATE_TEST_SUITE_P(Http, LimitTable, ::testing::ValuesIn(kLimitCases));

TEST(RequestParserLimits, DefaultRequestLineBoundary) {
    test::Parsed ok;
    test::parse_all("GET /" + kLongTarget + " HTTP/1.1\r\n\r\n", ok);
    EXPECT_EQ(ok.result.status, ParseStatus::kComplete);
    test::Parsed too_long;
    test::parse_all("GET /" + kLongTarget + "a HTTP/1.1\r\n\r\n", too_long);
    EXPECT_EQ(too_long.result.error.status, 414);
}

TEST(RequestParserLimits, OverlongLineIsRefusedBeforeItEnds) {
    test::Parsed p;
    test::parse_all("GET /" + std::string(20000, 'a'), p);
    EXPECT_EQ(p.result.status, ParseStatus::kError);
    EXPECT_EQ(p.result.error.status, 414);
    test::Parsed h;
    test::parse_all("GET / HTTP/1.1\r\nX-A: " + std::string(20000, 'a'), h);
    EXPECT_EQ(h.result.error.status, 400);
    EXPECT_EQ(h.result.error.note, kNoteFieldTooLarge);
}

TEST(RequestParserLimits, FieldCount) {
    Limits limits;
    limits.fields = 3;
    test::Parsed three;
    test::parse_all("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n D\r\n\r\n", three, limits);
    EXPECT_EQ(three.result.status, ParseStatus::kComplete);  // folds do not count
    test::Parsed four;
    test::parse_all("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", four, limits);
    EXPECT_EQ(four.result.error.status, 400);
    EXPECT_EQ(four.result.error.note, kNoteTooManyFields);
}

TEST(RequestParserLimits, DefaultFieldCountIs100) {
    std::string raw = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 100; ++i) {
        raw += "X-" + std::to_string(i) + ": v\r\n";
    }
    test::Parsed ok;
    test::parse_all(raw + "\r\n", ok);
    EXPECT_EQ(ok.result.status, ParseStatus::kComplete);
    test::Parsed too_many;
    test::parse_all(raw + "X-100: v\r\n\r\n", too_many);
    EXPECT_EQ(too_many.result.error.status, 400);
}

// Joined folded line: Apache accepts at most LimitRequestFieldSize - 2 bytes.
TEST(RequestParserLimits, FoldedFieldBoundary) {
    Limits limits;
    limits.field_size = 100;
    for (std::size_t joined : {97u, 98u, 99u, 100u}) {
        // "X-A: " + 45 a = 50 bytes, then " " + the continuation text.
        const std::string raw = "GET / HTTP/1.1\r\nX-A: " + std::string(45, 'a') + "\r\n    " +
                                std::string(joined - 51, 'b') + "\r\n\r\n";
        test::Parsed p;
        test::parse_all(raw, p, limits);
        EXPECT_EQ(p.result.status == ParseStatus::kComplete, joined <= 98) << joined;
    }
}

}  // namespace
}  // namespace sonora::http
