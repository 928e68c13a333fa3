#pragma once
// A real sonora serving a generated configuration on 127.0.0.1, for tests
// that talk HTTP to it over sockets.

#include "support/process.h"

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sonora::test {

// A free TCP port on 127.0.0.1, chosen by the kernel.
int free_port();

// A blocking TCP connection to 127.0.0.1:port, or -1.
int connect_to(int port);
// A blocking TCP connection from the local address `from` to `to`:port, both
// IPv4 or both IPv6 ("127.0.0.5" to "127.0.0.1": any 127/8 address is ours on
// loopback; "::1" to "::1"), or -1.
int connect_from(const std::string& from, const std::string& to, int port);

// Polls `done` every 20 ms until it holds, for `timeout_ms` at most; its last answer.
bool wait_until(const std::function<bool()>& done, int timeout_ms = 5000);

// A GET sent on a connection of its own whose answer may be held up (the
// server has no process or thread free for it yet): ask whether it arrived.
class PendingRequest {
public:
    PendingRequest(int port, const std::string& path);
    ~PendingRequest();
    PendingRequest(const PendingRequest&) = delete;
    PendingRequest& operator=(const PendingRequest&) = delete;
    bool connected() const { return fd_ >= 0; }
    // True once response bytes arrived within `timeout_ms`.
    bool answered_within(int timeout_ms);
    // What arrived so far (after answered_within), e.g. to check the status line.
    const std::string& received() const { return received_; }

private:
    int fd_ = -1;
    std::string received_;
};

// The MPM the integration suite runs under ("prefork", "worker"; "" for the
// default, event), from SONORA_TEST_MPM: CTest runs the suite once per MPM.
// ServerProcess and TwinSite configurations load it; tests that choose their
// own MPM, or test what only event does, skip under another.
std::string test_mpm();
// "LoadModule mpm_X_module .../mod_mpm_X.so\n" for test_mpm(), or "".
std::string test_mpm_load_line();

// A server binary (sonora, or Apache's httpd for comparisons) run as tools
// run httpd: BINARY -DFOREGROUND -d ROOT -f CONF, serving 127.0.0.1:port.
class BinaryServer {
public:
    // `pid_file`, relative to `root` unless absolute: the configuration's PidFile.
    BinaryServer(std::string binary, std::string root, std::string conf, int port, std::string pid_file = {})
        : binary_(std::move(binary)), root_(std::move(root)), conf_(std::move(conf)), pid_file_(std::move(pid_file)),
          port_(port) {}
    ~BinaryServer() { stop(); }
    BinaryServer(const BinaryServer&) = delete;
    BinaryServer& operator=(const BinaryServer&) = delete;

    // Starts it and waits until the process started here listens on the port
    // itself and has written its pid to the PidFile (when one is named): a
    // port that something else answers on is not readiness. False (with
    // stderr in `startup_error`) if it exits or is not ready within 5 s.
    bool start();
    // SIGTERM, then waits (SIGKILL after 5 s).
    void stop();
    bool running() const;
    // The process start() launched: the server, or the wrapper it runs under.
    pid_t pid() const { return pid_; }
    int port() const { return port_; }

    // Before start(): run `wrapper... BINARY -DFOREGROUND args... -d ROOT -f CONF`
    // (a tracer such as strace, extra options such as -X). Under a wrapper
    // the server is the wrapper's child, the one whose pid the PidFile holds
    // (which must then be named); stop() signals it, and the wrapper ends with it.
    void run_under(std::vector<std::string> wrapper, std::vector<std::string> args = {}) {
        wrapper_ = std::move(wrapper);
        args_ = std::move(args);
    }

    std::string startup_error;

private:
    std::string binary_;
    std::string root_;
    std::string conf_;
    std::string pid_file_;
    int port_;
    std::vector<std::string> wrapper_;
    std::vector<std::string> args_;
    int pid_file_pid() const;  // 0 unless the PidFile holds a whole line
    pid_t server_pid() const;  // pid_, or under a wrapper its child named in the PidFile (-1 until then)
    pid_t pid_ = -1;
};

// True when process `pid` holds a TCP socket listening on `port` (IPv4 or IPv6).
bool owns_listener(pid_t pid, int port);

class ServerProcess {
public:
    // `extra` is appended to a minimal configuration (Listen, ServerName,
    // DocumentRoot htdocs, ErrorLog, PidFile, TypesConfig).
    explicit ServerProcess(const std::string& extra = "", const std::string& preamble = "");
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Files under htdocs/ must be written before start() or between requests.
    const TempDir& root() const { return root_; }
    std::string write_doc(const std::string& relative, const std::string& content) const {
        return root_.write("htdocs/" + relative, content);
    }
    std::string mkdir_doc(const std::string& relative) const { return root_.mkdir("htdocs/" + relative); }
    // Writes the configuration again with `extra` in place of the first one's
    // (for restarts: the running server reads it on SIGHUP or SIGUSR1).
    void rewrite_config(const std::string& extra) const;
    // Starts the server and waits until it is ready (see BinaryServer::start).
    bool start();
    void stop();
    int port() const { return port_; }
    pid_t pid() const { return process_.pid(); }
    bool running() const { return process_.running(); }
    std::string error_log() const;

    std::string startup_error;

private:
    TempDir root_;
    int port_;
    std::string base_;  // the configuration before `extra`
    std::string conf_;
    BinaryServer process_;
};

// Connects, sends `request` (possibly many pipelined requests), and reads
// until the server closes or `timeout_ms` passes.
std::string http_exchange(int port, const std::string& request, int timeout_ms = 3000);
// The same over connect_from(from, to, port).
std::string http_exchange_from(const std::string& from, const std::string& to, int port, const std::string& request,
                               int timeout_ms = 3000);

// A GET of `path` for `host` that asks the server to close afterwards.
std::string get_request(const std::string& path, const std::string& host = "localhost");

bool contains(const std::string& haystack, const std::string& needle);

struct Response {
    std::string status_line;
    int status = 0;
    std::string head;  // header lines, CRLF-separated, without the status line
    std::string body;
    std::string header(const std::string& name) const;  // first value, or "" 
};

// Splits a byte stream into responses (Content-Length framed; a bodiless
// status or a HEAD response when `head_only`).
std::vector<Response> parse_responses(const std::string& bytes, bool head_only = false);

}  // namespace sonora::test
