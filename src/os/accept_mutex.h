#pragma once
// httpd's accept mutex ("mpm-accept"): a lock shared by the children of one
// server so that only one of them at a time waits for new connections.
//
// How the MPM uses it (the integration this library is built for)
// ----------------------------------------------------------------
// 1. Parent, once per generation, before forking: resolve the setting
//    (resolve_mutex_setting: the `Mutex ... mpm-accept` line, else the
//    `Mutex ... default` line, else httpd's default, with DefaultRuntimeDir as
//    the directory when neither names one), then AcceptMutex::create() one
//    mutex per listener bucket (instance = bucket index, suffix = the parent's
//    pid), giving lock files named as httpd's: <dir>/mpm-accept-<bucket>.<pid>.
//    Only when accept_needs_mutex(listeners in the bucket) is true: with a
//    single listener httpd (built with SINGLE_LISTEN_UNSERIALIZED_ACCEPT, as
//    Debian's is) creates no mutex at all and logs "Accept mutex: none".
//    If the parent runs as root, call set_permissions(User's uid, Group's gid)
//    before forking, so that children that have dropped privileges can still
//    reopen the lock file (flock) or operate the semaphore (sysvsem).
// 2. Each child, after fork: child_init() on its bucket's mutex before its
//    first lock(). It is required for flock (each child must own an open file
//    description of its own, or flock(2) does not exclude it from its
//    siblings) and harmless for the others. A failure is fatal for the child
//    (httpd: "Couldn't initialize cross-process lock in child").
// 3. prefork, and worker's one listener thread per process, serialise the
//    whole wait, not just accept():
//
//        for (;;) {
//            if (int e = mutex.lock()) { fatal("couldn't grab the accept mutex", e); }
//            poll(all of the bucket's listeners, POLLIN)    // blocks here, holding it
//            accept() from whichever listener is ready (non-blocking; EAGAIN: poll again)
//            if (int e = mutex.unlock()) { fatal("couldn't release the accept mutex", e); }
//            serve the connection
//        }
//
//    This is how PR#467's starvation is avoided: with several Listen sockets,
//    children that all select()ed and then blocked in accept() on the one
//    socket that was ready stay stuck there while connections wait on the
//    others. Holding the mutex, exactly one child polls *all* listeners and
//    accepts from whichever is ready, so no child is ever parked on a single
//    socket, and no thundering herd wakes the idle ones. The lock is held
//    while the child waits in poll(); the other idle children sleep in lock().
//    Put the child's stop signal (its signalfd; httpd uses its pipe of death)
//    in the same poll() set, so a holder asked to stop wakes up, unlocks and
//    leaves: a child stops between iterations, never while holding the lock.
//    If it is killed while holding it, see "Crashed holders" below.
// 4. The event MPM takes no accept mutex (httpd's event does not even accept a
//    `Mutex ... mpm-accept` line: "Mutex type mpm-accept is not valid"). Sonora
//    adds its listeners to each child's epoll set with EPOLLEXCLUSIVE
//    (os::epoll_exclusive_supported()), so the kernel wakes one waiting child
//    per connection, and listener buckets (os::open_listener_buckets) give each
//    group of children an accept queue of its own.
// 5. Parent, when the generation ends (stop, restart): destroy() removes the
//    lock file or semaphore. It does nothing in any other process, so a child
//    that runs the destructor cannot remove what its siblings still use. On a
//    restart destroy the old generation's mutexes before creating the new
//    ones: they have the same names (same pid, same buckets). Old children
//    still waiting in lock() then fail (sysvsem: EIDRM) or keep a lock among
//    themselves only; they are on their way out and must not accept anyway.
//
// What httpd logs around it, for the integrator's messages: at startup, debug
// "Accept mutex: flock (default: pthread)" (AH00165, "none" when not used);
// a create() failure is emerg "Couldn't create the mpm-accept mutex (file ...)"
// then "could not create accept mutex" and startup stops; lock()/unlock()
// failing in a child of the running generation is emerg "couldn't grab the
// accept mutex" (AH00144) / "couldn't release the accept mutex", and the
// child exits with the fatal status, which stops the whole server ("Child N
// returned a Fatal error... Apache is exiting!"; seen on 2.4.71 by removing
// the sysvsem semaphore under it).
//
// Mechanisms (the Mutex directive's words; case-insensitive)
// ---------------------------------------------------------
//   default, yes  httpd's compiled-in default. Debian's apache2 -V reports
//                 APR_USE_PROC_PTHREAD_SERIALIZE and logs "Accept mutex: ...
//                 (default: pthread)", so it is pthread here too.
//   pthread       a PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST mutex in a
//                 shared anonymous mapping. No file.
//   flock         flock(2) on <dir>/<name>-<instance>.<suffix>; the file stays
//                 while the mutex lives (mode 0600) and each child reopens it.
//   fcntl, file   fcntl(2) F_SETLKW record lock on that file; as httpd, the
//                 file is unlinked as soon as it is open (children inherit the
//                 descriptor; POSIX record locks belong to the process).
//   sysvsem       a SysV semaphore (IPC_PRIVATE, 0600) operated with SEM_UNDO.
//   posixsem, sem a process-shared POSIX semaphore in a shared anonymous
//                 mapping (httpd uses a named one that it unlinks at once: in
//                 both, nothing is left in /dev/shm).
//   none, no      no serialisation: every call succeeds at once. httpd refuses
//                 it for mpm-accept ("None is not allowed for mutex type
//                 mpm-accept"); it is here for mutexes that allow it.
//
// Crashed holders
// ---------------
// A child killed while holding the lock: flock and fcntl locks are released by
// the kernel when the process dies; sysvsem's SEM_UNDO gives the unit back;
// the robust pthread mutex is handed to the next locker with EOWNERDEAD, which
// lock() recovers (pthread_mutex_consistent) and reports as success. A POSIX
// semaphore has no owner: as in httpd ("The semaphore ownership is not
// recovered if a thread in the process holding the mutex segfaults, resulting
// in a hang of the web server"), the others block until the mutex is
// recreated. Beyond httpd, this library records the holding pid next to the
// semaphore so that the parent can call release_if_held_by(pid) after reaping
// a child that died by a signal. Two short windows stay open: a child killed
// between taking the semaphore and recording its pid, or between clearing the
// pid and giving the semaphore back, leaves it taken as in httpd. (Recording
// after giving back would be worse: a release for a child that had already
// given it back would let two processes in.)
//
// Threads: this is a lock between processes, like APR's proc mutex. flock and
// fcntl do not exclude two threads of one process; let one thread per process
// (the listener thread) use it.
//
// Errors: lock(), try_lock() and unlock() return 0 or an errno value (EINTR is
// retried inside; try_lock() returns EBUSY when another process holds it).
// Set-up functions return an error message worded as httpd's, with the errno
// in httpd's "(2)No such file or directory: ..." form, ready to log.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sonora::os {

