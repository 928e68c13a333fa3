// Body framing and head checks, recorded against Apache/2.4.71 (POST to a static file).
#include "http/body_framing.h"

#include <gtest/gtest.h>

#include <string>

#include "http/request_checks.h"
#include "parse_helpers.h"

namespace sonora::http {
namespace {

struct FramingCase {
    const char* headers;  // header lines after "POST / HTTP/1.1\r\nHost: x\r\n"
    int status;           // 0 = accepted
    BodyFraming::Kind kind;
    std::uint64_t length;
};

const FramingCase kFraming[] = {
    {"Content-Length: 5\r\n", 0, BodyFraming::Kind::kLength, 5},
    {"Content-Length: 0\r\n", 0, BodyFraming::Kind::kNone, 0},
    {"", 0, BodyFraming::Kind::kNone, 0},
    {"Content-Length: 0005\r\n", 0, BodyFraming::Kind::kLength, 5},
    {"Content-Length: 5 \r\n", 0, BodyFraming::Kind::kLength, 5},
    {"Content-Length: 9223372036854775807\r\n", 0, BodyFraming::Kind::kLength,
     9223372036854775807ULL},
    {"Content-Length: 9223372036854775808\r\n", 400, {}, 0},
    {"Content-Length: 18446744073709551616\r\n", 400, {}, 0},
    {"Content-Length: 5\r\nContent-Length: 5\r\n", 400, {}, 0},
    {"Content-Length: 5\r\nContent-Length: 6\r\n", 400, {}, 0},
    {"Content-Length: 5, 5\r\n", 400, {}, 0},
    {"Content-Length: -1\r\n", 400, {}, 0},
    {"Content-Length: +5\r\n", 400, {}, 0},
    {"Content-Length: 5x\r\n", 400, {}, 0},
    {"Content-Length: \r\n", 400, {}, 0},
    {"Content-Length: 0x5\r\n", 400, {}, 0},
    {"Content-Length: 1 5\r\n", 400, {}, 0},
    {"Transfer-Encoding: chunked\r\n", 0, BodyFraming::Kind::kChunked, 0},
    {"Transfer-Encoding: Chunked\r\n", 0, BodyFraming::Kind::kChunked, 0},
    {"Transfer-Encoding: gzip, chunked\r\n", 0, BodyFraming::Kind::kChunked, 0},
    {"Transfer-Encoding: chunked, chunked\r\n", 0, BodyFraming::Kind::kChunked, 0},
    {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 0,
     BodyFraming::Kind::kChunked, 0},
    {"Transfer-Encoding: chunked, gzip\r\n", 400, {}, 0},
    {"Transfer-Encoding: gzip\r\n", 400, {}, 0},
    {"Transfer-Encoding: identity\r\n", 400, {}, 0},
    {"Transfer-Encoding: \r\n", 400, {}, 0},
};

TEST(BodyFraming, ApacheTable) {
    for (const FramingCase& c : kFraming) {
        test::Parsed p;
        test::parse_all(std::string("POST / HTTP/1.1\r\nHost: x\r\n") + c.headers + "\r\n", p);
        ASSERT_EQ(p.result.status, ParseStatus::kComplete) << c.headers;
        const auto r = decide_body_framing(p.head, Limits{});
        if (c.status != 0) {
            ASSERT_TRUE(std::holds_alternative<HttpError>(r)) << c.headers;
            EXPECT_EQ(std::get<HttpError>(r).status, c.status) << c.headers;
            continue;
        }
        ASSERT_TRUE(std::holds_alternative<BodyFraming>(r)) << c.headers;
        EXPECT_EQ(std::get<BodyFraming>(r).kind, c.kind) << c.headers;
        EXPECT_EQ(std::get<BodyFraming>(r).length, c.length) << c.headers;
        EXPECT_FALSE(std::get<BodyFraming>(r).must_close) << c.headers;
    }
}

// Apache serves the request chunked, ignoring Content-Length, and closes afterwards.
TEST(BodyFraming, ChunkedWinsOverContentLengthAndCloses) {
    for (const char* h : {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                          "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"}) {
        test::Parsed p;
        test::parse_all(std::string("POST / HTTP/1.1\r\nHost: x\r\n") + h + "\r\n", p);
        const auto r = decide_body_framing(p.head, Limits{});
        ASSERT_TRUE(std::holds_alternative<BodyFraming>(r));
        EXPECT_EQ(std::get<BodyFraming>(r).kind, BodyFraming::Kind::kChunked);
        EXPECT_TRUE(std::get<BodyFraming>(r).must_close);
    }
}

TEST(BodyFraming, LimitRequestBody) {
    Limits limits;
    limits.body = 10;
    test::Parsed p;
    test::parse_all("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", p);
    const auto r = decide_body_framing(p.head, limits);
    ASSERT_TRUE(std::holds_alternative<HttpError>(r));
    EXPECT_EQ(std::get<HttpError>(r).status, 413);
}

struct CheckCase {
    const char* raw;
    int status;
};

TEST(RequestChecks, HostApacheTable) {
    const CheckCase cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\n\r\n", 400},
        {"GET / HTTP/1.0\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost:\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x:80\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: x:8a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a_b\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: x.\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\n\r\n", 400},
    };
    for (const CheckCase& c : cases) {
        test::Parsed p;
        test::parse_all(c.raw, p);
        ASSERT_EQ(p.result.status, ParseStatus::kComplete) << c.raw;
        const auto err = check_host(p.head);
        EXPECT_EQ(err ? err->status : 0, c.status) << c.raw;
    }
}

TEST(RequestChecks, ExpectApacheTable) {
    const struct {
        const char* raw;
        int status;
        bool expects;
    } cases[] = {
        {"POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 0, true},
        {"POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n", 0, true},
        {"POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", 0, false},
        {"POST / HTTP/1.1\r\nExpect: foo\r\n\r\n", 417, false},
        {"GET / HTTP/1.0\r\nExpect: foo\r\n\r\n", 417, false},
        {"GET / HTTP/1.1\r\n\r\n", 0, false},
    };
    for (const auto& c : cases) {
        test::Parsed p;
        test::parse_all(c.raw, p);
        bool expects = true;
        const auto err = check_expect(p.head, expects);
        EXPECT_EQ(err ? err->status : 0, c.status) << c.raw;
        EXPECT_EQ(expects, c.expects) << c.raw;
    }
}

TEST(RequestChecks, KeepAlive) {
    const struct {
        const char* raw;
        bool keep;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nConnection: Upgrade, Close\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
        {"GET /\r\n", false},
    };
    for (const auto& c : cases) {
        test::Parsed p;
        test::parse_all(c.raw, p);
        EXPECT_EQ(client_allows_keep_alive(p.head), c.keep) << c.raw;
    }
}

}  // namespace
}  // namespace sonora::http
