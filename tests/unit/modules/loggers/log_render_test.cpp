// Rendering access-log lines from a record: escaping, "-" for absent values,
// status conditions, times and sizes. The whole-line comparison with the
// real Apache lives in tests/integration/access_log_test.cpp.

#include "modules/loggers/log_render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory_resource>

namespace sonora::modules::loggers {
namespace {

class LogRenderTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        rec.r = &r;
        rec.request_line = "GET /a.txt?x=1 HTTP/1.1";
        rec.original_uri = "/a.txt";
        rec.final_uri = "/a.txt";
        rec.original_status = 200;
        rec.final_status = 200;
        rec.method = "GET";
        rec.protocol = "HTTP/1.1";
        rec.query = "x=1";
        rec.has_query = true;
        rec.client_ip = "10.0.0.1";
        rec.peer_ip = "10.0.0.1";
        rec.remote_host = "10.0.0.1";
        rec.remote_port = 40000;
        rec.local_ip = "127.0.0.1";
        rec.local_port = 8080;
        rec.canonical_port = 80;
        rec.server_name = "example.org";
        rec.virtual_host = "www.example.org";
        rec.bytes_sent = 13;
        rec.bytes_in = 40;
        rec.bytes_out = 250;
        rec.start_us = 1'795'000'000'123'456;  // 2026-11-18T11:06:40.123456Z
        rec.end_us = rec.start_us + 2'500'000;
        r.headers = std::span<const request::Header>(headers);
    }

    std::string render(std::string_view format) {
        LogFormat f;
        EXPECT_EQ(compile_log_format(format, f), std::nullopt) << format;
        std::string out;
        render_log_line(f, rec, out);
        return out;
    }

    std::pmr::monotonic_buffer_resource arena;
    request::Request r{&arena};
    request::Header headers[3] = {{"User-Agent", "a \"q\" \\b\x01\t\n\x7f\xc3\xa9"},
                                  {"Cookie", "a=1; Foo = bar baz ; c=\"q\""},
                                  {"Referer", "http://x/"}};
    LogRecord rec;
};

TEST_F(LogRenderTest, CommonLogFormat) {
    EXPECT_EQ(render("%h %l %u %t \"%r\" %>s %b"),
              "10.0.0.1 - - [18/Nov/2026:11:06:40 +0000] \"GET /a.txt?x=1 HTTP/1.1\" 200 13\n");
}

TEST_F(LogRenderTest, EscapesAsApacheDoes) {
    // Quote and backslash escaped, \b-style controls named, others \xhh, UTF-8 bytes \xhh.
    EXPECT_EQ(render("%{User-Agent}i"), "a \\\"q\\\" \\\\b\\x01\\t\\n\\x7f\\xc3\\xa9\n");
}

TEST_F(LogRenderTest, AbsentValuesAreDashes) {
    EXPECT_EQ(render("%{X-None}i %{X-None}o %{v}e %{n}n %u %l %L %{nope}C %^ti %^FB"), "- - - - - - - - - -\n");
    rec.bytes_sent = 0;
    EXPECT_EQ(render("%b %B"), "- 0\n");
    rec.has_query = false;
    rec.query = {};
    EXPECT_EQ(render("[%q]"), "[]\n");
}

TEST_F(LogRenderTest, CookiesByName) { EXPECT_EQ(render("%{Foo}C|%{a}C|%{c}C"), "bar baz|1|\\\"q\\\"\n"); }

TEST_F(LogRenderTest, StatusConditionsUseTheFinalStatus) {
    EXPECT_EQ(render("%200,304{Referer}i %!200{Referer}i %404{Referer}i"), "http://x/ - -\n");
    rec.final_status = 404;
    EXPECT_EQ(render("%200,304{Referer}i %!200{Referer}i %404{Referer}i"), "- http://x/ http://x/\n");
}

TEST_F(LogRenderTest, OriginalAndFinalRequest) {
    rec.original_uri = "/missing";
    rec.final_uri = "/error.html";
    rec.original_status = 404;
    rec.final_status = 200;
    EXPECT_EQ(render("%U %<U %>U %s %<s %>s"), "/missing /missing /error.html 404 404 200\n");
}

TEST_F(LogRenderTest, TimesAndDurations) {
    EXPECT_EQ(render("%{sec}t %{msec}t %{usec}t %{msec_frac}t %{usec_frac}t"),
              "1795000000 1795000000123 1795000000123456 123 123456\n");
    EXPECT_EQ(render("%{%Y-%m-%d %H:%M:%S}t %{end:%S}t %{end:sec}t"), "2026-11-18 11:06:40 42 1795000002\n");
    EXPECT_EQ(render("%T %{s}T %{ms}T %{us}T %D"), "2 2 2500 2500000 2500000\n");
}

TEST_F(LogRenderTest, ConnectionAndSizes) {
    rec.keepalives = 3;
    rec.conn_status = '+';
    EXPECT_EQ(render("%a %{c}a %A %p %{local}p %{remote}p %k %X %I %O %S %v %V"),
              "10.0.0.1 10.0.0.1 127.0.0.1 80 8080 40000 3 + 40 250 290 www.example.org example.org\n");
}

TEST_F(LogRenderTest, ResponseHeadersAsHttpdKeepsThem) {
    r.content_type = "text/html; charset=utf-8";
    r.content_length = 13;
    r.add_header("ETag", "\"abc\"");
    EXPECT_EQ(render("%{Content-Type}o %{Content-Length}o %{ETag}o"), "text/html 13 \\\"abc\\\"\n");
}

TEST_F(LogRenderTest, AWarmBufferIsReused) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", f), std::nullopt);
    std::string out;
    render_log_line(f, rec, out);
    const std::string first = out;
    const char* data = out.data();
    const std::size_t capacity = out.capacity();
    out.clear();
    render_log_line(f, rec, out);
    EXPECT_EQ(out, first);
    EXPECT_EQ(out.data(), data);
    EXPECT_EQ(out.capacity(), capacity);
}

}  // namespace
}  // namespace sonora::modules::loggers
