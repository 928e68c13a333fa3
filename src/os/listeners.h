#pragma once
// Listening sockets for the Listen directives: bound, listening, non-blocking.

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

namespace sonora::os {

struct ListenSpec {
    std::string host;  // empty = every address (IPv6 any, dual-stack, else IPv4 any)
    int port = 0;
};

struct ListenSocket {
    int fd = -1;
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    std::string name;  // "127.0.0.1:8080", "[::1]:80", "*:80"
    int port = 0;

    // Bound to one address rather than the wildcard one.
    bool specific_address() const;
};

// Opens every listener or none: on failure closes what it opened and returns
// the error, worded as httpd's ("(98)Address already in use: could not bind to
// address 127.0.0.1:8080").
std::optional<std::string> open_listeners(const std::vector<ListenSpec>& specs, int backlog,
                                          std::vector<ListenSocket>& out);
void close_listeners(std::vector<ListenSocket>& sockets);

// A restart: keeps the sockets `specs` still names (connections waiting in
// their backlog are not lost), opens the new ones, closes the rest. On
// failure `current` is untouched and the new sockets are closed again.
std::optional<std::string> reconcile_listeners(std::vector<ListenSocket>& current,
                                               const std::vector<ListenSpec>& specs, int backlog);

}  // namespace sonora::os
