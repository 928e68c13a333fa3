#pragma once
// Starting a program with pipes on its standard streams, as a CGI script is
// started: posix_spawn (glibc's clone(CLONE_VM|CLONE_VFORK) + exec), so a
// threaded child process never forks its address space, and nothing of the
// server leaks into the program: every descriptor above stderr is closed in
// it, its signal mask is empty and its signals are at their defaults.

#include <sys/types.h>

#include <string>
#include <vector>

namespace sonora::os {

struct SpawnRequest {
    std::string path;                // the program
    std::vector<std::string> argv;   // argv[0] included
    std::vector<std::string> env;    // "NAME=value"
    std::string cwd;                 // empty: the server's
    bool want_stdin = true;          // else the program reads /dev/null
    // setrlimit(2) for the program (RLimitCPU, RLimitMEM, RLimitNPROC), applied
    // with prlimit(2) as soon as it runs; resource < 0: unused.
    struct Limit {
        int resource = -1;
        unsigned long long soft = 0;
        unsigned long long hard = 0;
    };
    std::vector<Limit> limits;
};

// The started program: descriptors are the server's ends, non-blocking and
// close-on-exec; -1 where none.
struct Spawned {
    pid_t pid = -1;
    int in = -1;      // its stdin
    int out = -1;     // its stdout
    int err = -1;     // its stderr
    int error = 0;    // errno when it could not be started (pid -1)
};

Spawned spawn(const SpawnRequest& req);

// Closes `fd` if it is open and marks it closed (-1).
void close_descriptor(int& fd);

// Closes what `s` holds of the server's ends.
void close_pipes(Spawned& s);

}  // namespace sonora::os
