#pragma once
// A blocking HTTP/1.1 client that keeps its connection open between
// requests, as browsers and load generators do, and tells a failed request
// (reset, or closed before the whole response) from a connection the server
// announced it would close (Connection: close).

#include <string>

namespace sonora::test {

class KeepAliveClient {
public:
    explicit KeepAliveClient(int port, int timeout_ms = 5000) : port_(port), timeout_ms_(timeout_ms) {}
    ~KeepAliveClient() { disconnect(); }
    KeepAliveClient(const KeepAliveClient&) = delete;
    KeepAliveClient& operator=(const KeepAliveClient&) = delete;

    struct Result {
        int status = 0;          // 0: the request failed
        bool server_closed = false;  // the response said Connection: close
        std::string body;
        std::string error;       // why it failed
    };
    // Sends GET `path` on the open connection (connecting first when there
    // is none) and reads the whole Content-Length framed response.
    Result get(const std::string& path, const std::string& extra_headers = {});
    bool connected() const { return fd_ >= 0; }
    void disconnect();
    int connections_made() const { return connections_; }

private:
    bool connect_now(std::string& error);
    int port_;
    int timeout_ms_;
    int fd_ = -1;
    int connections_ = 0;
    std::string buffer_;  // bytes read past the previous response
};

}  // namespace sonora::test
