#include "support/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sonora::test {

namespace {

std::string lower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// The value of header `name` (lowercase) in a response head, or "".
std::string header_value(const std::string& head_lower, const std::string& name) {
    const std::string key = "\r\n" + name + ":";
    auto at = head_lower.find(key);
    if (at == std::string::npos) {
        return {};
    }
    auto start = head_lower.find_first_not_of(' ', at + key.size());
    auto end = head_lower.find("\r\n", start);
    return head_lower.substr(start, end - start);
}

}  // namespace

void KeepAliveClient::disconnect() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    buffer_.clear();
}

bool KeepAliveClient::connect_now(std::string& error) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        error = std::string("connect: ") + std::strerror(errno);
        disconnect();
        return false;
    }
    ++connections_;
    return true;
}

KeepAliveClient::Result KeepAliveClient::get(const std::string& path, const std::string& extra_headers) {
    Result r;
    if (fd_ < 0 && !connect_now(r.error)) {
        return r;
    }
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
    std::size_t sent = 0;
    while (sent < req.size()) {
        ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            r.error = std::string("send: ") + std::strerror(errno);
            disconnect();
            return r;
        }
        sent += static_cast<std::size_t>(n);
    }
    std::size_t head_end = std::string::npos;
    std::size_t need = 0;
    for (;;) {
        if (head_end == std::string::npos) {
            head_end = buffer_.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                const std::string head = lower(buffer_.substr(0, head_end + 2));
                r.status = buffer_.size() >= 12 ? std::atoi(buffer_.c_str() + 9) : 0;
                r.server_closed = header_value(head, "connection").find("close") != std::string::npos;
                const std::string cl = header_value(head, "content-length");
                need = head_end + 4 + (cl.empty() ? 0 : std::strtoull(cl.c_str(), nullptr, 10));
            }
        }
        if (head_end != std::string::npos && buffer_.size() >= need) {
            break;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms_) <= 0) {
            r = Result{};
            r.error = "timed out";
            disconnect();
            return r;
        }
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            const bool got_head = head_end != std::string::npos;
            r = Result{};
            r.error = n == 0 ? (got_head ? "closed inside the body" : "closed before a response")
                             : std::string("recv: ") + std::strerror(errno);
            disconnect();
            return r;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
    r.body = buffer_.substr(head_end + 4, need - head_end - 4);
    buffer_.erase(0, need);
    if (r.server_closed) {
        disconnect();
    }
    return r;
}

}  // namespace sonora::test
