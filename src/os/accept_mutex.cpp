#include "os/accept_mutex.h"

#include "core/strings.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

namespace sonora::os {

namespace {

std::string sys_error(int err, const std::string& what) {
    return errno_text(err) + ": " + what;
}

// Runs a system call again while a signal interrupts it; returns 0 or errno.
template <typename F>
int retry_eintr(F call) {
    for (;;) {
        if (call() == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

// semctl()'s fourth argument, which Linux leaves to the caller to declare.
union SemArg {
    int val;
    semid_ds* buf;
    unsigned short* array;
};

// A shared anonymous mapping made before fork, so every child sees one object.
template <typename T>
T* map_shared() {
    void* p = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<T*>(p);
}

}  // namespace

class AcceptMutex::Impl {
public:
    virtual ~Impl() = default;
    virtual int lock() = 0;
    virtual int try_lock() = 0;
    virtual int unlock() = 0;
    virtual int child_init() { return 0; }
    virtual int set_permissions(uid_t, gid_t) { return 0; }
    virtual bool release_if_held_by(pid_t) { return false; }
    // creator: the process that made the mutex, which removes shared objects.
    virtual void destroy(bool creator) = 0;
};

namespace {

class NoneMutex final : public AcceptMutex::Impl {
public:
    int lock() override { return 0; }
    int try_lock() override { return 0; }
    int unlock() override { return 0; }
    void destroy(bool) override {}
};

// flock(2) locks belong to an open file description, which fork shares: each
// child must open the file again to get one of its own.
class FlockMutex final : public AcceptMutex::Impl {
public:
    FlockMutex(std::string path, int fd) : path_(std::move(path)), fd_(fd), opened_by_(::getpid()) {}

    int lock() override {
        if (opened_by_ != ::getpid()) {
            return EINVAL;
        }
        return retry_eintr([this] { return ::flock(fd_, LOCK_EX); });
    }
    int try_lock() override {
        if (opened_by_ != ::getpid()) {
            return EINVAL;
        }
        int rc = retry_eintr([this] { return ::flock(fd_, LOCK_EX | LOCK_NB); });
        return rc == EWOULDBLOCK ? EBUSY : rc;
    }
    int unlock() override {
        if (opened_by_ != ::getpid()) {
            return EINVAL;
        }
        return retry_eintr([this] { return ::flock(fd_, LOCK_UN); });
    }
    int child_init() override {
        int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            return errno;
        }
        // The inherited descriptor refers to the parent's open file; the
        // parent never locks it, so closing it here drops nothing.
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
        opened_by_ = ::getpid();
        return 0;
    }
    int set_permissions(uid_t uid, gid_t) override {
        return ::chown(path_.c_str(), uid, static_cast<gid_t>(-1)) == 0 ? 0 : errno;
    }
    void destroy(bool creator) override {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
        if (creator) {
            ::unlink(path_.c_str());
        }
    }

private:
    std::string path_;
    int fd_;
    pid_t opened_by_;
};

// POSIX record locks belong to the process and are not inherited across fork,
// so the inherited descriptor serves every child. The file is unlinked once
// open, as httpd does: nothing is left behind if the server is killed.
class FcntlMutex final : public AcceptMutex::Impl {
public:
    explicit FcntlMutex(int fd) : fd_(fd) {}

    int lock() override { return set(F_SETLKW, F_WRLCK); }
    int try_lock() override {
        int rc = set(F_SETLK, F_WRLCK);
        return rc == EAGAIN || rc == EACCES ? EBUSY : rc;
    }
    int unlock() override { return set(F_SETLK, F_UNLCK); }
    void destroy(bool) override {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int set(int cmd, short type) {
        struct flock fl {};
        fl.l_type = type;
        fl.l_whence = SEEK_SET;
        fl.l_start = 0;
        fl.l_len = 0;  // the whole file
        return retry_eintr([&] { return ::fcntl(fd_, cmd, &fl); });
    }

    int fd_;
};

// SEM_UNDO makes the kernel give the unit back when a holder dies.
class SysvSemMutex final : public AcceptMutex::Impl {
public:
    explicit SysvSemMutex(int id) : id_(id) {}

    int lock() override { return op(-1, SEM_UNDO); }
    int try_lock() override {
        int rc = op(-1, SEM_UNDO | IPC_NOWAIT);
        return rc == EAGAIN ? EBUSY : rc;
    }
    int unlock() override { return op(1, SEM_UNDO); }
    int set_permissions(uid_t uid, gid_t gid) override {
        semid_ds ds{};
        SemArg arg{};
        arg.buf = &ds;
        if (::semctl(id_, 0, IPC_STAT, arg) != 0) {
            return errno;
        }
        ds.sem_perm.uid = uid;
        ds.sem_perm.gid = gid;
        ds.sem_perm.mode = 0600;
        return ::semctl(id_, 0, IPC_SET, arg) == 0 ? 0 : errno;
    }
    void destroy(bool creator) override {
        if (creator && id_ >= 0) {
            ::semctl(id_, 0, IPC_RMID);
        }
        id_ = -1;
    }

private:
    int op(short delta, short flags) {
        sembuf b{};
        b.sem_num = 0;
        b.sem_op = delta;
        b.sem_flg = flags;
        return retry_eintr([&] { return ::semop(id_, &b, 1); });
    }

    int id_;
};

// A semaphore has no owner, so the holder's pid is kept beside it for the
// parent's release_if_held_by().
struct SharedSem {
    sem_t sem;
    std::atomic<pid_t> holder;
};
static_assert(std::atomic<pid_t>::is_always_lock_free, "the holder pid is shared between processes");

class PosixSemMutex final : public AcceptMutex::Impl {
public:
    explicit PosixSemMutex(SharedSem* s) : s_(s) {}

    int lock() override {
        int rc = retry_eintr([this] { return ::sem_wait(&s_->sem); });
        if (rc == 0) {
            s_->holder.store(::getpid(), std::memory_order_release);
        }
        return rc;
    }
    int try_lock() override {
        int rc = retry_eintr([this] { return ::sem_trywait(&s_->sem); });
        if (rc == 0) {
            s_->holder.store(::getpid(), std::memory_order_release);
        }
        return rc == EAGAIN ? EBUSY : rc;
    }
    int unlock() override {
        s_->holder.store(0, std::memory_order_release);
        return ::sem_post(&s_->sem) == 0 ? 0 : errno;
    }
    bool release_if_held_by(pid_t pid) override {
        pid_t expected = pid;
        if (pid <= 0 || !s_->holder.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
            return false;
        }
        return ::sem_post(&s_->sem) == 0;
    }
    void destroy(bool creator) override {
        if (s_ == nullptr) {
            return;
        }
        if (creator) {
            ::sem_destroy(&s_->sem);
            s_->~SharedSem();
        }
        ::munmap(s_, sizeof(SharedSem));
        s_ = nullptr;
    }

private:
    SharedSem* s_;
};

class PthreadMutex final : public AcceptMutex::Impl {
public:
    explicit PthreadMutex(pthread_mutex_t* m) : m_(m) {}

    int lock() override { return recover(::pthread_mutex_lock(m_)); }
    int try_lock() override { return recover(::pthread_mutex_trylock(m_)); }
    int unlock() override { return ::pthread_mutex_unlock(m_); }
    void destroy(bool creator) override {
        if (m_ == nullptr) {
            return;
        }
        if (creator) {
            ::pthread_mutex_destroy(m_);
        }
        ::munmap(m_, sizeof(pthread_mutex_t));
        m_ = nullptr;
    }

private:
    // The previous holder died holding the lock: this caller now holds it.
    // The accept mutex guards no data, so it is consistent again at once.
    int recover(int rc) {
        if (rc == EOWNERDEAD) {
            return ::pthread_mutex_consistent(m_);
        }
        return rc;
    }

    pthread_mutex_t* m_;
};

int create_pthread(pthread_mutex_t*& out) {
    auto* m = map_shared<pthread_mutex_t>();
    if (m == nullptr) {
        return errno;
    }
    pthread_mutexattr_t attr;
    int rc = ::pthread_mutexattr_init(&attr);
    if (rc == 0) {
        rc = ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        if (rc == 0) {
            rc = ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        }
        if (rc == 0) {
            rc = ::pthread_mutex_init(m, &attr);
        }
        ::pthread_mutexattr_destroy(&attr);
    }
    if (rc != 0) {
        ::munmap(m, sizeof(pthread_mutex_t));
        return rc;
    }
    out = m;
    return 0;
}

int create_posixsem(SharedSem*& out) {
    void* p = map_shared<SharedSem>();
    if (p == nullptr) {
        return errno;
    }
    auto* s = new (p) SharedSem{};
    if (::sem_init(&s->sem, 1, 1) != 0) {
        int err = errno;
        ::munmap(p, sizeof(SharedSem));
        return err;
    }
    s->holder.store(0);
    out = s;
    return 0;
}

int create_sysvsem(int& out) {
    int id = ::semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (id < 0) {
        return errno;
    }
    SemArg arg{};
    arg.val = 1;
    if (::semctl(id, 0, SETVAL, arg) != 0) {
        int err = errno;
        ::semctl(id, 0, IPC_RMID);
        return err;
    }
    out = id;
    return 0;
}

}  // namespace

std::optional<MutexMechanism> parse_mutex_mechanism(std::string_view word) {
    if (equals_nocase(word, "default") || equals_nocase(word, "yes")) {
        return kDefaultMutexMechanism;
    }
    if (equals_nocase(word, "none") || equals_nocase(word, "no")) {
        return MutexMechanism::None;
    }
    if (equals_nocase(word, "flock")) {
        return MutexMechanism::Flock;
    }
    if (equals_nocase(word, "fcntl") || equals_nocase(word, "file")) {
        return MutexMechanism::Fcntl;
    }
    if (equals_nocase(word, "sysvsem")) {
        return MutexMechanism::SysvSem;
    }
    if (equals_nocase(word, "posixsem") || equals_nocase(word, "sem")) {
        return MutexMechanism::PosixSem;
    }
    if (equals_nocase(word, "pthread")) {
        return MutexMechanism::Pthread;
    }
    return std::nullopt;
}

std::string_view mutex_mechanism_name(MutexMechanism m) {
    switch (m) {
    case MutexMechanism::None:
        return "none";
    case MutexMechanism::Flock:
        return "flock";
    case MutexMechanism::Fcntl:
        return "fcntl";
    case MutexMechanism::SysvSem:
        return "sysvsem";
    case MutexMechanism::PosixSem:
        return "posixsem";
    case MutexMechanism::Pthread:
        return "pthread";
    }
    return "none";
}

MutexChoice resolve_mutex_setting(const MutexSpec* own, const MutexSpec* default_line,
                                  std::string_view runtime_dir) {
    MutexChoice c;
    c.mechanism = own != nullptr ? own->mechanism : default_line != nullptr ? default_line->mechanism : "default";
    if (own != nullptr && !own->path.empty()) {
        c.dir = own->path;
    } else if (default_line != nullptr && !default_line->path.empty()) {
        c.dir = default_line->path;
    } else {
        c.dir = std::string(runtime_dir);
    }
    return c;
}

std::string mutex_lock_file(std::string_view dir, std::string_view name, int instance,
                            std::string_view suffix) {
    std::string path(dir);
    if (path.empty() || path.back() != '/') {
        path += '/';
    }
    path.append(name);
    path += '-';
    path += std::to_string(instance);
    path += '.';
    path.append(suffix);
    return path;
}

std::optional<std::string> AcceptMutex::create(const AcceptMutexOptions& options,
                                               std::unique_ptr<AcceptMutex>& out) {
    out.reset();
    std::optional<MutexMechanism> mech = parse_mutex_mechanism(options.mechanism);
    if (!mech) {
        return "Couldn't create the " + options.name + " mutex: unknown mechanism '" + options.mechanism + "'";
    }
    const std::string what = "Couldn't create the " + options.name + " mutex";
    std::string file;
    std::unique_ptr<Impl> impl;
    int err = 0;
    switch (*mech) {
    case MutexMechanism::None:
        impl = std::make_unique<NoneMutex>();
        break;
    case MutexMechanism::Flock:
    case MutexMechanism::Fcntl: {
        if (options.dir.empty()) {
            return what + ": no directory for its lock file";
        }
        file = mutex_lock_file(options.dir, options.name, options.instance, options.suffix);
        int flags = (*mech == MutexMechanism::Flock ? O_WRONLY : O_RDWR) | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
        int fd = ::open(file.c_str(), flags, 0600);
        if (fd < 0) {
            return sys_error(errno, what + " (file " + file + ")");
        }
        if (*mech == MutexMechanism::Flock) {
            impl = std::make_unique<FlockMutex>(file, fd);
        } else {
            ::unlink(file.c_str());
            impl = std::make_unique<FcntlMutex>(fd);
        }
        break;
    }
    case MutexMechanism::SysvSem: {
        int id = -1;
        err = create_sysvsem(id);
        if (err == 0) {
            impl = std::make_unique<SysvSemMutex>(id);
        }
        break;
    }
    case MutexMechanism::PosixSem: {
        SharedSem* s = nullptr;
        err = create_posixsem(s);
        if (err == 0) {
            impl = std::make_unique<PosixSemMutex>(s);
        }
        break;
    }
    case MutexMechanism::Pthread: {
        pthread_mutex_t* m = nullptr;
        err = create_pthread(m);
        if (err == 0) {
            impl = std::make_unique<PthreadMutex>(m);
        }
        break;
    }
    }
    if (err != 0) {
        return sys_error(err, what + " (" + std::string(mutex_mechanism_name(*mech)) + ")");
    }
    out.reset(new AcceptMutex(*mech, std::move(file), std::move(impl)));
    return std::nullopt;
}

AcceptMutex::AcceptMutex(MutexMechanism m, std::string lock_file, std::unique_ptr<Impl> impl)
    : mechanism_(m), lock_file_(std::move(lock_file)), creator_(::getpid()), impl_(std::move(impl)) {}

AcceptMutex::~AcceptMutex() {
    destroy();
}

std::optional<std::string> AcceptMutex::set_permissions(uid_t uid, gid_t gid) {
    if (!impl_) {
        return std::string("the mutex was destroyed");
    }
    if (int err = impl_->set_permissions(uid, gid)) {
        std::string object = lock_file_.empty() ? std::string(mechanism_name()) : lock_file_;
        return sys_error(err, "Couldn't set permissions on the cross-process lock (" + object + ")");
    }
    return std::nullopt;
}

std::optional<std::string> AcceptMutex::child_init() {
    if (!impl_) {
        return std::string("the mutex was destroyed");
    }
    if (int err = impl_->child_init()) {
        return sys_error(err, "Couldn't initialize cross-process lock in child (" +
                                  (lock_file_.empty() ? std::string("none") : lock_file_) + ") (" +
                                  std::string(mechanism_name()) + ")");
    }
    return std::nullopt;
}

int AcceptMutex::lock() {
    return impl_ ? impl_->lock() : EINVAL;
}

int AcceptMutex::try_lock() {
    return impl_ ? impl_->try_lock() : EINVAL;
}

int AcceptMutex::unlock() {
    return impl_ ? impl_->unlock() : EINVAL;
}

bool AcceptMutex::release_if_held_by(pid_t pid) {
    return impl_ && impl_->release_if_held_by(pid);
}

void AcceptMutex::destroy() {
    if (impl_) {
        impl_->destroy(::getpid() == creator_);
        impl_.reset();
    }
}

}  // namespace sonora::os
