#include "support/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sonora::test {

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool wait_until(const std::function<bool()>& done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

PendingRequest::PendingRequest(int port, const std::string& path) : fd_(connect_to(port)) {
    if (fd_ >= 0) {
        const std::string req = get_request(path);
        if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
            ::close(fd_);
            fd_ = -1;
        }
    }
}

PendingRequest::~PendingRequest() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool PendingRequest::answered_within(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || ::poll(&p, 1, timeout_ms) != 1) {
        return false;
    }
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
        received_.append(buf, static_cast<std::size_t>(n));
    }
    return n > 0;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
}

std::string test_mpm() {
    const char* m = std::getenv("SONORA_TEST_MPM");
    return m == nullptr || std::string(m) == "event" ? std::string() : std::string(m);
}

std::string test_mpm_load_line() {
    const std::string m = test_mpm();
    return m.empty() ? std::string() : "LoadModule mpm_" + m + "_module /usr/lib/apache2/modules/mod_mpm_" + m + ".so\n";
}

ServerProcess::ServerProcess(const std::string& extra, const std::string& preamble)
    : port_(free_port()), process_(SONORA_BINARY, root_.str(), "conf/httpd.conf", port_, "logs/sonora.pid") {
    root_.mkdir("htdocs");
    root_.mkdir("logs");
    base_ = test_mpm_load_line() + preamble + "Listen 127.0.0.1:" + std::to_string(port_) +
            "\nServerName localhost\nDocumentRoot htdocs\nErrorLog logs/error_log\n"
            "PidFile logs/sonora.pid\nTypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n";
    conf_ = root_.write("conf/httpd.conf", base_ + extra);
}

void ServerProcess::rewrite_config(const std::string& extra) const { root_.write("conf/httpd.conf", base_ + extra); }

ServerProcess::~ServerProcess() { stop(); }

bool ServerProcess::start() {
    bool ok = process_.start();
    startup_error = process_.startup_error;
    return ok;
}

void ServerProcess::stop() { process_.stop(); }

bool BinaryServer::start() {
    int err_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        return false;
    }
    std::vector<std::string> args = wrapper_;
    args.insert(args.end(), {binary_, "-DFOREGROUND"});
    args.insert(args.end(), args_.begin(), args_.end());
    args.insert(args.end(), {"-d", root_, "-f", conf_});
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        // A group of its own: httpd's prefork signals its whole process group
        // when it stops, which must not be the test runner's.
        ::setpgid(0, 0);
        ::dup2(err_pipe[1], 2);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(err_pipe[1]);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            char buf[4096];
            ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
            startup_error.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
            ::close(err_pipe[0]);
            pid_ = -1;
            return false;
        }
        const pid_t server = server_pid();
        if (server > 0 && owns_listener(server, port_) && (pid_file_.empty() || pid_file_pid() == server)) {
            ::close(err_pipe[0]);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::close(err_pipe[0]);
    return false;
}

int BinaryServer::pid_file_pid() const {
    if (pid_file_.empty()) {
        return 0;
    }
    std::string path = pid_file_.front() == '/' ? pid_file_ : root_ + "/" + pid_file_;
    std::string text = read_file(path);
    return text.find('\n') != std::string::npos ? std::atoi(text.c_str()) : 0;
}

pid_t BinaryServer::server_pid() const {
    if (wrapper_.empty() || pid_ <= 0) {
        return pid_;
    }
    const int named = pid_file_pid();
    for (int child : children_of(pid_)) {
        if (child == named) {
            return named;
        }
    }
    return -1;
}

bool owns_listener(pid_t pid, int port) {
    // The kernel's table of TCP sockets: local address as hex "ADDR:PORT",
    // state 0A = LISTEN, then the socket's inode.
    std::vector<std::string> inodes;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::istringstream lines(read_file(table));
        std::string line;
        std::getline(lines, line);  // the header
        while (std::getline(lines, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            auto colon = local.rfind(':');
            if (state == "0A" && colon != std::string::npos &&
                std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) {
                inodes.push_back("socket:[" + inode + "]");
            }
        }
    }
    if (inodes.empty()) {
        return false;
    }
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::error_code link_ec;
        std::string target = std::filesystem::read_symlink(fd.path(), link_ec).string();
        if (!link_ec && std::find(inodes.begin(), inodes.end(), target) != inodes.end()) {
            return true;
        }
    }
    return false;
}

bool BinaryServer::running() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }

