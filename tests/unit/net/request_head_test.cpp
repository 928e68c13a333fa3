// The request-head parser, the target decoder and the chunked decoder,
// table-driven, including the hostile inputs of httpd's Strict mode.

#include "net/chunked.h"
#include "net/request_head.h"
#include "net/target.h"

#include <gtest/gtest.h>

#include <vector>

namespace sonora::net {
namespace {

struct HeadCase {
    std::string raw;
    HeadStatus status;
    int http_status;
};

HeadResult parse(const std::string& raw, ParsedHead& out, std::vector<request::Header>& storage,
                 HeadLimits limits = {}) {
    storage.assign(limits.fields + 1, {});
    out = ParsedHead{};
    out.headers = storage.data();
    return parse_request_head(raw, limits, out, storage.size());
}

TEST(RequestHead, ParsesAValidHead) {
    ParsedHead h;
    std::vector<request::Header> st;
    std::string raw = "\r\nGET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nX-Empty:\r\nAccept:  text/html \t\r\n\r\nrest";
    auto r = parse(raw, h, st);
    ASSERT_EQ(r.status, HeadStatus::Complete);
    EXPECT_EQ(h.method, "GET");
    EXPECT_EQ(h.target, "/a/b?x=1");
    EXPECT_EQ(h.version, 11);
    ASSERT_EQ(h.header_count, 3u);
    EXPECT_EQ(h.headers[0].name, "Host");
    EXPECT_EQ(h.headers[0].value, "example");
    EXPECT_EQ(h.headers[1].value, "");
    EXPECT_EQ(h.headers[2].value, "text/html");
    EXPECT_EQ(raw.substr(h.consumed), "rest");
}

TEST(RequestHead, HostileAndMalformedInputs) {
    const HeadCase cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\n", HeadStatus::Incomplete, 0},
        {"GET / HTTP/1.1\r\nHo", HeadStatus::Incomplete, 0},
        {"GET / HTTP/1.1", HeadStatus::Incomplete, 0},
        {"GET / HTTP/1.1\nHost: a\n\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\nHost: a\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\n Host: a\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n", HeadStatus::Error, 400},
        {std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 29), HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\n: a\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", HeadStatus::Error, 400},
        {"G@T / HTTP/1.1\r\n\r\n", HeadStatus::Error, 400},
        {" GET / HTTP/1.1\r\n\r\n", HeadStatus::Error, 400},
        {"GET  / HTTP/1.1\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1 \r\n\r\n", HeadStatus::Error, 400},
        {"GET /\x7f HTTP/1.1\r\n\r\n", HeadStatus::Error, 400},
        {"GET / http/1.1\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/11.1\r\n\r\n", HeadStatus::Error, 400},
        {"GET /\r\n\r\n", HeadStatus::Error, 400},
        {"GET / HTTP/1.1\rHost: a\r\n\r\n", HeadStatus::Error, 400},
    };
    for (const HeadCase& c : cases) {
        ParsedHead h;
        std::vector<request::Header> st;
        auto r = parse(c.raw, h, st);
        EXPECT_EQ(r.status, c.status) << c.raw;
        EXPECT_EQ(r.http_status, c.http_status) << c.raw;
    }
}

TEST(RequestHead, Limits) {
    ParsedHead h;
    std::vector<request::Header> st;
    HeadLimits small{20, 16, 2};
    EXPECT_EQ(parse("GET /" + std::string(30, 'a') + " HTTP/1.1\r\n\r\n", h, st, small).http_status, 414);
    EXPECT_EQ(parse("GET /" + std::string(30, 'a'), h, st, small).http_status, 414);
    auto big = parse("GET / HTTP/1.1\r\nX: " + std::string(20, 'v') + "\r\n\r\n", h, st, small);
    EXPECT_EQ(big.http_status, 400);
    EXPECT_EQ(big.detail, "Size of a request header field exceeds server limit.");
    auto many = parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", h, st, small);
    EXPECT_EQ(many.http_status, 400);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", h, st, small).status, HeadStatus::Complete);
}

TEST(RequestTarget, DecodesAndNormalises) {
    struct Case {
        const char* target;
        bool ok;
        const char* uri;
    };
    const Case cases[] = {
        {"/", true, "/"},
        {"/a/b.html?q=1", true, "/a/b.html"},
        {"/a/./b", true, "/a/b"},
        {"/a/../b", true, "/b"},
        {"/a/b/..", true, "/a/"},
        {"/a/b/.", true, "/a/b/"},
        {"/%7Euser/", true, "/~user/"},
        {"/a%20b", true, "/a b"},
        {"/%2e%2e/x", false, ""},
        {"/.%2e/x", false, ""},
        {"/a/%2E%2E/b", true, "/b"},
        {"/..", false, ""},
        {"/../etc/passwd", false, ""},
        {"/a/../../etc", false, ""},
        {"/%00", false, ""},
        {"/a%2fb", false, ""},
        {"/%%32%65", false, ""},
        {"/%zz", false, ""},
        {"/%4", false, ""},
        {"relative", false, ""},
        {"*", false, ""},
        {"http://example.com/x/y", true, "/x/y"},
        {"http://example.com", true, "/"},
    };
    for (const Case& c : cases) {
        std::pmr::string uri;
        std::string_view host;
        EXPECT_EQ(decode_request_target(c.target, host, uri), c.ok) << c.target;
        if (c.ok) {
            EXPECT_EQ(uri, c.uri) << c.target;
        }
    }
    std::pmr::string uri;
    std::string_view host;
    ASSERT_TRUE(decode_request_target("http://Example.com:8080/p", host, uri));
    EXPECT_EQ(host, "Example.com");
}

TEST(Chunked, DecodesAcrossArbitrarySplits) {
    const std::string body = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    for (std::size_t split = 0; split <= body.size(); ++split) {
        ChunkedDecoder d;
        std::size_t used = 0;
        auto st = d.feed(std::string_view(body).substr(0, split), used);
        std::size_t total = used;
        if (st == ChunkedDecoder::Status::NeedMore) {
            EXPECT_EQ(used, split);
            st = d.feed(std::string_view(body).substr(split), used);
            total += used;
        }
        ASSERT_EQ(st, ChunkedDecoder::Status::Done) << split;
        EXPECT_EQ(d.body_bytes(), 31u);
        EXPECT_EQ(body.substr(total), "NEXT") << split;
    }
}

TEST(Chunked, Errors) {
    struct Case {
        std::string body;
        int status;
    };
    const Case cases[] = {
        {"zz\r\nhello\r\n0\r\n\r\n", 400},
        {"5\r\nhelloXX0\r\n\r\n", 400},
        {"5\nhello\r\n0\r\n\r\n", 400},
        {"\r\n", 400},
        {"fffffffffffffffff1\r\n", 413},
        {"5\r\nhello\r\n0\r\nbad\n\r\n", 400},
        {"5\r\nhello\r\n0\r\n\rX", 400},
    };
    for (const Case& c : cases) {
        ChunkedDecoder d;
        std::size_t used = 0;
        EXPECT_EQ(d.feed(c.body, used), ChunkedDecoder::Status::Error) << c.body;
        EXPECT_EQ(d.http_status(), c.status) << c.body;
    }
}

}  // namespace
}  // namespace sonora::net
