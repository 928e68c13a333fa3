// The harness's readiness check: a server counts as started only when the
// process the test started listens on the port itself and has written its
// PidFile, so a test that expects a refused start cannot pass (or fail)
// because something else answers on that port.

#include "support/process.h"
#include "support/server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace sonora::test {
namespace {

// A listening socket on 127.0.0.1:port held by this test process.
class Squatter {
public:
    explicit Squatter(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        listening_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 16) == 0;
    }
    ~Squatter() { ::close(fd_); }
    Squatter(const Squatter&) = delete;
    Squatter& operator=(const Squatter&) = delete;
    bool listening() const { return listening_; }

private:
    int fd_;
    bool listening_ = false;
};

TEST(Harness, OwnsListenerTellsWhoseSocketItIs) {
    int port = free_port();
    Squatter squatter(port);
    ASSERT_TRUE(squatter.listening());
    EXPECT_TRUE(owns_listener(::getpid(), port));
    EXPECT_FALSE(owns_listener(::getppid(), port));
    EXPECT_FALSE(owns_listener(::getpid(), free_port()));
}

// Someone else answers on the port: the server cannot bind it and exits,
// and start() says so instead of taking the other listener for it.
TEST(Harness, AnotherProcessOnThePortIsNotAStartedServer) {
    TempDir root;
    int port = free_port();
    root.mkdir("htdocs");
    root.mkdir("logs");
    root.write("conf/httpd.conf", "Listen 127.0.0.1:" + std::to_string(port) +
                                      "\nServerName localhost\nDocumentRoot htdocs\nErrorLog logs/error_log\n"
                                      "PidFile logs/sonora.pid\nTypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n");
    Squatter squatter(port);
    ASSERT_TRUE(squatter.listening());
    BinaryServer server(SONORA_BINARY, root.str(), "conf/httpd.conf", port, "logs/sonora.pid");
    EXPECT_FALSE(server.start());
    EXPECT_NE(server.startup_error.find("could not bind"), std::string::npos) << server.startup_error;
}

TEST(Harness, AStartedServerOwnsItsPortAndPidFile) {
    ServerProcess server;
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_TRUE(owns_listener(server.pid(), server.port()));
    EXPECT_EQ(read_file(server.root().str() + "/logs/sonora.pid"), std::to_string(server.pid()) + "\n");
}

}  // namespace
}  // namespace sonora::test