void BinaryServer::stop() {
    if (pid_ <= 0) {
        return;
    }
    // A wrapper (a tracer) would leave its child running if it were the one
    // stopped: the server is, and the wrapper ends with it.
    const pid_t server = server_pid();
    ::kill(server > 0 ? server : pid_, SIGTERM);
    for (int i = 0; i < 250; ++i) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid_, SIGKILL);  // its group: a wrapper's child too
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string ServerProcess::error_log() const { return read_file((root_.path() / "logs/error_log").string()); }

int connect_from(const std::string& from, const std::string& to, int port) {
    sockaddr_storage src{};
    sockaddr_storage dst{};
    socklen_t len = 0;
    if (::inet_pton(AF_INET, from.c_str(), &reinterpret_cast<sockaddr_in&>(src).sin_addr) == 1 &&
        ::inet_pton(AF_INET, to.c_str(), &reinterpret_cast<sockaddr_in&>(dst).sin_addr) == 1) {
        src.ss_family = dst.ss_family = AF_INET;
        reinterpret_cast<sockaddr_in&>(dst).sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, from.c_str(), &reinterpret_cast<sockaddr_in6&>(src).sin6_addr) == 1 &&
               ::inet_pton(AF_INET6, to.c_str(), &reinterpret_cast<sockaddr_in6&>(dst).sin6_addr) == 1) {
        src.ss_family = dst.ss_family = AF_INET6;
        reinterpret_cast<sockaddr_in6&>(dst).sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof(sockaddr_in6);
    } else {
        return -1;
    }
    int fd = ::socket(src.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), len) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&dst), len) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

namespace {

// Sends `request` on `fd` and reads until the server closes or the time is up.
std::string exchange_on(int fd, const std::string& request, int timeout_ms) {
    if (fd < 0) {
        return {};
    }
    std::size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            break;
        }
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

}  // namespace

std::string http_exchange(int port, const std::string& request, int timeout_ms) {
    return exchange_on(connect_to(port), request, timeout_ms);
}

std::string http_exchange_from(const std::string& from, const std::string& to, int port, const std::string& request,
                               int timeout_ms) {
    return exchange_on(connect_from(from, to, port), request, timeout_ms);
}

std::string get_request(const std::string& path, const std::string& host) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string Response::header(const std::string& name) const {
    std::string lower_head;
    for (char c : head) {
        lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string key = "\r\n";
    for (char c : name) {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    key += ": ";
    std::string hay = "\r\n" + lower_head;
    auto at = hay.find(key);
    if (at == std::string::npos) {
        return {};
    }
    std::size_t start = at + key.size() - 2;
    std::size_t end = head.find("\r\n", start);
    return head.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<Response> parse_responses(const std::string& bytes, bool head_only) {
    std::vector<Response> out;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::size_t end = bytes.find("\r\n\r\n", pos);
        if (end == std::string::npos) {
            break;
        }
        Response r;
        std::string block = bytes.substr(pos, end - pos);
        std::size_t eol = block.find("\r\n");
        r.status_line = block.substr(0, eol);
        r.head = eol == std::string::npos ? "" : block.substr(eol + 2);
        r.status = r.status_line.size() >= 12 ? std::atoi(r.status_line.c_str() + 9) : 0;
        pos = end + 4;
        std::string cl = r.header("Content-Length");
        bool bodyless = head_only || r.status == 304 || r.status == 204 || r.status < 200;
        if (!bodyless && r.header("Transfer-Encoding") == "chunked") {
            // Chunks up to the last one (a cut stream keeps what came).
            while (pos < bytes.size()) {
                const std::size_t line_end = bytes.find("\r\n", pos);
                if (line_end == std::string::npos) {
                    pos = bytes.size();
                    break;
                }
                const std::size_t size = std::stoul(bytes.substr(pos, line_end - pos), nullptr, 16);
                pos = line_end + 2;
                if (size == 0) {
                    const std::size_t trailer_end = bytes.find("\r\n", pos);
                    pos = trailer_end == std::string::npos ? bytes.size() : trailer_end + 2;
                    break;
                }
                r.body += bytes.substr(pos, size);
                pos = std::min(bytes.size(), pos + size + 2);
            }
        } else if (!bodyless) {
            std::size_t n = cl.empty() ? bytes.size() - pos : static_cast<std::size_t>(std::stoull(cl));
            r.body = bytes.substr(pos, n);
            pos += r.body.size();
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace sonora::test
