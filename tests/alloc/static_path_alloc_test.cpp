// The static path allocates nothing on the heap per request once warm: a
// connection serving a file through the real worker, request parser, driver,
// file cache and response writer, with every operator new counted.

#include "../unit/support/config_fixture.h"
#include "logs/log_writer.h"
#include "modules/loggers/mod_log_config.h"
#include "net/connection.h"
#include "net/worker.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

namespace {
std::atomic<long> g_allocations{0};
}

#if defined(__SANITIZE_ADDRESS__)
// Under ASan the sanitizer owns operator new; count through its allocator hooks.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                        void (*free_hook)(const volatile void*));
namespace {
void on_malloc(const volatile void*, std::size_t) { g_allocations.fetch_add(1, std::memory_order_relaxed); }
void on_free(const volatile void*) {}
[[maybe_unused]] const int g_hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}  // namespace
#else
void* operator new(std::size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::aligned_alloc(static_cast<std::size_t>(a), (n + static_cast<std::size_t>(a) - 1) /
                                                                     static_cast<std::size_t>(a) *
                                                                     static_cast<std::size_t>(a))) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif

namespace sonora::test {
namespace {

std::size_t read_response(int fd, std::string& buf) {
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n > 0) {
        buf.append(tmp, static_cast<std::size_t>(n));
        return static_cast<std::size_t>(n);
    }
    return 0;
}

// Serves `rounds` requests on one keep-alive connection and returns how many
// heap allocations happened during the last `measured` of them. With
// `churn`, a file of a longer name each time is made and removed beside the
// document root before every request: a change in a watched directory that
// names nothing the walk asked about (as other programs' files in /tmp).
long allocations_for(const std::string& path, int rounds, int measured, std::string& last_response,
                     const std::string& extra_config = "", bool churn = false) {
    ConfigRoot root;
    root.write("htdocs/small.html", std::string(6144, 's'));
    root.write("htdocs/large.bin", std::string(200000, 'l'));
    auto gen = root.load("DocumentRoot htdocs\nTypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n"
                         "KeepAlive On\nMaxKeepAliveRequests 0\n" + extra_config);
    if (auto err = modules::loggers::open_access_logs(*gen)) {
        ADD_FAILURE() << *err;
    }
    net::Worker worker(*gen, {});
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    sockaddr_storage peer{};
    peer.ss_family = AF_INET;
    worker.open_connection(sv[0], peer, 80);
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    long before = 0;
    std::string response;
    response.reserve(1 << 20);
    std::string scratch;
    scratch.reserve(1 << 20);
    std::vector<std::string> churn_files;
    for (std::size_t len = 8; churn && len <= 240; len += 8) {
        churn_files.push_back(root.path() + "/" + std::string(len, 'c'));
    }
    for (int i = 0; i < rounds; ++i) {
        if (i == rounds - measured) {
            before = g_allocations.load();
        }
        if (!churn_files.empty() && i >= rounds - measured) {
            const std::string& name = churn_files[static_cast<std::size_t>(i) % churn_files.size()];
            const int fd = ::open(name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            EXPECT_GE(fd, 0);
            ::close(fd);
            ::unlink(name.c_str());
        }
        EXPECT_EQ(::send(sv[1], req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
        response.clear();
        // Turn the loop until the whole response (head + Content-Length) arrived.
        for (int turn = 0; turn < 1000; ++turn) {
            worker.loop().run_once(5);
            while (read_response(sv[1], response) > 0) {
            }
            std::size_t head_end = response.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                std::size_t cl = response.find("Content-Length: ");
                std::size_t len = cl == std::string::npos ? 0 : std::strtoul(response.c_str() + cl + 16, nullptr, 10);
                if (response.size() >= head_end + 4 + len) {
                    break;
                }
            }
        }
    }
    long after = g_allocations.load();
    last_response = response.substr(0, response.find("\r\n\r\n"));
    ::close(sv[1]);
    logs::access_log_writers().close_all();
    return after - before;
}

TEST(StaticPathAllocations, SmallFileServedFromMemory) {
    std::string head;
    long n = allocations_for("/small.html", 300, 200, head);
    EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
    EXPECT_EQ(n, 0) << "heap allocations in 200 warm requests";
}

TEST(StaticPathAllocations, LargeFileServedWithSendfile) {
    std::string head;
    long n = allocations_for("/large.bin", 60, 40, head);
    EXPECT_NE(head.find("Content-Length: 200000"), std::string::npos) << head;
    EXPECT_EQ(n, 0) << "heap allocations in 40 warm requests";
}

TEST(StaticPathAllocations, NotFoundIsCheapToo) {
    std::string head;
    long n = allocations_for("/missing.html", 300, 200, head);
    EXPECT_NE(head.find("HTTP/1.1 404"), std::string::npos) << head;
    EXPECT_LE(n, 0) << "heap allocations in 200 warm 404s";
}

// With the directory walk's checks on (every component lstat()ed, every
// directory probed for .htaccess), a warm request still allocates nothing.
TEST(StaticPathAllocations, SymlinkAndHtaccessChecksOnEveryDirectory) {
    std::string head;
    long n = allocations_for("/small.html", 300, 200, head,
                             "<Directory />\nOptions SymLinksIfOwnerMatch\nAllowOverride All\n</Directory>\n");
    EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
    EXPECT_EQ(n, 0) << "heap allocations in 200 warm requests";
}

// Other programs' files coming and going beside the document root (events in
// a watched directory about names no walk asked for) cost no allocation.
TEST(StaticPathAllocations, UnrelatedChangesInWatchedDirectories) {
    std::string head;
    long n = allocations_for("/small.html", 300, 200, head,
                             "<Directory />\nOptions SymLinksIfOwnerMatch\nAllowOverride All\n</Directory>\n", true);
    EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
    EXPECT_EQ(n, 0) << "heap allocations in 200 warm requests beside changing files";
}

// Writing an access-log line (combined format) costs no allocation either,
// unbuffered (one write per request) or buffered.
TEST(StaticPathAllocations, LoggedRequestsInCombinedFormat) {
    for (const char* buffered : {"Off", "On"}) {
        std::string head;
        long n = allocations_for("/small.html", 300, 200, head,
                                 std::string("BufferedLogs ") + buffered +
                                     "\nLogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" "
                                     "\\\"%{User-Agent}i\\\"\" combined\nCustomLog /dev/null combined\n");
        EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
        EXPECT_EQ(n, 0) << "heap allocations in 200 warm logged requests, BufferedLogs " << buffered;
    }
}

}  // namespace
}  // namespace sonora::test
