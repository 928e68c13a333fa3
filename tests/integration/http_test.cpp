// HTTP/1.1 behaviour of the real server on loopback: bytes on the wire.

#include "support/server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

namespace sonora::test {
namespace {

class Http : public ::testing::Test {
protected:
    void start(const std::string& extra = "") {
        server = std::make_unique<ServerProcess>(extra);
        server->write_doc("hello.txt", "hello world\n");
        server->write_doc("page.html", "<p>page</p>\n");
        server->write_doc("dir/index.html", "<p>index</p>\n");
        server->mkdir_doc("noindex");
        std::string big(100000, 'x');
        for (std::size_t i = 0; i < big.size(); ++i) {
            big[i] = static_cast<char>('a' + i % 26);
        }
        server->write_doc("big.bin", big);
        ASSERT_TRUE(server->start()) << server->startup_error;
    }
    Response get(const std::string& raw) {
        auto all = parse_responses(http_exchange(server->port(), raw));
        return all.empty() ? Response{} : all.front();
    }
    std::string request(const std::string& path, const std::string& headers = "", const std::string& method = "GET") {
        return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n";
    }

    std::unique_ptr<ServerProcess> server;
};

TEST_F(Http, ServesAFileWithApacheHeaders) {
    start();
    std::string bytes = http_exchange(server->port(), request("/hello.txt"));
    auto rs = parse_responses(bytes);
    ASSERT_EQ(rs.size(), 1u) << bytes;
    const Response& r = rs[0];
    EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
    EXPECT_EQ(r.body, "hello world\n");
    EXPECT_EQ(r.header("Content-Length"), "12");
    EXPECT_EQ(r.header("Content-Type"), "text/plain");
    EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_TRUE(std::regex_match(r.header("ETag"), std::regex("(W/)?\"c-[0-9a-f]+\""))) << r.header("ETag");
    EXPECT_TRUE(std::regex_match(r.header("Last-Modified"),
                                 std::regex("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT")));
    EXPECT_TRUE(std::regex_match(r.header("Date"),
                                 std::regex("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT")));
    // Apache's header order: Date, Server, ..., Content-Length, Connection, Content-Type.
    EXPECT_LT(bytes.find("Date:"), bytes.find("Server:"));
    EXPECT_LT(bytes.find("Server:"), bytes.find("Last-Modified:"));
    EXPECT_LT(bytes.find("Content-Length:"), bytes.find("Connection:"));
    EXPECT_LT(bytes.find("Connection:"), bytes.find("Content-Type:"));
}

TEST_F(Http, HeadHasTheHeadersButNoBody) {
    start();
    std::string bytes = http_exchange(server->port(), request("/hello.txt", "", "HEAD"));
    auto rs = parse_responses(bytes, true);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].status, 200);
    EXPECT_EQ(rs[0].header("Content-Length"), "12");
    EXPECT_EQ(bytes.substr(bytes.size() - 4), "\r\n\r\n");
}

TEST_F(Http, NotFoundPageAsApache) {
    start();
    Response r = get(request("/nope.txt"));
    EXPECT_EQ(r.status_line, "HTTP/1.1 404 Not Found");
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=iso-8859-1");
    EXPECT_EQ(r.body,
              "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
              "<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
              "<p>The requested URL was not found on this server.</p>\n</body></html>\n");
    EXPECT_EQ(r.header("Content-Length"), "236");
}

TEST_F(Http, DirectorySlashAndIndex) {
    start();
    Response redirect = get(request("/dir"));
    EXPECT_EQ(redirect.status, 301);
    EXPECT_EQ(redirect.header("Location"), "http://localhost/dir/");
    EXPECT_NE(redirect.body.find("<a href=\"http://localhost/dir/\">here</a>"), std::string::npos);
    Response index = get(request("/dir/"));
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<p>index</p>\n");
    EXPECT_EQ(index.header("Content-Type"), "text/html");
    EXPECT_EQ(get(request("/noindex/")).status, 404);
    Response q = get(request("/dir?a=1"));
    EXPECT_EQ(q.header("Location"), "http://localhost/dir/?a=1");
}

