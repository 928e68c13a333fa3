// Building a Request from a parsed head (request/read_request.h), in memory:
// the request line's fields, Host, the virtual host, the head's own errors,
// the target's decoding, TRACE, and LimitRequestBody once mapped.

#include "../http/parse_helpers.h"
#include "../support/config_fixture.h"
#include "request/driver.h"
#include "request/file_cache.h"
#include "request/read_request.h"
#include "request/walk.h"

#include <gtest/gtest.h>

#include <array>
#include <memory_resource>

namespace sonora::request {
namespace {

using test::ConfigRoot;

// httpd's has_invalid_response_header: a value with a control byte (HTAB
// aside) or DEL anywhere, at every offset of the word-at-a-time scan, and a
// name that is no token; obs-text is fine.
TEST(ResponseHeaders, ControlBytesAnywhereMakeTheHeadInvalid) {
    std::pmr::monotonic_buffer_resource arena;
    const std::string base = "a value of twenty-one";
    for (std::size_t at = 0; at < base.size(); ++at) {
        for (char bad : {'\x01', '\n', '\r', '\x1f', '\x7f', '\0'}) {
            std::string value = base;
            value[at] = bad;
            Request r(&arena);
            r.headers_out.push_back({"X-Ok", "plain"});
            r.headers_out.push_back({"X-Bad", r.keep(value)});
            EXPECT_TRUE(has_invalid_response_header(r)) << at << " " << static_cast<int>(bad);
        }
        std::string fine = base;
        fine[at] = at % 2 == 0 ? '\t' : '\xe9';
        Request r(&arena);
        r.headers_out.push_back({"X-Fine", r.keep(fine)});
        EXPECT_FALSE(has_invalid_response_header(r)) << at;
    }
    Request r(&arena);
    r.headers_out.push_back({"Bad Name", "v"});
    EXPECT_TRUE(has_invalid_response_header(r));
}

TEST(SplitHost, NamePortAndBracketedAddresses) {
    EXPECT_EQ(split_host("example.com").name, "example.com");
    EXPECT_EQ(split_host("example.com").port, 0);
    HostParts p = split_host(" example.com:8080 ");
    EXPECT_EQ(p.name, "example.com");
    EXPECT_EQ(p.port, 8080);
    p = split_host("[::1]:8443");
    EXPECT_EQ(p.name, "[::1]");
    EXPECT_EQ(p.port, 8443);
    p = split_host("[::1]");
    EXPECT_EQ(p.name, "[::1]");
    EXPECT_EQ(p.port, 0);
    EXPECT_EQ(split_host("host:").port, 0);
    EXPECT_EQ(split_host("host:x1").port, 0);
    EXPECT_EQ(split_host("host:x1").name, "host");
    EXPECT_TRUE(split_host("").name.empty());
}

class ReadRequest : public ::testing::Test {
protected:
    void load(const std::string& conf) {
        ctx.reset();
        pipeline.reset();
        walker.reset();
        gen = root.load("Listen 127.0.0.1:8080\nServerName main.example\nDocumentRoot htdocs\n" + conf);
        walker = std::make_unique<Walker>(*gen);
        pipeline = std::make_unique<Pipeline>(*gen);
        ctx = std::make_unique<Context>(Context{*gen, *walker, files, 0, "Sonora", pipeline.get()});
    }
    // Parses `bytes` and reads the head into a fresh request.
    HeadVerdict read(std::string_view bytes) {
        http::test::parse_all(bytes, parsed);
        EXPECT_EQ(parsed.result.status, http::ParseStatus::kComplete) << bytes;
        req = std::make_unique<Request>(&arena);
        req->local_port = 8080;
        req->client_ip = "127.0.0.1";
        req->client_port = 4711;
        return read_request_head(*req, parsed.head, storage, *walker, "127.0.0.1");
    }
    std::string server_name() const {
        const auto& name = modules::core::server_config(*req->server).server_name;
        return name ? *name : std::string();
    }

