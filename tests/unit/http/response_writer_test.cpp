#include "http/response_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "http/chunked_encoder.h"
#include "http/reason_phrase.h"

namespace sonora::http {
namespace {

// Status lines recorded from Apache/2.4.71 responses.
TEST(ReasonPhrase, ApacheSpellings) {
    EXPECT_EQ(status_line(200), "200 OK");
    EXPECT_EQ(status_line(413), "413 Request Entity Too Large");
    EXPECT_EQ(status_line(414), "414 Request-URI Too Long");
    EXPECT_EQ(status_line(416), "416 Requested Range Not Satisfiable");
    EXPECT_EQ(status_line(431), "431 Request Header Fields Too Large");
    EXPECT_EQ(status_line(505), "505 HTTP Version Not Supported");
    EXPECT_EQ(reason_phrase(404), "Not Found");
    EXPECT_EQ(reason_phrase(418), "");
    EXPECT_EQ(status_line(418), "");
    EXPECT_EQ(status_line(103), "103 Early Hints");
    EXPECT_EQ(status_line(226), "226 IM Used");
}

TEST(ResponseHeadWriter, WritesHead) {
    char buf[256];
    ResponseHeadWriter w(buf, sizeof buf);
    w.status(404);
    w.header("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
    w.header("Content-Length", std::uint64_t{1234567890123});
    EXPECT_EQ(w.finish(),
              "HTTP/1.1 404 Not Found\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
              "Content-Length: 1234567890123\r\n\r\n");
    EXPECT_TRUE(w.ok());
}

// Apache sends codes it has no phrase for with an empty reason (checked with a CGI
// "Status: 299" line): "HTTP/1.1 299 ".
TEST(ResponseHeadWriter, UnknownCodeHasEmptyReason) {
    for (int code : {299, 306, 418, 499, 599}) {
        char buf[64];
        ResponseHeadWriter w(buf, sizeof buf);
        w.status(code);
        EXPECT_EQ(w.finish(), "HTTP/1.1 " + std::to_string(code) + " \r\n\r\n");
    }
    char buf[64];
    ResponseHeadWriter w(buf, sizeof buf);
    w.status(42);
    EXPECT_EQ(w.finish(), "HTTP/1.1 500 Internal Server Error\r\n\r\n");
}

TEST(ResponseHeadWriter, ExplicitReason) {
    char buf[64];
    ResponseHeadWriter w(buf, sizeof buf);
    w.status(299, "Fine");
    EXPECT_EQ(w.finish(), "HTTP/1.1 299 Fine\r\n\r\n");
}

TEST(ResponseHeadWriter, OverflowIsReportedNotWritten) {
    for (std::size_t cap = 0; cap < 40; ++cap) {
        std::string buf(cap + 1, '#');
        ResponseHeadWriter w(buf.data(), cap);
        w.status(200);
        w.header("Server", "Sonora");
        const std::string_view head = w.finish();
        const std::string_view full = "HTTP/1.1 200 OK\r\nServer: Sonora\r\n\r\n";
        EXPECT_EQ(head.empty(), cap < full.size()) << cap;
        EXPECT_EQ(buf[cap], '#');  // never writes past capacity
    }
}

TEST(ChunkedEncoder, Framing) {
    char out[kMaxChunkHeader];
    EXPECT_EQ(std::string_view(out, format_chunk_header(1, out)), "1\r\n");
    EXPECT_EQ(std::string_view(out, format_chunk_header(0x1000, out)), "1000\r\n");
    EXPECT_EQ(std::string_view(out, format_chunk_header(0xabcdef, out)), "abcdef\r\n");
    EXPECT_EQ(std::string_view(out, format_chunk_header(~std::uint64_t{0}, out)),
              "ffffffffffffffff\r\n");
    EXPECT_EQ(kLastChunk, "0\r\n\r\n");
}

}  // namespace
}  // namespace sonora::http
