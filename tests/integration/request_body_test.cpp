// A chunked request body larger than the server holds, on a request for a
// file: httpd's default handler reads the body before it answers, so
// LimitRequestBody turns it into a 413 even when the excess arrives after
// the head and after a pause; under the limit the file is sent once the body
// has been read, and the connection stays usable. Against Apache 2.4 with
// the same configuration when it is installed (t/apache/limits.t's case 9).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

// Sends `head`, then each piece as one chunk with a pause before it, then
// the last chunk; returns what the server answered until it closed (or
// 4 s of silence). Requests after the first go on the same connection.
std::string stream_chunked(int port, const std::vector<std::string>& heads, const std::vector<std::size_t>& pieces) {
    const int fd = connect_to(port);
    if (fd < 0) {
        return {};
    }
    std::string got;
    for (const std::string& head : heads) {
        ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        for (std::size_t n : pieces) {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            char size[32];
            const int len = std::snprintf(size, sizeof size, "%zx\r\n", n);
            std::string chunk(size, static_cast<std::size_t>(len));
            chunk.append(n, 'a').append("\r\n");
            ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        }
        ::send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
        // Read until this response is in (or the server closes).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
        const std::size_t before = got.size();
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                if (got.size() > before && got.find("\r\n\r\n", before) != std::string::npos &&
                    parse_responses(got).size() > static_cast<std::size_t>(&head - heads.data())) {
                    break;
                }
                continue;
            }
            char buf[8192];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                ::close(fd);
                return got;
            }
            got.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return got;
}

std::string head(const std::string& connection) {
    return "GET /lim/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n" +
           connection + "\r\n";
}

class RequestBody : public ::testing::Test {
protected:
    RequestBody()
        : site("LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n"
               "LimitRequestFieldSize 1024\nLimitRequestFields 32\n") {
        site.write_doc("lim/index.html", "limits\n");
        site.append_config("<Directory " + site.root().str() + "/htdocs>\nRequire all granted\n</Directory>\n"
                           "<Directory " + site.root().str() + "/htdocs/lim>\nLimitRequestBody 65536\n</Directory>\n");
    }

    // The statuses `which` answers, in order.
    std::vector<int> run(const std::string& which, const std::vector<std::string>& heads,
                         const std::vector<std::size_t>& pieces) {
        BinaryServer server = site.server(which);
        if (!server.start()) {
            ADD_FAILURE() << which << ": " << server.startup_error;
            return {};
        }
        return statuses(parse_responses(stream_chunked(site.port(), heads, pieces)));
    }

    TwinSite site;
};

TEST_F(RequestBody, AChunkedBodyOverTheLimitGets413AfterTheHead) {
    // 100 KiB then 28 KiB: more than the server holds (about 42 KiB with these
    // limits), and over LimitRequestBody only with the first piece.
    const std::vector<std::size_t> pieces = {102400, 28672};
    EXPECT_EQ(run("sonora", {head("Connection: close\r\n")}, pieces), std::vector<int>{413});
    EXPECT_EQ(run("sonora", {head("")}, pieces), std::vector<int>{413});
    if (apache_available()) {
        EXPECT_EQ(run("apache", {head("Connection: close\r\n")}, pieces), std::vector<int>{413});
    }
}

TEST_F(RequestBody, AChunkedBodyUnderTheLimitIsReadThenTheFileSent) {
    const std::vector<std::size_t> pieces = {50000, 10000};
    const std::vector<std::string> heads = {head(""), head(""), head("Connection: close\r\n")};
    EXPECT_EQ(run("sonora", heads, pieces), (std::vector<int>{200, 200, 200}));
    if (apache_available()) {
        EXPECT_EQ(run("apache", heads, pieces), (std::vector<int>{200, 200, 200}));
    }
}

}  // namespace
}  // namespace sonora::test