    ConfigRoot root;
    std::unique_ptr<config::Generation> gen;
    std::unique_ptr<Walker> walker;
    std::unique_ptr<Pipeline> pipeline;
    std::unique_ptr<Context> ctx;
    FileCache files{0};
    std::pmr::monotonic_buffer_resource arena;
    http::test::Parsed parsed;
    std::array<Header, 8> storage{};
    std::unique_ptr<Request> req;
    std::shared_ptr<const FileEntry> file;
};

const char* kTwoVhosts =
    "<VirtualHost *:8080>\nServerName a.example\nServerAlias *.a.example\n</VirtualHost>\n"
    "<VirtualHost *:8080>\nServerName b.example\n</VirtualHost>\n";

TEST_F(ReadRequest, FillsTheRequestLineHeadersAndHost) {
    load("");
    HeadVerdict v = read("POST /x?y HTTP/1.0\r\nHost: Main.Example:81\r\nX-One: 1\r\n\r\n");
    EXPECT_EQ(v.status, 0);
    EXPECT_FALSE(v.expects_continue);
    EXPECT_EQ(req->method_name, "POST");
    EXPECT_EQ(req->method, Method::Post);
    EXPECT_EQ(req->version, 10);
    EXPECT_EQ(req->target, "/x?y");
    EXPECT_EQ(req->host_port, 81);
    ASSERT_EQ(req->headers.size(), 2u);
    EXPECT_EQ(req->header("x-one").value_or(""), "1");
    EXPECT_EQ(req->server, &gen->main);
}

TEST_F(ReadRequest, KeepsNoMoreHeadersThanItsStorage) {
    load("");
    std::string bytes = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 12; ++i) {
        bytes += "X-" + std::to_string(i) + ": v\r\n";
    }
    EXPECT_EQ(read(bytes + "\r\n").status, 0);
    EXPECT_EQ(req->headers.size(), storage.size());
}

TEST_F(ReadRequest, PicksTheNameBasedVirtualHost) {
    load(kTwoVhosts);
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: b.example\r\n\r\n").status, 0);
    EXPECT_EQ(server_name(), "b.example");
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: www.a.example:8080\r\n\r\n").status, 0);
    EXPECT_EQ(server_name(), "a.example");
    // No name matches: the address's first virtual host.
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: other.example\r\n\r\n").status, 0);
    EXPECT_EQ(server_name(), "a.example");
    // An HTTP/1.0 request without Host, too.
    EXPECT_EQ(read("GET / HTTP/1.0\r\n\r\n").status, 0);
    EXPECT_EQ(server_name(), "a.example");
}

TEST_F(ReadRequest, StrictHostCheckRefusesAnUnknownName) {
    load(std::string("StrictHostCheck On\n") + kTwoVhosts);
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: b.example\r\n\r\n").status, 0);
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: other.example\r\n\r\n").status, 400);
}

TEST_F(ReadRequest, TheHeadsOwnErrors) {
    load("");
    EXPECT_EQ(read("GET / HTTP/1.1\r\n\r\n").status, 400);  // HTTP/1.1 without Host
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: a b\r\n\r\n").status, 400);
    EXPECT_EQ(read("GET / HTTP/1.1\r\nHost: h\r\nExpect: tea\r\n\r\n").status, 417);
    HeadVerdict v = read("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
    EXPECT_EQ(v.status, 0);
    EXPECT_TRUE(v.expects_continue);
}

TEST_F(ReadRequest, ProtocolOptionsComeFromTheDirective) {
    load("");
    http::ProtocolOptions o = protocol_options(gen->main);
    EXPECT_FALSE(o.unsafe);
    EXPECT_FALSE(o.registered_methods);
    EXPECT_TRUE(o.allow_http09);
    load("HttpProtocolOptions Require1.0\n");
    EXPECT_FALSE(protocol_options(gen->main).allow_http09);
    load("HttpProtocolOptions Unsafe RegisteredMethods\nRegisterHttpMethod BREW\n"
         "<Directory />\n<Limit SEARCH>\n</Limit>\n</Directory>\n");
    o = protocol_options(gen->main);
    EXPECT_TRUE(o.unsafe);
    EXPECT_TRUE(o.registered_methods);
    EXPECT_TRUE(o.allow_http09);
    ASSERT_EQ(o.extra_methods.size(), 2u);
    EXPECT_EQ(o.extra_methods[0], "BREW");
    EXPECT_EQ(o.extra_methods[1], "SEARCH");
    // Each word keeps its own default: a virtual host's Unsafe leaves the main server's Require1.0.
    load("HttpProtocolOptions Require1.0\n<VirtualHost *:80>\nHttpProtocolOptions Unsafe\n</VirtualHost>\n");
    ASSERT_EQ(gen->vhosts.size(), 1u);
    o = protocol_options(*gen->vhosts[0]);
    EXPECT_TRUE(o.unsafe);
    EXPECT_FALSE(o.allow_http09);
}

TEST_F(ReadRequest, DecodesTheTarget) {
    load("");
    read("GET //a%20b/./c?q=1%202 HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(decode_target(*req, parsed.head.line.form), 0);
    EXPECT_EQ(req->uri, "/a b/c");
    EXPECT_EQ(req->query, "q=1%202");

    read("GET http://abs.example:81/p HTTP/1.0\r\n\r\n");
    EXPECT_EQ(decode_target(*req, parsed.head.line.form), 0);
    EXPECT_EQ(req->uri, "/p");
    EXPECT_EQ(req->host, "abs.example");

    read("GET /../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(decode_target(*req, parsed.head.line.form), 400);
    read("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(decode_target(*req, parsed.head.line.form), 404);
    EXPECT_EQ(req->uri, "/a%00b");  // kept as sent, for the log
}

TEST_F(ReadRequest, MergeSlashesOffKeepsInnerSlashes) {
    load("MergeSlashes Off\n");
    read("GET //a//b HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(decode_target(*req, parsed.head.line.form), 0);
    EXPECT_EQ(req->uri, "/a//b");
}

// As httpd: the request line, each field rebuilt as "Name: value", the empty line.
TEST_F(ReadRequest, TraceEchoesTheHeadUnlessDisabled) {
    load("");
    int status = read("TRACE / HTTP/1.1\r\nHost:h\r\nX-A:  b \r\n\r\n").status;
    req->the_request = "TRACE / HTTP/1.1";
    run_request(*req, *ctx, status, parsed.head.line.form, file);
    EXPECT_EQ(req->content_type, "message/http");
    ASSERT_EQ(req->body.kind, Body::Kind::Memory);
    EXPECT_EQ(req->body.memory, "TRACE / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n\r\n");
    EXPECT_EQ(req->server_name, "main.example");

    load("TraceEnable Off\n");
    status = read("TRACE / HTTP/1.1\r\nHost: h\r\n\r\n").status;
    run_request(*req, *ctx, status, parsed.head.line.form, file);
    EXPECT_EQ(req->status, 405);
}

TEST_F(ReadRequest, AnErrorTheHeadEarnedIsAnsweredWithoutThePhases) {
    load("");
    int status = read("GET /missing HTTP/1.1\r\nHost: h\r\nExpect: tea\r\n\r\n").status;
    run_request(*req, *ctx, status, parsed.head.line.form, file);
    EXPECT_EQ(req->status, 417);
    EXPECT_TRUE(req->filename.empty());  // never mapped
    ASSERT_EQ(req->body.kind, Body::Kind::Memory);
    EXPECT_NE(req->body.memory.find("tea"), std::string_view::npos);
}

TEST_F(ReadRequest, RunsThePhasesForAFile) {
    root.write("htdocs/hello.txt", "hello\n");
    load("");
    int status = read("GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n").status;
    run_request(*req, *ctx, status, parsed.head.line.form, file);
    EXPECT_EQ(req->status, 200);
    EXPECT_EQ(std::string_view(req->filename), root.path() + "/htdocs/hello.txt");
    EXPECT_EQ(req->body.kind, Body::Kind::File);
}

TEST_F(ReadRequest, LimitRequestBodyIsPerDirectory) {
    root.write("htdocs/small/f.txt", "f\n");
    root.write("htdocs/f.txt", "f\n");
    load("<Directory \"" + root.path() + "/htdocs/small\">\nLimitRequestBody 10\n</Directory>\n");
    read("POST /small/f.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n");
    run_request(*req, *ctx, 0, parsed.head.line.form, file);
    req->keep_alive = true;
    EXPECT_FALSE(refuse_large_body(*req, *ctx, 10, file));
    EXPECT_TRUE(refuse_large_body(*req, *ctx, 11, file));
    EXPECT_EQ(req->status, 413);
    EXPECT_FALSE(req->keep_alive);
    EXPECT_EQ(file, nullptr);

    read("POST /f.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n");
    run_request(*req, *ctx, 0, parsed.head.line.form, file);
    EXPECT_FALSE(refuse_large_body(*req, *ctx, 11, file));
}

}  // namespace
}  // namespace sonora::request
