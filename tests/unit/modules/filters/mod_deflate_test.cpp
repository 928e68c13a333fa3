// mod_deflate and mod_brotli: directives refused with httpd 2.4.71's words
// (each checked with `apache2 -t`), configuration inheritance as httpd's, and
// the decisions the DEFLATE and BROTLI_COMPRESS filters make on their first
// call (each checked against Apache 2.4.71 with curl), then their output.

#include "../../support/config_fixture.h"
#include "modules/filters/compress/compressed_cache.h"
#include "modules/filters/mod_brotli.h"
#include "modules/filters/mod_deflate.h"

#include <sonora/filter.h>
#include <sonora/hooks.h>

#include "compress/zlib_reference.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory_resource>

namespace sonora::modules::filters {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const std::string kLoad =
    "LoadModule deflate_module m.so\nLoadModule brotli_module m.so\nServerName x\n";

std::string error_of(const std::string& text) {
    ConfigRoot root;
    try {
        root.load(kLoad + text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "accepted";
}

TEST(ModDeflateDirectives, BadArgumentsAreRefusedAsHttpdRefusesThem) {
    EXPECT_EQ(error_of("DeflateWindowSize 16\n"), "DeflateWindowSize must be between 1 and 15");
    EXPECT_EQ(error_of("DeflateWindowSize abc\n"), "DeflateWindowSize must be between 1 and 15");
    EXPECT_EQ(error_of("DeflateBufferSize 0\n"), "DeflateBufferSize should be positive");
    EXPECT_EQ(error_of("DeflateMemLevel 10\n"), "DeflateMemLevel must be between 1 and 9");
    EXPECT_EQ(error_of("DeflateCompressionLevel 0\n"), "Compression Level must be between 1 and 9");
    EXPECT_EQ(error_of("DeflateAlterETag Maybe\n"),
              "DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'");
    EXPECT_EQ(error_of("DeflateFilterNote Size n\n"), "Unknown note type Size");
    EXPECT_EQ(error_of("DeflateInflateLimitRequestBody 12x\n"),
              "DeflateInflateLimitRequestBody requires a non-negative integer.");
    EXPECT_EQ(error_of("DeflateInflateLimitRequestBody -1\n"),
              "DeflateInflateLimitRequestBody requires a non-negative integer.");
    EXPECT_EQ(error_of("DeflateInflateLimitRequestBody 99999999999999999999\n"),
              "DeflateInflateLimitRequestBody is not parsable.");
    EXPECT_EQ(error_of("DeflateInflateRatioLimit 0\n"), "DeflateInflateRatioLimit must be positive");
    EXPECT_EQ(error_of("DeflateInflateRatioBurst -2\n"), "DeflateInflateRatioBurst must be positive");
    EXPECT_EQ(error_of("DeflateWindowSize 9x\nDeflateCompressionLevel 9\nDeflateAlterEtag remove\n"), "accepted")
        << "atoi reads the leading number; the ETag word is case-blind";
    EXPECT_EQ(error_of("<Directory />\nDeflateCompressionLevel 5\n</Directory>\n"),
              "DeflateCompressionLevel not allowed in <Directory> context");
    EXPECT_EQ(error_of("<Directory />\nDeflateInflateRatioLimit 5\n</Directory>\n"), "accepted");
}

TEST(ModBrotliDirectives, BadArgumentsAreRefusedAsHttpdRefusesThem) {
    EXPECT_EQ(error_of("BrotliCompressionQuality 12\n"), "BrotliCompressionQuality must be between 0 and 11");
    EXPECT_EQ(error_of("BrotliCompressionWindow 9\n"), "BrotliCompressionWindow must be between 10 and 24");
    EXPECT_EQ(error_of("BrotliCompressionMaxInputBlock 25\n"),
              "BrotliCompressionMaxInputBlock must be between 16 and 24");
    EXPECT_EQ(error_of("BrotliAlterETag x\n"), "BrotliAlterETag accepts only 'AddSuffix', 'NoChange' and 'Remove'");
    EXPECT_EQ(error_of("BrotliFilterNote Size n\n"), "Unknown BrotliFilterNote type 'Size'");
    EXPECT_EQ(error_of("BrotliCompressionQuality 0\nBrotliFilterNote ratio r\n"), "accepted");
}

TEST(ModDeflateDirectives, AVirtualHostUsingNoneInheritsAllOneUsingAnyStartsFromDefaults) {
    ConfigRoot root;
    auto g = root.load(kLoad + "DeflateCompressionLevel 1\nDeflateBufferSize 100\n"
                               "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n"
                               "<VirtualHost *:80>\nServerName b\nDeflateMemLevel 8\n</VirtualHost>\n");
    const auto* a = g->vhosts.at(0)->module_config.get<DeflateServerConfig>(deflate_module.index);
    const auto* b = g->vhosts.at(1)->module_config.get<DeflateServerConfig>(deflate_module.index);
    EXPECT_EQ(a->gzip.level, 1);
    EXPECT_EQ(a->buffer_size, 100u);
    EXPECT_EQ(b->gzip.level, Z_DEFAULT_COMPRESSION) << "Apache: same bytes as the default level";
    EXPECT_EQ(b->gzip.mem_level, 8);
    EXPECT_EQ(b->buffer_size, 8096u);
}

TEST(ModBrotliDirectives, AVirtualHostUsingAnyDirectiveStartsFromDefaults) {
    ConfigRoot root;
    auto g = root.load(kLoad + "BrotliCompressionQuality 0\n"
                               "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n"
                               "<VirtualHost *:80>\nServerName b\nBrotliAlterETag Remove\n</VirtualHost>\n");
    const auto* a = g->vhosts.at(0)->module_config.get<BrotliServerConfig>(brotli_module.index);
    const auto* b = g->vhosts.at(1)->module_config.get<BrotliServerConfig>(brotli_module.index);
    EXPECT_EQ(a->settings.quality, 0);
    EXPECT_EQ(b->settings.quality, 5) << "Apache 2.4.71: the default quality's bytes";
    EXPECT_EQ(b->etag, compress::EtagMode::Remove);
}

// ---- the filters' first call ----

class FakeServices final : public Services {
public:
    FileProbe probe(std::string_view) override { return {}; }
    OpenFile open_file(std::string_view) override { return {}; }
    bool internal_redirect(request::Request&, std::string_view) override { return false; }
    bool internal_fast_redirect(request::Request&, std::string_view) override { return false; }
    std::string_view server_banner() const override { return "Sonora"; }
    Lookup lookup_uri(const request::Request&, std::string_view) override { return {}; }
    void inspect_lookup(const request::Request&, LookupBy, std::string_view,
                        const std::function<void(const request::Request&)>&) override {}
    std::unique_ptr<Subrequest> run_subrequest(request::Request&, std::string_view) override { return nullptr; }
    const OutputFilterSpec* find_output_filter(std::string_view) const override { return nullptr; }
    void note_auth_failure(request::Request&) override {}
};

// The handler's bytes, in pieces, with a wait between them when asked.
class FakeBody final : public BodySource {
public:
    FakeBody(std::string text, std::size_t piece, bool waits = false) : text_(std::move(text)), piece_(piece), waits_(waits) {}
    Exchange::Output pull(request::Request&, std::int64_t) override {
        Exchange::Output out;
        if (waits_ && (waited_ = !waited_)) {
            return out;
        }
        if (pos_ >= text_.size()) {
            out.end = true;
            return out;
        }
        out.bytes = std::string_view(text_).substr(pos_, piece_);
        pos_ += out.bytes.size();
        return out;
    }

private:
    std::string text_;
    std::size_t piece_, pos_ = 0;
    bool waits_, waited_ = false;
};

const OutputFilterSpec* spec_named(std::string_view name) {
    static HookRegistry hooks = [] {
        HookRegistry h;
        deflate_module.register_hooks(h);
        brotli_module.register_hooks(h);
        return h;
    }();
    for (const auto* s : hooks.output_filters()) {
        if (s->name == name) {
            return s;
        }
    }
    return nullptr;
}

struct Fixture {
    ConfigRoot root;
    std::unique_ptr<config::Generation> g;
    std::pmr::monotonic_buffer_resource arena;
    request::Request r{&arena};
    std::vector<request::Header> headers;
    FakeServices services;
    std::string text;

    explicit Fixture(const std::string& conf = "", std::size_t size = 20000) {
        g = root.load(kLoad + conf);
        r.server = &g->main;
        r.content_type = "text/html";
        r.add_header("ETag", "\"4e20-5\"");
        r.add_header("Content-Length", "20000");
        text = std::string(size, 'a');
        r.body.kind = request::Body::Kind::Memory;
        r.body.memory = text;
        r.body.length = text.size();
        accept("gzip, deflate, br");
    }
    void accept(std::string_view ae) {
        headers = {{"Accept-Encoding", ae}};
        r.headers = headers;
    }
    std::string out(std::string_view name) const { return std::string(request::find_header(r.headers_out, name).value_or("(none)")); }
    std::unique_ptr<OutputFilter> make(std::string_view filter) { return spec_named(filter)->make(r, services); }
};

TEST(DeflateFilter, CompressesAndEditsTheHeadAsHttpd) {
    Fixture f;
    auto filter = f.make("DEFLATE");
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(f.out("Content-Encoding"), "gzip");
    EXPECT_EQ(f.out("Vary"), "Accept-Encoding");
    EXPECT_EQ(f.out("ETag"), "\"4e20-5-gzip\"");
    EXPECT_EQ(f.out("Content-Length"), "(none)");
    EXPECT_FALSE(f.r.body.length_declared);
}

TEST(DeflateFilter, StepsAsideBeforeVaryForTinyBodiesNoGzipAndEncodedOnes) {
    {
        Fixture f("", 68);
        EXPECT_EQ(f.make("DEFLATE"), nullptr);
        EXPECT_EQ(f.out("Vary"), "(none)") << "Apache: 68 bytes untouched, 69 compressed";
        Fixture g("", 69);
        EXPECT_NE(g.make("DEFLATE"), nullptr);
    }
    {
        Fixture f;
        f.r.env_set("no-gzip", "1");
        EXPECT_EQ(f.make("DEFLATE"), nullptr);
        EXPECT_EQ(f.out("Vary"), "(none)");
    }
    {
        Fixture f;
        f.r.content_encoding = "x-compress";
        EXPECT_EQ(f.make("DEFLATE"), nullptr);
        EXPECT_EQ(f.out("Vary"), "(none)");
    }
    {
        Fixture f;
        f.r.status = 204;
        EXPECT_EQ(f.make("DEFLATE"), nullptr);
    }
    {
        Fixture f;
        f.r.content_type = "text/plain";
        f.r.env_set("gzip-only-text/html", "1");
        EXPECT_EQ(f.make("DEFLATE"), nullptr);
    }
}

TEST(DeflateFilter, VaryAloneForAClientWithoutGzipOrWithQZero) {
    for (std::string_view ae : {"deflate", "gzip;q=0", "gzip; q=0.0", "x-gzip", "*"}) {
        Fixture f;
        f.accept(ae);
        EXPECT_EQ(f.make("DEFLATE"), nullptr) << ae;
        EXPECT_EQ(f.out("Vary"), "Accept-Encoding") << ae;
        EXPECT_EQ(f.out("Content-Encoding"), "(none)") << ae;
        EXPECT_EQ(f.out("ETag"), "\"4e20-5\"") << ae;
    }
    for (std::string_view ae : {"GZIP", "deflate, gzip;q=0.001", "gzip;Q=0", "identity, gzip"}) {
        Fixture f;
        f.accept(ae);
        EXPECT_NE(f.make("DEFLATE"), nullptr) << ae;
    }
    Fixture forced;
    forced.accept("identity");
    forced.r.env_set("force-gzip", "1");
    EXPECT_NE(forced.make("DEFLATE"), nullptr);
}

TEST(DeflateFilter, VaryIsMergedAndEtagOptionsApply) {
    Fixture f("DeflateAlterETag Remove\n");
    f.r.add_header("Vary", "Cookie");
    ASSERT_NE(f.make("DEFLATE"), nullptr);
    EXPECT_EQ(f.out("Vary"), "Cookie, Accept-Encoding");
    EXPECT_EQ(f.out("ETag"), "(none)");
    Fixture n("DeflateAlterETag NoChange\n");
    ASSERT_NE(n.make("DEFLATE"), nullptr);
    EXPECT_EQ(n.out("ETag"), "\"4e20-5\"");
}

std::string drain(OutputFilter& filter, BodySource& body, request::Request& r, int* flushes = nullptr) {
    std::string all;
    for (int i = 0; i < 100000; ++i) {
        FakeServices services;
        auto o = filter.pull(body, r, services, 0);
        all.append(o.bytes);
        if (flushes != nullptr && o.flush) {
            ++*flushes;
        }
        if (o.end) {
            return all;
        }
    }
    ADD_FAILURE() << "no end";
    return all;
}

using test::gunzip;

TEST(DeflateFilter, SmallOutputComesWholeAtTheEndWithNotes) {
    Fixture f("DeflateFilterNote ratio\nDeflateFilterNote Input in\nDeflateFilterNote Output out\n");
    auto filter = f.make("DEFLATE");
    FakeBody body(f.text, 3000, true);
    int flushes = 0;
    const std::string gz = drain(*filter, body, f.r, &flushes);
    EXPECT_EQ(flushes, 0) << "waits of the body are not flushed (httpd reads the body through)";
    EXPECT_EQ(gunzip(gz), f.text);
    EXPECT_EQ(std::string(*request::find_header(f.r.notes, "in")), "20000");
    EXPECT_EQ(std::string(*request::find_header(f.r.notes, "out")), std::to_string(gz.size() - 18));
    EXPECT_EQ(std::string(*request::find_header(f.r.notes, "ratio")), std::to_string((gz.size() - 18) * 100 / 20000));
}

TEST(DeflateFilter, ABufferFilledBeforeTheEndIsPassedOnWithFlush) {
    Fixture f("DeflateBufferSize 1000\n");
    std::string noise(50000, '\0');
    std::uint32_t x = 1;
    for (char& c : noise) {
        x = x * 1103515245 + 12345;
        c = static_cast<char>(x >> 24);
    }
    f.text = noise;
    f.r.body.memory = f.text;
    auto filter = f.make("DEFLATE");
    FakeBody body(f.text, 4096);
    int flushes = 0;
    EXPECT_EQ(gunzip(drain(*filter, body, f.r, &flushes)), noise);
    EXPECT_GE(flushes, 1) << "zlib emits a block every 32K symbols at DeflateMemLevel 9";
}

// The body as the default handler leaves it: the whole file, by descriptor.
void serve_file(Fixture& f, const std::string& path, int fd) {
    f.r.body.kind = request::Body::Kind::File;
    f.r.body.fd = fd;
    f.r.body.length = f.text.size();
    f.r.has_finfo = ::stat(path.c_str(), &f.r.finfo) == 0;
}

TEST(DeflateFilter, AWholeFileIsServedFromTheCacheTheSecondTime) {
    compress::CompressedCache::local().clear();
    ConfigRoot files;
    const std::string path = files.write("page.html", std::string(20000, 'a'));
    const int fd = ::open(path.c_str(), O_RDONLY);
    std::string first, second;
    for (std::string* out : {&first, &second}) {
        Fixture f("DeflateFilterNote ratio\n");
        serve_file(f, path, fd);
        auto filter = f.make("DEFLATE");
        ASSERT_NE(filter, nullptr);
        FakeBody body(out == &second ? std::string("never read") : f.text, 5000);
        *out = drain(*filter, body, f.r);
        EXPECT_EQ(f.out("Content-Encoding"), "gzip");
        EXPECT_TRUE(request::find_header(f.r.notes, "ratio").has_value());
    }
    ::close(fd);
    EXPECT_EQ(first, second);
    EXPECT_EQ(gunzip(second), std::string(20000, 'a'));
    EXPECT_GT(compress::CompressedCache::local().bytes(), 0u);
}

TEST(DeflateFilter, BytesFromAReplacedFileAreNotKeptUnderTheNewOnesName) {
    compress::CompressedCache::local().clear();
    ConfigRoot files;
    const std::string old_path = files.write("old.html", std::string(20000, 'o'));
    const std::string path = files.write("page.html", std::string(20000, 'n'));
    const int stale_fd = ::open(old_path.c_str(), O_RDONLY);  // what a file cache may still hold
    Fixture f;
    serve_file(f, path, stale_fd);
    auto filter = f.make("DEFLATE");
    FakeBody body(std::string(20000, 'o'), 5000);
    drain(*filter, body, f.r);
    ::close(stale_fd);
    EXPECT_EQ(compress::CompressedCache::local().bytes(), 0u);
}

TEST(BrotliFilter, CompressesEvenAnEmptyBodyAndSuffixesTheEtag) {
    Fixture f("", 0);
    auto filter = f.make("BROTLI_COMPRESS");
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(f.out("Content-Encoding"), "br");
    EXPECT_EQ(f.out("ETag"), "\"4e20-5-br\"");
    FakeBody body("", 1);
    EXPECT_EQ(drain(*filter, body, f.r).size(), 1u);
    Fixture no("");
    no.accept("gzip");
    EXPECT_EQ(no.make("BROTLI_COMPRESS"), nullptr);
    EXPECT_EQ(no.out("Vary"), "Accept-Encoding");
    Fixture off("");
    off.r.env_set("no-brotli", "1");
    EXPECT_EQ(off.make("BROTLI_COMPRESS"), nullptr);
}

TEST(InflateFilter, TakesGzipOffAndDecodes) {
    Fixture f;
    std::string plain(30000, 'z');
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
    std::string gz(65536, '\0');
    z.next_in = reinterpret_cast<Bytef*>(plain.data());
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(gz.data());
    z.avail_out = static_cast<uInt>(gz.size());
    deflate(&z, Z_FINISH);
    gz.resize(z.total_out);
    deflateEnd(&z);
    f.text = gz;
    f.r.body.memory = f.text;
    f.r.content_encoding = "identity, gzip";
    auto filter = f.make("INFLATE");
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(std::string(f.r.content_encoding), "identity");
    EXPECT_EQ(f.out("ETag"), "\"4e20-5-gunzip\"");
    FakeBody body(gz, 100);
    EXPECT_EQ(drain(*filter, body, f.r), plain);
    Fixture plain_body;
    EXPECT_EQ(plain_body.make("INFLATE"), nullptr);
}

}  // namespace
}  // namespace sonora::modules::filters