enum class MutexMechanism : std::uint8_t { None, Flock, Fcntl, SysvSem, PosixSem, Pthread };

// What `default` means on this platform (see above).
inline constexpr MutexMechanism kDefaultMutexMechanism = MutexMechanism::Pthread;

// httpd's name of the accept mutex, the first part of its lock file names.
inline constexpr std::string_view kAcceptMutexName = "mpm-accept";

// The Mutex directive's mechanism word (the part before ':'), case-insensitive:
// default/yes, none/no, flock, fcntl/file, sysvsem, posixsem/sem, pthread.
// `default` comes back as kDefaultMutexMechanism. nullopt for anything else.
std::optional<MutexMechanism> parse_mutex_mechanism(std::string_view word);

// The word httpd logs for a mechanism ("Accept mutex: flock"): none, flock,
// fcntl, sysvsem, posixsem, pthread.
std::string_view mutex_mechanism_name(MutexMechanism m);

// One `Mutex mechanism[:dir] name...` setting, as core stores it
// (core's MutexSetting: mechanism word lower-cased, path made absolute).
struct MutexSpec {
    std::string mechanism;
    std::string path;  // a directory; empty when the directive gave none
};

// The mechanism word and lock-file directory a named mutex ends up with.
struct MutexChoice {
    std::string mechanism;
    std::string dir;
};

