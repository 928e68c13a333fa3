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

// ---- SO_REUSEPORT listener buckets (httpd's ListenCoresBucketsRatio) ----
//
// A bucket is one full set of the Listen sockets. With N buckets every Listen
// is opened N times on the same address and port, all with SO_REUSEPORT set
// before bind(), so each copy is an accept queue of its own: the kernel puts
// each new connection in one of them by a hash of its 4-tuple. httpd gives
// each child one bucket (children round-robin over the buckets as they are
// created: child slot % N) and one accept mutex per bucket
// (AcceptMutexOptions::instance = the bucket index, "mpm-accept-<bucket>.<pid>").

// Whether this kernel accepts SO_REUSEPORT (Linux >= 3.9); probed once on a
// throwaway socket. httpd logs it at startup: "Using SO_REUSEPORT: yes (N)".
bool so_reuseport_supported();

// Whether epoll_ctl() knows EPOLLEXCLUSIVE (Linux >= 4.5). A runtime probe is
// needed: older kernels accept the bit and ignore it. Probed once.
bool epoll_exclusive_supported();

// httpd's bucket count: online_cpus / ratio, but only when SO_REUSEPORT is
// available, ratio > 0 (ListenCoresBucketsRatio 0 = off, the default) and there
// are at least twice as many online CPUs as the ratio; otherwise 1. Pass
// sysconf(_SC_NPROCESSORS_ONLN) and so_reuseport_supported().
int listener_bucket_count(int ratio, long online_cpus, bool reuseport);

// Opens `buckets` (at least 1) copies of every spec with SO_REUSEPORT: on
// success appends one vector per bucket to `out`, out[b][i] being bucket b's
// socket for specs[i]. A spec with port 0 binds an ephemeral port in bucket 0
// and the other buckets join that port (for tests; Listen cannot say 0). All
// or nothing: on failure nothing stays open and the error is worded as
// open_listeners's. Sockets without SO_REUSEPORT on the same address and port
// (open_listeners's) make this fail with "Address already in use": to move to
// buckets, open them all here.
std::optional<std::string> open_listener_buckets(const std::vector<ListenSpec>& specs, int backlog,
                                                 int buckets,
                                                 std::vector<std::vector<ListenSocket>>& out);

}  // namespace sonora::os
