#include "http/request_parser.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "parse_helpers.h"

namespace sonora::http {
namespace {

TEST(RequestParser, ParsesLineAndHeadersAsViews) {
    test::Parsed p;
    test::parse_all("POST /a/b?x=1 HTTP/1.1\r\nHost: example.org\r\nContent-Length:  5 \r\n"
                    "X-Custom: v\r\n\r\nhello",
                    p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.result.consumed, p.buffer.size() - 5);
    const RequestHead& h = p.head;
    EXPECT_EQ(h.line.method, "POST");
    EXPECT_EQ(h.line.method_id, Method::kPost);
    EXPECT_EQ(h.line.target, "/a/b?x=1");
    EXPECT_EQ(h.line.form, TargetForm::kOrigin);
    EXPECT_EQ(h.line.proto_num(), 1001);
    EXPECT_FALSE(h.line.http09);
    ASSERT_EQ(h.headers.size(), 3u);
    EXPECT_EQ(h.headers.value(HeaderId::kHost), "example.org");
    EXPECT_EQ(h.headers.value(HeaderId::kContentLength), "5");
    EXPECT_EQ(h.headers.at(2).name, "X-Custom");
    EXPECT_EQ(h.headers.at(2).id, HeaderId::kOther);
    ASSERT_NE(h.headers.find("x-custom"), nullptr);
    EXPECT_EQ(h.headers.value_of(*h.headers.find("X-CUSTOM")), "v");
    ASSERT_NE(h.headers.find("content-length"), nullptr);
    EXPECT_EQ(h.headers.find("X-Missing"), nullptr);
    EXPECT_FALSE(h.headers.has(HeaderId::kRange));
    // Views point into the buffer, not into copies.
    EXPECT_EQ(h.line.method.data(), p.buffer.data());
}

TEST(RequestParser, RepeatedHeadersAreKeptInOrder) {
    test::Parsed p;
    test::parse_all("GET / HTTP/1.1\r\nAccept: a\r\nX: 1\r\naccept: b\r\n\r\n", p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    const HeaderTable& t = p.head.headers;
    EXPECT_EQ(t.count(HeaderId::kAccept), 2u);
    const HeaderSlot* first = t.find(HeaderId::kAccept);
    ASSERT_NE(first, nullptr);
    const HeaderSlot* second = t.next(HeaderId::kAccept, first);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(t.value_of(*first), "a");
    EXPECT_EQ(t.value_of(*second), "b");
    EXPECT_EQ(t.next(HeaderId::kAccept, second), nullptr);
}

TEST(RequestParser, TrimsOptionalWhitespace) {
    test::Parsed p;
    test::parse_all("GET / HTTP/1.1\r\nA:   a   \r\nB:\t b \t\r\nC:\r\n\r\n", p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.head.headers.at(0).value, "a");
    EXPECT_EQ(p.head.headers.at(1).value, "b");
    EXPECT_EQ(p.head.headers.at(2).value, "");
}

// Apache joins folded lines with one SP: "a  \r\n   b  " -> "a b".
TEST(RequestParser, JoinsObsFoldWithOneSpace) {
    const std::string raw =
        "GET / HTTP/1.1\r\nX-A: a  \r\n   b  \r\nX-B: 1\r\n\t\t2\r\n 3\r\nHost: h\r\n\r\nNEXT";
    test::Parsed p;
    test::parse_all(raw, p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.head.headers.size(), 3u);
    EXPECT_EQ(p.head.headers.at(0).value, "a b");
    EXPECT_EQ(p.head.headers.at(1).value, "1 2 3");
    EXPECT_EQ(p.head.headers.value(HeaderId::kHost), "h");
    EXPECT_EQ(p.buffer.substr(p.result.consumed), "NEXT");
    EXPECT_EQ(test::parse_bytewise(raw).consumed, p.result.consumed);
}

TEST(RequestParser, Http09HasNoHeaders) {
    test::Parsed p;
    test::parse_all("GET /x\r\nHost: ignored\r\n\r\n", p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.result.consumed, 8u);
    EXPECT_TRUE(p.head.line.http09);
    EXPECT_EQ(p.head.line.proto_num(), 9);
    EXPECT_EQ(p.head.line.target, "/x");
    EXPECT_EQ(p.head.headers.size(), 0u);
}

TEST(RequestParser, TargetForms) {
    struct {
        const char* raw;
        TargetForm form;
    } cases[] = {
        {"GET /x HTTP/1.1\r\n\r\n", TargetForm::kOrigin},
        {"GET http://h/x HTTP/1.1\r\n\r\n", TargetForm::kAbsolute},
        {"CONNECT h:443 HTTP/1.1\r\n\r\n", TargetForm::kAuthority},
        {"OPTIONS * HTTP/1.1\r\n\r\n", TargetForm::kAsterisk},
    };
    for (const auto& c : cases) {
        test::Parsed p;
        test::parse_all(c.raw, p);
        ASSERT_EQ(p.result.status, ParseStatus::kComplete) << c.raw;
        EXPECT_EQ(p.head.line.form, c.form) << c.raw;
    }
}

TEST(RequestParser, VersionsAbove11AreRecorded) {
    test::Parsed p;
    test::parse_all("GET / HTTP/2.0\r\nHost: x\r\n\r\n", p);
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.head.line.version_major, 2);
    EXPECT_EQ(p.head.line.proto_num(), 2000);
}

TEST(RequestParser, PipelinedRequestsWithReset) {
    std::string buf =
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: y\r\n\r\nGET /3 HTTP/1.1\r\n";
    std::vector<HeaderSlot> slots(100);
    RequestParser parser(Limits{}, slots);
    std::size_t offset = 0;
    const char* targets[] = {"/1", "/2"};
    for (const char* target : targets) {
        const ParseResult r = parser.parse(buf.data() + offset, buf.size() - offset);
        ASSERT_EQ(r.status, ParseStatus::kComplete);
        EXPECT_EQ(parser.head().line.target, target);
        offset += r.consumed;
        parser.reset();
    }
    EXPECT_EQ(parser.parse(buf.data() + offset, buf.size() - offset).status,
              ParseStatus::kIncomplete);
    buf += "Host: z\r\n\r\n";
    const ParseResult r = parser.parse(buf.data() + offset, buf.size() - offset);
    ASSERT_EQ(r.status, ParseStatus::kComplete);
    EXPECT_EQ(parser.head().headers.value(HeaderId::kHost), "z");
}

TEST(RequestParser, ErrorIsSticky) {
    std::string buf = "GET / HTTP/1.1\r\nBad Header\r\n";
    std::vector<HeaderSlot> slots(100);
    RequestParser parser(Limits{}, slots);
    EXPECT_EQ(parser.parse(buf.data(), buf.size()).status, ParseStatus::kError);
    buf += "\r\n";
    EXPECT_EQ(parser.parse(buf.data(), buf.size()).status, ParseStatus::kError);
}

TEST(RequestParser, TooFewSlotsIsTooManyFields) {
    std::string buf = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";
    std::vector<HeaderSlot> slots(1);
    RequestParser parser(Limits{}, slots);
    const ParseResult r = parser.parse(buf.data(), buf.size());
    EXPECT_EQ(r.status, ParseStatus::kError);
    EXPECT_EQ(r.error.status, 400);
}

// Every prefix of a valid head is Incomplete, never an error or a read past the end:
// the input is placed right before a PROT_NONE page.
TEST(RequestParser, GuardPageNeverReadPastEnd) {
    const long page = sysconf(_SC_PAGESIZE);
    void* mem = mmap(nullptr, static_cast<std::size_t>(page) * 2, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    char* base = static_cast<char*>(mem);
    ASSERT_EQ(mprotect(base + page, static_cast<std::size_t>(page), PROT_NONE), 0);
    const std::string raw = "\r\nPUT /a%20b HTTP/1.1\r\nHost: x\r\nX-F: a\r\n  b\r\n\r\n";
    for (std::size_t n = 0; n <= raw.size(); ++n) {
        char* start = base + page - n;
        std::memcpy(start, raw.data(), n);
        std::vector<HeaderSlot> slots(100);
        RequestParser parser(Limits{}, slots);
        const ParseResult r = parser.parse(start, n);
        EXPECT_EQ(r.status, n == raw.size() ? ParseStatus::kComplete : ParseStatus::kIncomplete)
            << n;
    }
    munmap(mem, static_cast<std::size_t>(page) * 2);
}

}  // namespace
}  // namespace sonora::http
