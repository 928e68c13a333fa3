// The compression codecs on their own: gzip framing byte for byte as
// mod_deflate writes it, round trips through zlib's and libbrotli's own
// decoders, and the inflater's limits against a zip bomb.

#include "modules/filters/compress/brotli_encoder.h"
#include "modules/filters/compress/gzip_encoder.h"
#include "modules/filters/compress/gzip_inflater.h"

#include <brotli/decode.h>
#include "zlib_reference.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace sonora::modules::filters::compress {
namespace {

std::string sample_text(std::size_t n) {
    std::mt19937 rng(7);
    const char* words[] = {"alpha ", "beta ", "<div>", "</div>\n", "sonora ", "gamma "};
    std::string s;
    while (s.size() < n) {
        s += words[rng() % 6];
    }
    s.resize(n);
    return s;
}

using test::gunzip;

std::string gzip_of(std::string_view text, GzipSettings s = {}, std::size_t piece = 1000) {
    GzipEncoder enc(s);
    EXPECT_TRUE(enc.ok());
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += piece) {
        enc.compress(text.substr(i, piece), out);
    }
    enc.finish(out);
    return out;
}

TEST(GzipEncoder, HeaderIsHttpdsAndTheTrailerCarriesCrcAndSize) {
    const std::string text = sample_text(50000);
    const std::string gz = gzip_of(text);
    const std::string header("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10);
    EXPECT_EQ(gz.substr(0, 10), header);
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
    auto le32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) {
            v = (v << 8) | static_cast<unsigned char>(gz[at + static_cast<std::size_t>(i)]);
        }
        return v;
    };
    EXPECT_EQ(le32(gz.size() - 8), static_cast<std::uint32_t>(crc));
    EXPECT_EQ(le32(gz.size() - 4), text.size());
    EXPECT_EQ(gunzip(gz), text);
}

TEST(GzipEncoder, OutputDoesNotDependOnHowTheInputIsCut) {
    // What makes a cached entry and a fresh stream interchangeable.
    const std::string text = sample_text(200000);
    EXPECT_EQ(gzip_of(text, {}, 1), gzip_of(text, {}, 100000));
    EXPECT_EQ(gzip_of(text, {}, 8000), gzip_of(text, {}, 200000));
}

TEST(GzipEncoder, SettingsChangeTheStreamAndNotesCountRawDeflate) {
    const std::string text = sample_text(100000);
    EXPECT_LT(gzip_of(text, {9, 15, 9}).size(), gzip_of(text, {1, 15, 9}).size());
    EXPECT_EQ(gunzip(gzip_of(text, {1, 10, 2})), text);
    GzipEncoder enc({});
    std::string out;
    enc.compress(text, out);
    enc.finish(out);
    EXPECT_EQ(enc.total_in(), text.size());
    EXPECT_EQ(enc.total_out(), out.size() - 18);
}

TEST(GzipEncoder, ZlibRefusesTinyRawWindows) {
    // DeflateWindowSize accepts 1-15, but zlib's raw deflate needs 9 or more:
    // httpd then logs and sends the body uncompressed.
    EXPECT_FALSE(GzipEncoder({6, 8, 9}).ok());
    EXPECT_TRUE(GzipEncoder({6, 9, 9}).ok());
}

TEST(GzipEncoder, EmptyInputIsAValidStream) {
    EXPECT_EQ(gunzip(gzip_of("")), "");
}

std::string unbrotli(std::string_view br) {
    std::string out(1 << 20, '\0');
    std::size_t size = out.size();
    EXPECT_EQ(BrotliDecoderDecompress(br.size(), reinterpret_cast<const std::uint8_t*>(br.data()), &size,
                                      reinterpret_cast<std::uint8_t*>(out.data())),
              BROTLI_DECODER_RESULT_SUCCESS);
    out.resize(size);
    return out;
}

TEST(BrotliEncoder, RoundTripsWithEachSetting) {
    const std::string text = sample_text(150000);
    for (BrotliSettings s : {BrotliSettings{}, BrotliSettings{0, 10, 16}, BrotliSettings{11, 24, 24}}) {
        BrotliEncoder enc(s);
        ASSERT_TRUE(enc.ok());
        std::string out;
        for (std::size_t i = 0; i < text.size(); i += 7000) {
            enc.compress(std::string_view(text).substr(i, 7000), out);
        }
        enc.finish(out);
        EXPECT_EQ(unbrotli(out), text);
        EXPECT_EQ(enc.total_in(), text.size());
        EXPECT_EQ(enc.total_out(), out.size());
    }
    BrotliEncoder empty({});
    std::string out;
    empty.finish(out);
    EXPECT_EQ(out.size(), 1u) << "Apache sends one byte for an empty body";
}