TEST_F(Http, DirectoryIndexListAndFallbackResource) {
    start("DirectoryIndex missing.html page.html\n<Directory " + std::string("htdocs") +
          ">\n</Directory>\nFallbackResource /hello.txt\n");
    Response r = get(request("/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<p>page</p>\n");
    Response fb = get(request("/no/such/thing"));
    EXPECT_EQ(fb.status, 200);
    EXPECT_EQ(fb.body, "hello world\n");
}

TEST_F(Http, KeepAliveAndConnectionClose) {
    start();
    std::string two = "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /page.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    auto rs = parse_responses(http_exchange(server->port(), two));
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Connection"), "");
    EXPECT_EQ(rs[0].body, "hello world\n");
    EXPECT_EQ(rs[1].header("Connection"), "close");
    EXPECT_EQ(rs[1].body, "<p>page</p>\n");

    auto old = parse_responses(http_exchange(server->port(), "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 500));
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].header("Connection"), "Keep-Alive");
    EXPECT_EQ(old[0].header("Keep-Alive"), "timeout=5, max=100");  // Apache 2.4: MaxKeepAliveRequests, then down
    auto plain10 = parse_responses(http_exchange(server->port(), "GET /hello.txt HTTP/1.0\r\n\r\n"));
    ASSERT_EQ(plain10.size(), 1u);
    EXPECT_EQ(plain10[0].header("Connection"), "close");
}

// As Apache 2.4: N keep-alive requests after the first (N + 1 in all), the
// HTTP/1.0 Keep-Alive header counting max=N down to 1.
TEST_F(Http, MaxKeepAliveRequestsClosesAfterTheLast) {
    start("MaxKeepAliveRequests 3\n");
    std::string many;
    for (int i = 0; i < 6; ++i) {
        many += "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n";
    }
    auto rs = parse_responses(http_exchange(server->port(), many));
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_EQ(rs[2].header("Connection"), "");
    EXPECT_EQ(rs[3].header("Connection"), "close");
    std::string old;
    for (int i = 0; i < 5; ++i) {
        old += "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    }
    auto ka = parse_responses(http_exchange(server->port(), old));
    ASSERT_EQ(ka.size(), 4u);
    EXPECT_EQ(ka[0].header("Keep-Alive"), "timeout=5, max=3");
    EXPECT_EQ(ka[2].header("Keep-Alive"), "timeout=5, max=1");
    EXPECT_EQ(ka[3].header("Connection"), "close");
}

TEST_F(Http, HundredPipelinedRequestsAnsweredInOrder) {
    start();
    std::string batch;
    for (int i = 0; i < 100; ++i) {
        batch += "GET /" + std::string(i % 2 == 0 ? "hello.txt" : "page.html") + " HTTP/1.1\r\nHost: a\r\n" +
                 (i == 99 ? "Connection: close\r\n" : "") + "\r\n";
    }
    auto rs = parse_responses(http_exchange(server->port(), batch, 5000));
    ASSERT_EQ(rs.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(rs[static_cast<std::size_t>(i)].status, 200);
        EXPECT_EQ(rs[static_cast<std::size_t>(i)].body, i % 2 == 0 ? "hello world\n" : "<p>page</p>\n") << i;
    }
}

TEST_F(Http, ConditionalRequests) {
    start();
    // A file changed within the last second has a weak ETag (httpd's rule); an
    // old one keeps the same strong ETag however slowly the requests come.
    std::filesystem::last_write_time(server->root().path() / "htdocs/hello.txt",
                                     std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    Response first = get(request("/hello.txt"));
    std::string etag = first.header("ETag");
    std::string lm = first.header("Last-Modified");
    Response nm = get(request("/hello.txt", "If-None-Match: " + etag + "\r\n"));
    EXPECT_EQ(nm.status, 304);
    EXPECT_EQ(nm.header("ETag"), etag);
    EXPECT_EQ(nm.header("Content-Length"), "");
    EXPECT_EQ(nm.body, "");
    EXPECT_EQ(get(request("/hello.txt", "If-Modified-Since: " + lm + "\r\n")).status, 304);
    EXPECT_EQ(get(request("/hello.txt", "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n")).status, 200);
    Response im = get(request("/hello.txt", "If-Match: \"nope\"\r\n"));
    EXPECT_EQ(im.status, 412);
    EXPECT_EQ(im.header("Content-Length"), "0");
    EXPECT_EQ(get(request("/hello.txt", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n")).status, 412);
}

TEST_F(Http, ByteRanges) {
    start();
    Response one = get(request("/big.bin", "Range: bytes=10-19\r\n"));
    EXPECT_EQ(one.status, 206);
    EXPECT_EQ(one.header("Content-Range"), "bytes 10-19/100000");
    EXPECT_EQ(one.body, "klmnopqrst");
    Response suffix = get(request("/big.bin", "Range: bytes=-3\r\n"));
    EXPECT_EQ(suffix.header("Content-Range"), "bytes 99997-99999/100000");
    Response multi = get(request("/hello.txt", "Range: bytes=0-1,6-7\r\n"));
    EXPECT_EQ(multi.status, 206);
    EXPECT_EQ(multi.header("Content-Type").rfind("multipart/byteranges; boundary=", 0), 0u);
    EXPECT_NE(multi.body.find("Content-range: bytes 0-1/12\r\n\r\nhe"), std::string::npos) << multi.body;
    EXPECT_NE(multi.body.find("Content-range: bytes 6-7/12\r\n\r\nwo"), std::string::npos) << multi.body;
    Response bad = get(request("/hello.txt", "Range: bytes=100-\r\n"));
    EXPECT_EQ(bad.status, 416);
    EXPECT_EQ(bad.header("Content-Range"), "");  // httpd sends none on its 416 page
    EXPECT_EQ(get(request("/hello.txt", "Range: pages=1\r\n")).status, 200);
}

TEST_F(Http, ErrorDocuments) {
    start("ErrorDocument 404 /page.html\n<Location /gone>\nErrorDocument 404 \"Nothing here\n</Location>\n"
          "<Location /away>\nErrorDocument 404 http://example.com/missing\n</Location>\n");
    Response local = get(request("/missing"));
    EXPECT_EQ(local.status, 404);
    EXPECT_EQ(local.body, "<p>page</p>\n");
    Response text = get(request("/gone"));
    EXPECT_EQ(text.status, 404);
    EXPECT_EQ(text.body, "Nothing here");
    Response remote = get(request("/away"));
    EXPECT_EQ(remote.status, 302);
    EXPECT_EQ(remote.header("Location"), "http://example.com/missing");
}

TEST_F(Http, MethodsOnAFile) {
    start();
    Response options = get(request("/hello.txt", "", "OPTIONS"));
    EXPECT_EQ(options.status, 200);
    EXPECT_EQ(options.header("Allow"), "POST,OPTIONS,HEAD,GET,TRACE");
    EXPECT_EQ(options.header("Content-Length"), "0");
    Response put = get(request("/hello.txt", "Content-Length: 0\r\n", "PUT"));
    EXPECT_EQ(put.status, 405);
    EXPECT_NE(put.body.find("The requested method PUT is not allowed for this URL."), std::string::npos);
    Response foo = get(request("/hello.txt", "", "FOO"));
    EXPECT_EQ(foo.status, 501);
    Response post = get(request("/hello.txt", "Content-Length: 5\r\n", "POST") + "abcde");
    EXPECT_EQ(post.status, 200);
    EXPECT_EQ(post.body, "hello world\n");
    Response trace = get(request("/hello.txt", "X-Test: 1\r\n", "TRACE"));
    EXPECT_EQ(trace.status, 200);
    EXPECT_EQ(trace.header("Content-Type"), "message/http");
    EXPECT_NE(trace.body.find("TRACE /hello.txt HTTP/1.1\r\n"), std::string::npos);
    EXPECT_NE(trace.body.find("X-Test: 1\r\n"), std::string::npos);
}

TEST_F(Http, TraceEnableOff) {
    start("TraceEnable Off\n");
    EXPECT_EQ(get(request("/hello.txt", "", "TRACE")).status, 405);
}

TEST_F(Http, RequireAllDeniedForbids) {
    start("LoadModule authz_core_module x.so\n<Files \"*.html\">\nRequire all denied\n</Files>\n");
    Response r = get(request("/page.html"));
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("<p>You don't have permission to access this resource.</p>"), std::string::npos);
    EXPECT_EQ(get(request("/hello.txt")).status, 200);
}

TEST_F(Http, MalformedRequests) {
    start();
    struct Case {
        std::string raw;
        int status;
    };
    const Case cases[] = {
        {"GET /hello.txt HTTP/1.1\r\n\r\n", 400},                             // no Host
        {"GET /hello.txt HTTP/1.1\nHost: a\n\n", 400},                        // bare LF
        {"GET /hello.txt HTTP/1.1\r\nHost : a\r\n\r\n", 400},                 // space before colon
        {"GET /hello.txt HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},      // obs-fold
        {"GET /hello.txt HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400},              // control byte
        {"G(T /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", 400},                  // bad method token
        {"GET /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", 400},
        {"GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", 417},
        {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 400},
    };
    for (const Case& c : cases) {
        std::string bytes = http_exchange(server->port(), c.raw);
        auto rs = parse_responses(bytes);
        ASSERT_FALSE(rs.empty()) << c.raw.substr(0, 60);
        EXPECT_EQ(rs[0].status, c.status) << c.raw.substr(0, 60) << "\n" << bytes.substr(0, 200);
        EXPECT_EQ(rs[0].header("Connection"), "close") << c.raw.substr(0, 60);
    }
    // As httpd (AllowEncodedSlashes Off): an encoded NUL or slash is a 404.
    EXPECT_EQ(get(request("/dir/%00")).status, 404);
    EXPECT_EQ(get(request("/dir%2findex.html")).status, 404);
    // The server is still there and well after all of that.
    EXPECT_EQ(get(request("/hello.txt")).status, 200);
}

TEST_F(Http, ValidRequestThenInvalidOneOnTheSameConnection) {
    start();
    auto rs = parse_responses(http_exchange(
        server->port(), "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /hello.txt HTTP/1.1\nHost: a\n\n"));
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].status, 200);
    EXPECT_EQ(rs[0].body, "hello world\n");
    EXPECT_EQ(rs[1].status, 400);
}

TEST_F(Http, BodyTooLargeGets413AndTheWholeResponseDespiteMoreData) {
    start("LimitRequestBody 10\n");
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server->port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string head = "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    // Keep sending body bytes while reading: the response must arrive whole.
    std::string chunk(16384, 'z');
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool peer_closed = false;
    int sent_chunks = 0;
    while (std::chrono::steady_clock::now() < deadline && !peer_closed) {
        if (sent_chunks < 40) {
            ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            ++sent_chunks;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
            char buf[8192];
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                peer_closed = true;
            } else {
                got.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    ::close(fd);
    auto rs = parse_responses(got);
    ASSERT_EQ(rs.size(), 1u) << got;
    EXPECT_EQ(rs[0].status, 413);
    EXPECT_EQ(rs[0].header("Connection"), "close");
    EXPECT_EQ(rs[0].body.size(), std::stoul(rs[0].header("Content-Length")));
    EXPECT_TRUE(server->running());
}

TEST_F(Http, NameBasedVirtualHosts) {
    start("<VirtualHost *>\nServerName one.example\nDocumentRoot htdocs/dir\n</VirtualHost>\n"
          "<VirtualHost *>\nServerName two.example\nServerAlias *.two.example\nDocumentRoot htdocs\n</VirtualHost>\n");
    auto host = [&](const std::string& h, const std::string& path) {
        return get("GET " + path + " HTTP/1.1\r\nHost: " + h + "\r\nConnection: close\r\n\r\n");
    };
    EXPECT_EQ(host("one.example", "/index.html").body, "<p>index</p>\n");
    EXPECT_EQ(host("www.two.example:80", "/hello.txt").body, "hello world\n");
    // An unknown name gets the first virtual host of the address.
    EXPECT_EQ(host("other.example", "/index.html").body, "<p>index</p>\n");
}

TEST_F(Http, ServerStopsOnTermAndRemovesPidFile) {
    start();
    auto pid_file = server->root().path() / "logs/sonora.pid";
    EXPECT_TRUE(std::filesystem::exists(pid_file));
    server->stop();
    EXPECT_FALSE(std::filesystem::exists(pid_file));
    EXPECT_NE(server->error_log().find("caught SIGTERM, shutting down"), std::string::npos) << server->error_log();
}

TEST_F(Http, PortInUseIsAStartupError) {
    start();
    ServerProcess second;
    // Point the second server at the first one's port.
    second.root().write("conf/httpd.conf", "Listen 127.0.0.1:" + std::to_string(server->port()) +
                                               "\nServerName localhost\nDocumentRoot htdocs\nErrorLog logs/error_log\n"
                                               "PidFile logs/sonora.pid\nTypesConfig " SONORA_SOURCE_DIR
                                               "/conf/mime.types\n");
    EXPECT_FALSE(second.start());
    EXPECT_NE(second.startup_error.find("Address already in use"), std::string::npos) << second.startup_error;
}


TEST_F(Http, EnableSendfileOffServesTheSameBytes) {
    start("<Directory htdocs>\nEnableSendfile Off\n</Directory>\n");
    Response r = get(request("/big.bin"));
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), 100000u);
    for (std::size_t i = 0; i < r.body.size(); i += 9973) {
        EXPECT_EQ(r.body[i], static_cast<char>('a' + i % 26)) << i;
    }
    Response part = get(request("/big.bin", "Range: bytes=70000-70009\r\n"));
    EXPECT_EQ(part.body, "ijklmnopqr");  // byte 70000 is (70000 % 26) = 8 letters past a
    EXPECT_EQ(part.body.size(), 10u);
}

TEST_F(Http, FileTruncatedWhileServedDoesNotHurtTheServer) {
    start();
    std::string huge(8 << 20, 'h');
    std::string path = server->write_doc("huge.bin", huge);
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server->port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int small_buffer = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small_buffer, sizeof small_buffer);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string req = "GET /huge.bin HTTP/1.1\r\nHost: a\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[4096];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);  // the transfer has started
    ::truncate(path.c_str(), 100);
    std::size_t total = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) {
            continue;
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    EXPECT_LT(total, huge.size());  // cut short: the promised length cannot be met
    EXPECT_TRUE(server->running());
    EXPECT_EQ(get(request("/hello.txt")).status, 200);
}


TEST_F(Http, ServerSignatureFooterAndSelfReferencingPort) {
    start("ServerSignature On\nServerTokens Prod\n");
    Response r = get("GET /nope HTTP/1.1\r\nHost: x:8080\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("<hr>\n<address>Sonora Server at x Port 8080</address>\n</body></html>\n"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(r.header("Server"), "Sonora");
    Response slash = get("GET /dir HTTP/1.1\r\nHost: x:8080\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(slash.header("Location"), "http://x:8080/dir/");
}

TEST_F(Http, EncodingAndLanguageFromExtensions) {
    start("AddEncoding x-gzip .gz\nAddLanguage de .de\nDefaultLanguage en\n");
    server->write_doc("f.txt.de.gz", "hi\n");
    std::string bytes = http_exchange(server->port(), request("/f.txt.de.gz"));
    auto rs = parse_responses(bytes);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].header("Content-Type"), "application/gzip");
    EXPECT_EQ(rs[0].header("Content-Encoding"), "x-gzip");
    EXPECT_EQ(rs[0].header("Content-Language"), "de");
    EXPECT_LT(bytes.find("Content-Type:"), bytes.find("Content-Encoding:"));
    EXPECT_LT(bytes.find("Content-Encoding:"), bytes.find("Content-Language:"));
    EXPECT_EQ(get(request("/hello.txt")).header("Content-Language"), "en");
}

TEST_F(Http, RequireIpAndNegation) {
    start("LoadModule authz_core_module x.so\nLoadModule authz_host_module x.so\n"
          "<Location /hello.txt>\nRequire ip 10.0.0.0/8\n</Location>\n"
          "<Location /page.html>\n<RequireAll>\nRequire all granted\nRequire not ip 127.0.0.1\n</RequireAll>\n"
          "</Location>\n<Location /dir>\nRequire local\n</Location>\n");
    EXPECT_EQ(get(request("/hello.txt")).status, 403);
    EXPECT_EQ(get(request("/page.html")).status, 403);
    EXPECT_EQ(get(request("/dir/")).status, 200);
}


TEST_F(Http, ExpectContinueWithoutTheBodyGetsAnAnswerAndTheEnd) {
    start();
    // The client waits for 100 Continue and sends no body: it still gets the
    // response, and the connection ends instead of waiting for body bytes.
    std::string bytes = http_exchange(server->port(),
                                      "POST /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                                      "Content-Length: 10\r\n\r\n",
                                      3000);
    auto rs = parse_responses(bytes);
    ASSERT_EQ(rs.size(), 1u) << bytes;
    EXPECT_EQ(rs[0].status, 200);
    EXPECT_EQ(rs[0].header("Connection"), "close");
}

}  // namespace
}  // namespace sonora::test