// httpd's resolution, observed on Apache 2.4: the mutex's own line wins for
// the mechanism (its `default` is the platform default, not the `Mutex ...
// default` line's mechanism); otherwise the `default` line's mechanism, else
// `default`. The directory is the own line's, else the `default` line's (even
// when the own line names the mechanism), else `runtime_dir`
// (DefaultRuntimeDir, ServerRoot/logs unless set). Null pointers: no such line.
MutexChoice resolve_mutex_setting(const MutexSpec* own, const MutexSpec* default_line,
                                  std::string_view runtime_dir);

// <dir>/<name>-<instance>.<suffix>, as httpd names the file of a file-based
// mutex: "/var/run/apache2/mpm-accept-0.1234". A trailing '/' on dir is kept single.
std::string mutex_lock_file(std::string_view dir, std::string_view name, int instance,
                            std::string_view suffix);

// httpd serialises accept only when a child has more than one listener to
// wait on (SINGLE_LISTEN_UNSERIALIZED_ACCEPT): one listener, no mutex.
constexpr bool accept_needs_mutex(std::size_t listeners_in_bucket) {
    return listeners_in_bucket > 1;
}

struct AcceptMutexOptions {
    std::string mechanism = "default";  // a Mutex mechanism word
    std::string dir;                    // lock-file directory (flock, fcntl): must exist, not empty
    std::string name = std::string(kAcceptMutexName);
    int instance = 0;    // the listener bucket
    std::string suffix;  // unique per server instance: the parent's pid
};

// One cross-process mutex. Create it in the parent before fork; the object
// (and what it refers to) is inherited by every child. Not copyable.
class AcceptMutex {
public:
    // Creates the mutex. On failure `out` is left empty and the message says
    // which mechanism and, for file-based ones, which file:
    // "(2)No such file or directory: Couldn't create the mpm-accept mutex
    // (file /x/mpm-accept-0.123)".
    static std::optional<std::string> create(const AcceptMutexOptions& options,
                                             std::unique_ptr<AcceptMutex>& out);

    ~AcceptMutex();  // destroy()
    AcceptMutex(const AcceptMutex&) = delete;
    AcceptMutex& operator=(const AcceptMutex&) = delete;

    MutexMechanism mechanism() const { return mechanism_; }
    std::string_view mechanism_name() const { return mutex_mechanism_name(mechanism_); }
    // The lock file's path for flock and fcntl (for fcntl it is already
    // unlinked; the name is for messages), empty for the others.
    const std::string& lock_file() const { return lock_file_; }

    // Parent, as root, before fork: hands the lock file (flock; owner only,
    // as httpd) or the semaphore (sysvsem; owner and group, mode 0600) to the
    // user the children will run as. No-op for the other mechanisms.
    std::optional<std::string> set_permissions(uid_t uid, gid_t gid);

    // Each child, after fork, before the first lock(). flock: reopens the lock
    // file, so the child has a lock of its own; until it is called, lock() in
    // that child returns EINVAL rather than silently not excluding anyone.
    // Others: nothing to do. Message: "(13)Permission denied: Couldn't
    // initialize cross-process lock in child (/x/mpm-accept-0.123) (flock)".
    std::optional<std::string> child_init();

    // Blocks until this process holds the mutex. 0 or an errno value
    // (EIDRM: the parent removed a sysvsem semaphore while waiting).
    [[nodiscard]] int lock();
    // Takes the mutex if free: 0, EBUSY when held elsewhere, or an errno value.
    [[nodiscard]] int try_lock();
    [[nodiscard]] int unlock();

    // Parent, after waitpid() reaped `pid`: for posixsem, if that process
    // still held the semaphore, gives it back and returns true. Other
    // mechanisms recover by themselves; false.
    bool release_if_held_by(pid_t pid);

    // In the creating process: releases the mutex and removes its lock file or
    // semaphore. In any other process (a child): closes what this process has
    // open and leaves the shared objects alone. Idempotent.
    void destroy();

    class Impl;

private:
    AcceptMutex(MutexMechanism m, std::string lock_file, std::unique_ptr<Impl> impl);

    MutexMechanism mechanism_;
    std::string lock_file_;
    pid_t creator_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sonora::os