TEST(GzipInflater, DecodesWhatTheEncoderMakesInAnyPieces) {
    const std::string text = sample_text(120000);
    const std::string gz = gzip_of(text);
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, gz.size()}) {
        GzipInflater inf;
        std::string out;
        GzipInflater::Status st = GzipInflater::Status::NeedMore;
        for (std::size_t i = 0; i < gz.size(); i += piece) {
            st = inf.feed(std::string_view(gz).substr(i, piece), out);
        }
        EXPECT_EQ(st, GzipInflater::Status::Done) << piece;
        EXPECT_EQ(inf.finish(), GzipInflater::Status::Done);
        EXPECT_EQ(out, text) << piece;
        EXPECT_EQ(inf.total_in(), gz.size());
    }
}

TEST(GzipInflater, HeaderFieldsAreSkippedAndBadHeadersRefused) {
    const std::string text = "hello world, hello world";
    std::string gz = gzip_of(text);
    // FNAME and FCOMMENT, then FEXTRA, as gzip(1) and others may write them.
    std::string named = gz.substr(0, 10) + "file.txt" + std::string(1, '\0') + "note" + std::string(1, '\0') +
                        gz.substr(10);
    named[3] = 0x18;
    GzipInflater a;
    std::string out;
    EXPECT_EQ(a.feed(named, out), GzipInflater::Status::Done);
    EXPECT_EQ(out, text);
    std::string extra = gz.substr(0, 10) + std::string("\x03\0abc", 5) + gz.substr(10);
    extra[3] = 0x04;
    GzipInflater b;
    out.clear();
    EXPECT_EQ(b.feed(extra, out), GzipInflater::Status::Done);
    EXPECT_EQ(out, text);
    for (int at : {0, 1, 2}) {
        std::string bad = gz;
        bad[static_cast<std::size_t>(at)] ^= 0x40;
        GzipInflater c;
        EXPECT_EQ(c.feed(bad, out), GzipInflater::Status::BadHeader) << at;
    }
    std::string reserved = gz;
    reserved[3] = static_cast<char>(0x20);
    GzipInflater d;
    EXPECT_EQ(d.feed(reserved, out), GzipInflater::Status::BadHeader);
}

TEST(GzipInflater, TrailerMustMatchAndTheEndMustCome) {
    std::string gz = gzip_of(sample_text(5000));
    std::string bad_crc = gz;
    bad_crc[gz.size() - 6] ^= 1;
    GzipInflater a;
    std::string out;
    EXPECT_EQ(a.feed(bad_crc, out), GzipInflater::Status::BadData);
    GzipInflater b;
    EXPECT_EQ(b.feed(std::string_view(gz).substr(0, gz.size() - 3), out), GzipInflater::Status::NeedMore);
    EXPECT_EQ(b.finish(), GzipInflater::Status::BadData);
    GzipInflater c;
    EXPECT_EQ(c.feed(gz + "junk", out), GzipInflater::Status::Done);
    EXPECT_EQ(c.trailing(), 4u);
}

std::string bomb(std::size_t zeros) {
    std::string text(zeros, '\0');
    return gzip_of(text, {9, 15, 9}, 1 << 20);
}

TEST(GzipInflater, ZipBombStopsAtTheRatioLimitAfterTheBurst) {
    const std::string gz = bomb(50u << 20);  // ~50 KiB for 50 MiB
    InflateLimits limits;
    limits.ratio_limit = 200;
    limits.ratio_burst = 3;
    limits.check_every = 8096;
    GzipInflater inf(limits);
    std::string out;
    EXPECT_EQ(inf.feed(gz, out), GzipInflater::Status::RatioExceeded);
    // Stopped within a few buffers of the point where the ratio passed 200.
    EXPECT_LT(out.size(), 1u << 20);
}

TEST(GzipInflater, ALowRatioResetsTheBurstCount) {
    // Incompressible bytes keep the ratio near 1: never stopped.
    std::mt19937 rng(3);
    std::string noise(300000, '\0');
    for (char& c : noise) {
        c = static_cast<char>(rng());
    }
    InflateLimits limits;
    limits.ratio_limit = 2;
    limits.ratio_burst = 1;
    GzipInflater inf(limits);
    std::string out;
    EXPECT_EQ(inf.feed(gzip_of(noise), out), GzipInflater::Status::Done);
    EXPECT_EQ(out, noise);
}

TEST(GzipInflater, SizeLimitStopsTheStream) {
    InflateLimits limits;
    limits.limit = 100000;
    GzipInflater inf(limits);
    std::string out;
    EXPECT_EQ(inf.feed(gzip_of(sample_text(200000)), out), GzipInflater::Status::TooLarge);
    EXPECT_LE(out.size(), 100000u + 8096u);
    InflateLimits roomy;
    roomy.limit = 200000;
    GzipInflater fits(roomy);
    out.clear();
    EXPECT_EQ(fits.feed(gzip_of(sample_text(200000)), out), GzipInflater::Status::Done);
}

}  // namespace
}  // namespace sonora::modules::filters::compress
