// Chunked request bodies, recorded against Apache/2.4.71 (see PROTOCOL_NOTES.md).
#include "http/chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace sonora::http {
namespace {

struct Outcome {
    ChunkStatus status;
    std::string body;
    std::size_t consumed = 0;
    int error = 0;
};

// Feeds `input` in pieces of `piece` bytes through next(), collecting the data.
Outcome decode(std::string_view input, std::size_t piece, const Limits& limits = {}) {
    ChunkedDecoder d(limits);
    Outcome out{ChunkStatus::kNeedMore, {}};
    std::size_t pos = 0;
    while (pos < input.size()) {
        const std::size_t n = std::min(piece, input.size() - pos);
        std::string_view chunk = input.substr(pos, n);
        while (true) {
            const ChunkStep s = d.next(chunk);
            pos += s.consumed;
            chunk.remove_prefix(s.consumed);
            if (s.status == ChunkStatus::kData) {
                out.body.append(s.data);
                continue;
            }
            if (s.status != ChunkStatus::kNeedMore) {
                out.status = s.status;
                out.consumed = pos;
                out.error = s.error.status;
                return out;
            }
            break;
        }
    }
    out.consumed = pos;
    return out;
}

struct Case {
    const char* name;
    std::string_view body;  // after the request head
    int status;             // 0 = complete body, -1 = needs more
    const char* decoded;
};

const Case kCases[] = {
    {"simple", "5\r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"two chunks", "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", 0, "hello"},
    {"extension", "5;foo=bar\r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"quoted extension", "5;foo=\"b;r\"\r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"space before extension", "5 ;foo\r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"space after size", "5 \r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"upper-case hex", "A\r\nhellohello\r\n0\r\n\r\n", 0, "hellohello"},
    {"many leading zeros", "0000000000000000005\r\nhello\r\n0\r\n\r\n", 0, "hello"},
    {"trailer", "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", 0, "hello"},
    {"space before size", " 5\r\nhello\r\n0\r\n\r\n", 400, ""},
    {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400, ""},
    {"junk after size", "5g\r\nhello\r\n0\r\n\r\n", 400, ""},
    {"empty size", "\r\nhello\r\n0\r\n\r\n", 400, ""},
    {"negative size", "-5\r\nhello\r\n0\r\n\r\n", 400, ""},
    {"overflow 17 digits", "fffffffffffffffff\r\nhello\r\n0\r\n\r\n", 413, ""},
    {"overflow 16 digits", "ffffffffffffffff\r\nhello\r\n0\r\n\r\n", 413, ""},
    {"overflow 2^63", "8000000000000000\r\nhello\r\n0\r\n\r\n", 413, ""},
    {"2^63-1 is a valid size", "7fffffffffffffff\r\nhello", -1, "hello"},
    {"data longer than size", "5\r\nhelloX\r\n0\r\n\r\n", 400, "hello"},
    {"bare LF after data", "5\r\nhello\n0\r\n\r\n", 400, "hello"},
    {"bare LF after size", "5\nhello\r\n0\r\n\r\n", 400, ""},
    {"bare LF last chunk", "5\r\nhello\r\n0\n\n", 400, "hello"},
    {"bad trailer", "5\r\nhello\r\n0\r\nX-T 1\r\n\r\n", 400, "hello"},
    {"truncated", "5\r\nhel", -1, "hel"},
};

TEST(ChunkedDecoder, ApacheTableEverySplit) {
    for (const Case& c : kCases) {
        for (std::size_t piece = 1; piece <= c.body.size(); ++piece) {
            const Outcome o = decode(c.body, piece);
            if (c.status == 0) {
                EXPECT_EQ(o.status, ChunkStatus::kDone) << c.name << " piece " << piece;
                EXPECT_EQ(o.consumed, c.body.size()) << c.name;
            } else if (c.status < 0) {
                EXPECT_EQ(o.status, ChunkStatus::kNeedMore) << c.name << " piece " << piece;
            } else {
                EXPECT_EQ(o.status, ChunkStatus::kError) << c.name << " piece " << piece;
                EXPECT_EQ(o.error, c.status) << c.name << " piece " << piece;
            }
            EXPECT_EQ(o.body, c.decoded) << c.name << " piece " << piece;
        }
    }
}

TEST(ChunkedDecoder, StopsAtEndOfBodyForPipelining) {
    const std::string input = "2\r\nab\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    const Outcome o = decode(input, input.size());
    EXPECT_EQ(o.status, ChunkStatus::kDone);
    EXPECT_EQ(input.substr(o.consumed), "GET / HTTP/1.1\r\n");
}

TEST(ChunkedDecoder, DecodeInPlace) {
    std::string buf = "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: v\r\n\r\nrest";
    ChunkedDecoder d{Limits{}};
    const ChunkDecodeResult r = d.decode_in_place(buf.data(), buf.size());
    EXPECT_EQ(r.status, ChunkStatus::kDone);
    EXPECT_EQ(buf.substr(0, r.produced), "abcdefg");
    EXPECT_EQ(buf.substr(r.consumed), "rest");
    EXPECT_EQ(d.body_bytes(), 7u);
    EXPECT_TRUE(d.done());
}

TEST(ChunkedDecoder, InPlaceAcrossCalls) {
    const std::string input = "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
    ChunkedDecoder d{Limits{}};
    std::string decoded;
    for (std::size_t i = 0; i < input.size(); i += 5) {
        std::string piece = input.substr(i, 5);
        const ChunkDecodeResult r = d.decode_in_place(piece.data(), piece.size());
        decoded += piece.substr(0, r.produced);
        ASSERT_NE(r.status, ChunkStatus::kError);
    }
    EXPECT_EQ(decoded, "abcdefg");
    EXPECT_TRUE(d.done());
}

TEST(ChunkedDecoder, LimitRequestBody) {
    Limits limits;
    limits.body = 6;
    EXPECT_EQ(decode("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 64, limits).status, ChunkStatus::kDone);
    const Outcome o = decode("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n", 64, limits);
    EXPECT_EQ(o.status, ChunkStatus::kError);
    EXPECT_EQ(o.error, 413);
}

TEST(ChunkedDecoder, TrailerLimits) {
    Limits limits;
    limits.fields = 1;
    EXPECT_EQ(decode("0\r\nA: 1\r\nB: 2\r\n\r\n", 64, limits).error, 400);
    limits.fields = 100;
    limits.field_size = 10;
    EXPECT_EQ(decode("0\r\nA: 12345678901\r\n\r\n", 64, limits).error, 400);
}

}  // namespace
}  // namespace sonora::http
