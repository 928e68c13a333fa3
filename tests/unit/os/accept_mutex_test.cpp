// The accept mutex across real processes: every mechanism excludes forked
// children from each other, survives (or, for posixsem, documents) a holder
// killed while holding it, and names its lock files as httpd does.

#include "mpm/settings.h"
#include "os/accept_mutex.h"

#include "modules/core/core_config.h"
#include "../support/config_fixture.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace sonora::os {
namespace {

using namespace std::chrono_literals;

// A directory of its own per test, removed afterwards.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sonora-mutex-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    bool empty() const { return std::filesystem::is_empty(path_); }

private:
    std::string path_;
};

// Unique per mutex in this test process, as the parent's pid is per server.
std::string unique_suffix() {
    static int n = 0;
    return std::to_string(::getpid()) + "x" + std::to_string(++n);
}

// State shared by the test process and its children.
struct Shared {
    std::atomic<int> counter{0};
    std::atomic<int> holders{0};
    std::atomic<int> overlaps{0};
    std::atomic<int> holding{0};
};

class SharedMemory {
public:
    SharedMemory() {
        void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            throw std::runtime_error("mmap failed");
        }
        s_ = new (p) Shared{};
    }
    ~SharedMemory() {
        s_->~Shared();
        ::munmap(s_, sizeof(Shared));
    }
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;
    Shared* operator->() const { return s_; }

private:
    Shared* s_;
};

// Children forked by a test; any still running when it ends are killed and
// reaped, so a failed assertion never leaves a process behind.
class Children {
public:
    ~Children() {
        for (pid_t p : pids_) {
            ::kill(p, SIGKILL);
            ::waitpid(p, nullptr, 0);
        }
    }
    // Runs `body` in a child, which exits with its return value.
    pid_t spawn(const std::function<int()>& body) {
        pid_t p = ::fork();
        if (p == 0) {
            int code = 99;
            try {
                code = body();
            } catch (...) {
            }
            ::_exit(code);
        }
        if (p > 0) {
            pids_.push_back(p);
        }
        return p;
    }
    // The child's exit code; -1 if it did not exit within `limit` (it is then
    // killed), -2 if a signal ended it.
    int wait(pid_t p, std::chrono::milliseconds limit = 20s) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        for (;;) {
            pid_t r = ::waitpid(p, &status, WNOHANG);
            if (r == p) {
                forget(p);
                return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
            }
            if (r < 0 && errno != EINTR) {
                forget(p);
                return -3;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(p, SIGKILL);
                ::waitpid(p, nullptr, 0);
                forget(p);
                return -1;
            }
            std::this_thread::sleep_for(2ms);
        }
    }
    void kill_and_reap(pid_t p) {
        ::kill(p, SIGKILL);
        ::waitpid(p, nullptr, 0);
        forget(p);
    }

private:
    void forget(pid_t p) { std::erase(pids_, p); }
    std::vector<pid_t> pids_;
};

// Waits (bounded) until `flag` reads `value`.
bool wait_for(const std::atomic<int>& flag, int value, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (flag.load() != value) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

std::unique_ptr<AcceptMutex> make(const std::string& mechanism, const std::string& dir, int instance = 0) {
    AcceptMutexOptions o;
    o.mechanism = mechanism;
    o.dir = dir;
    o.instance = instance;
    o.suffix = unique_suffix();
    std::unique_ptr<AcceptMutex> m;
    auto err = AcceptMutex::create(o, m);
    EXPECT_FALSE(err) << *err;
    return m;
}

// ---- the Mutex words and httpd's naming ----

TEST(AcceptMutexNames, MechanismWordsAsTheMutexDirective) {
    struct Case {
        const char* word;
        std::optional<MutexMechanism> mech;
    } cases[] = {
        {"default", MutexMechanism::Pthread}, {"yes", MutexMechanism::Pthread},
        {"DEFAULT", MutexMechanism::Pthread}, {"none", MutexMechanism::None},
        {"no", MutexMechanism::None},         {"flock", MutexMechanism::Flock},
        {"fcntl", MutexMechanism::Fcntl},     {"file", MutexMechanism::Fcntl},
        {"sysvsem", MutexMechanism::SysvSem}, {"posixsem", MutexMechanism::PosixSem},
        {"sem", MutexMechanism::PosixSem},    {"pthread", MutexMechanism::Pthread},
        {"Flock", MutexMechanism::Flock},     {"bogus", std::nullopt},
        {"", std::nullopt},                   {"flock:/x", std::nullopt},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(parse_mutex_mechanism(c.word), c.mech) << c.word;
    }
    EXPECT_EQ(mutex_mechanism_name(MutexMechanism::Pthread), "pthread");
    EXPECT_EQ(mutex_mechanism_name(MutexMechanism::PosixSem), "posixsem");
    EXPECT_EQ(mutex_mechanism_name(MutexMechanism::None), "none");
}

TEST(AcceptMutexNames, LockFileAsHttpdNamesIt) {
    EXPECT_EQ(mutex_lock_file("/var/run/apache2", "mpm-accept", 0, "1234"), "/var/run/apache2/mpm-accept-0.1234");
    EXPECT_EQ(mutex_lock_file("/var/lock/", "mpm-accept", 3, "77"), "/var/lock/mpm-accept-3.77");
}

TEST(AcceptMutexNames, OneListenerNeedsNoMutex) {
    EXPECT_FALSE(accept_needs_mutex(0));
    EXPECT_FALSE(accept_needs_mutex(1));
    EXPECT_TRUE(accept_needs_mutex(2));
}

// Each case was run on Apache 2.4.71 (prefork, two Listens) and the lock file
// or the "Accept mutex:" debug line observed.
TEST(AcceptMutexNames, ResolvesTheSettingAsHttpd) {
    MutexSpec flock_dir{"flock", "/locks"};
    MutexSpec fcntl_dir{"fcntl", "/locks"};
    MutexSpec flock_nodir{"flock", ""};
    MutexSpec dflt{"default", ""};
    MutexSpec sysv{"sysvsem", ""};

    auto c = resolve_mutex_setting(nullptr, nullptr, "/run");
    EXPECT_EQ(c.mechanism, "default");
    EXPECT_EQ(c.dir, "/run");
    c = resolve_mutex_setting(&flock_dir, nullptr, "/run");  // Mutex flock:/locks mpm-accept
    EXPECT_EQ(c.mechanism, "flock");
    EXPECT_EQ(c.dir, "/locks");
    c = resolve_mutex_setting(nullptr, &flock_nodir, "/run");  // Mutex flock default
    EXPECT_EQ(c.mechanism, "flock");
    EXPECT_EQ(c.dir, "/run");
    c = resolve_mutex_setting(&flock_nodir, &fcntl_dir, "/run");  // own mechanism, default's dir
    EXPECT_EQ(c.mechanism, "flock");
    EXPECT_EQ(c.dir, "/locks");
    c = resolve_mutex_setting(&dflt, &flock_nodir, "/run");  // own "default" is pthread, not flock
    EXPECT_EQ(c.mechanism, "default");
    c = resolve_mutex_setting(&flock_dir, &sysv, "/run");
    EXPECT_EQ(c.mechanism, "flock");
    EXPECT_EQ(c.dir, "/locks");
}

// The integrator's path from core's stored Mutex lines to a choice.
TEST(AcceptMutexNames, FromCoreConfiguration) {
    test::ConfigRoot root;
    std::filesystem::create_directories(root.path() + "/locks");
    auto gen = root.load("LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\nMutex fcntl:" + root.path() +
                         "/locks default\nMutex flock mpm-accept\n");
    const auto& mutexes = gen->main_conf<modules::core::CoreServerConfig>(modules::core::core_module).mutexes;
    auto spec = [&](const char* name) -> std::optional<MutexSpec> {
        auto it = mutexes.find(name);
        if (it == mutexes.end()) {
            return std::nullopt;
        }
        return MutexSpec{it->second.mechanism, it->second.path};
    };
    auto own = spec("mpm-accept");
    auto def = spec("default");
    ASSERT_TRUE(own && def);
    auto c = resolve_mutex_setting(&*own, &*def, root.path() + "/logs");
    EXPECT_EQ(c.mechanism, "flock");
    EXPECT_EQ(c.dir, root.path() + "/locks");
}

// httpd 2.4 dropped 2.2's AcceptMutex (Apache 2.4.71 answers "Invalid
// command 'AcceptMutex'"); Sonora keeps it as the 2.2 spelling of `Mutex
// <mechanism> mpm-accept` for the MPMs that take an accept mutex, and like
// httpd's event MPM, which takes none, refuses any accept mutex under event.
TEST(AcceptMutexNames, AcceptMutexIsHttpd22sSpellingAndEventTakesNone) {
    test::ConfigRoot root;
    try {
        root.load("AcceptMutex flock\n");
        ADD_FAILURE() << "AcceptMutex accepted under event";
    } catch (const config::ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'AcceptMutex', perhaps misspelled or defined by a module not included in "
                  "the server configuration");
    }
    try {
        root.load("Mutex flock mpm-accept\n");
        ADD_FAILURE() << "an accept mutex accepted under event";
    } catch (const config::ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "Mutex type mpm-accept is not valid");
    }
    auto gen = root.load("LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\nAcceptMutex sysvsem\n"
                         "LockFile /var/lock/x/accept.lock\nSingleListenUnserializedAccept off\n");
    std::vector<std::string> warnings;
    const mpm::Settings settings = mpm::Settings::from(*gen, warnings);
    EXPECT_EQ(settings.accept_mechanism, "sysvsem");
    EXPECT_EQ(settings.accept_mutex_dir, "/var/lock/x");
    EXPECT_TRUE(settings.serializes(1));
    try {
        root.load("LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\nAcceptMutex spinlock\n");
        ADD_FAILURE() << "an unknown mechanism accepted";
    } catch (const config::ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "Invalid AcceptMutex argument spinlock (the mechanisms are: default, "
                                         "flock, fcntl, sysvsem, posixsem, pthread, none)");
    }
}

// ---- creation, files, errors ----

TEST(AcceptMutexCreate, FlockKeepsItsFileUntilDestroy) {
    TempDir dir;
    AcceptMutexOptions o{"flock", dir.path(), "mpm-accept", 3, "4242"};
    std::unique_ptr<AcceptMutex> m;
    ASSERT_FALSE(AcceptMutex::create(o, m));
    EXPECT_EQ(m->mechanism(), MutexMechanism::Flock);
    EXPECT_EQ(m->lock_file(), dir.path() + "/mpm-accept-3.4242");
    struct stat st{};
    ASSERT_EQ(::stat(m->lock_file().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    m->destroy();
    EXPECT_TRUE(dir.empty());
    m->destroy();  // idempotent
    EXPECT_EQ(m->lock(), EINVAL);
}

TEST(AcceptMutexCreate, FcntlUnlinksItsFileAtOnce) {
    TempDir dir;
    auto m = make("fcntl", dir.path());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mechanism(), MutexMechanism::Fcntl);
    EXPECT_NE(m->lock_file().find(dir.path() + "/mpm-accept-0."), std::string::npos);
    EXPECT_TRUE(dir.empty());
    EXPECT_EQ(m->lock(), 0);
    EXPECT_EQ(m->unlock(), 0);
}

TEST(AcceptMutexCreate, OthersUseNoFile) {
    TempDir dir;
    for (const char* mech : {"sysvsem", "posixsem", "pthread", "default", "none"}) {
        auto m = make(mech, dir.path());
        ASSERT_TRUE(m) << mech;
        EXPECT_TRUE(m->lock_file().empty()) << mech;
        EXPECT_TRUE(dir.empty()) << mech;
        EXPECT_EQ(m->lock(), 0) << mech;
        EXPECT_EQ(m->unlock(), 0) << mech;
    }
    EXPECT_EQ(make("default", dir.path())->mechanism(), MutexMechanism::Pthread);
}

TEST(AcceptMutexCreate, MissingDirectoryNamesTheFile) {
    TempDir dir;
    for (const char* mech : {"flock", "fcntl", "file"}) {
        AcceptMutexOptions o{mech, dir.path() + "/missing", "mpm-accept", 0, "99"};
        std::unique_ptr<AcceptMutex> m;
        auto err = AcceptMutex::create(o, m);
        ASSERT_TRUE(err) << mech;
        EXPECT_EQ(*err, "(2)No such file or directory: Couldn't create the mpm-accept mutex (file " + dir.path() +
                            "/missing/mpm-accept-0.99)");
        EXPECT_FALSE(m);
    }
}

TEST(AcceptMutexCreate, FileMechanismsNeedADirectory) {
    for (const char* mech : {"flock", "fcntl"}) {
        AcceptMutexOptions o{mech, "", "mpm-accept", 0, "1"};
        std::unique_ptr<AcceptMutex> m;
        auto err = AcceptMutex::create(o, m);
        ASSERT_TRUE(err) << mech;
        EXPECT_EQ(*err, "Couldn't create the mpm-accept mutex: no directory for its lock file");
        EXPECT_FALSE(m);
    }
}

TEST(AcceptMutexCreate, UnknownMechanism) {
    AcceptMutexOptions o{"bogus", "/tmp", "mpm-accept", 0, "1"};
    std::unique_ptr<AcceptMutex> m;
    auto err = AcceptMutex::create(o, m);
    ASSERT_TRUE(err);
    EXPECT_EQ(*err, "Couldn't create the mpm-accept mutex: unknown mechanism 'bogus'");
    EXPECT_FALSE(m);
}

TEST(AcceptMutexCreate, ChildInitFailureNamesTheFile) {
    TempDir dir;
    auto m = make("flock", dir.path());
    ASSERT_TRUE(m);
    std::string file = m->lock_file();
    ::unlink(file.c_str());
    auto err = m->child_init();
    ASSERT_TRUE(err);
    EXPECT_EQ(*err, "(2)No such file or directory: Couldn't initialize cross-process lock in child (" + file +
                        ") (flock)");
}

TEST(AcceptMutexCreate, NoneIsANoOp) {
    auto m = make("none", "");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mechanism(), MutexMechanism::None);
    EXPECT_FALSE(m->child_init());
    EXPECT_FALSE(m->set_permissions(0, 0));
    ASSERT_EQ(m->lock(), 0);
    // Held here, yet another process takes it at once: nothing is serialised.
    Children kids;
    pid_t p = kids.spawn([&] { return m->lock() == 0 && m->try_lock() == 0 && m->unlock() == 0 ? 0 : 1; });
    EXPECT_EQ(kids.wait(p), 0);
    EXPECT_EQ(m->unlock(), 0);
    EXPECT_FALSE(m->release_if_held_by(p));
}

// A child that runs destroy() (or the destructor) leaves the mutex to the others.
TEST(AcceptMutexCreate, DestroyInAChildRemovesNothing) {
    TempDir dir;
    auto m = make("flock", dir.path());
    ASSERT_TRUE(m);
    Children kids;
    pid_t p = kids.spawn([&] {
        m->destroy();
        return 0;
    });
    ASSERT_EQ(kids.wait(p), 0);
    EXPECT_TRUE(std::filesystem::exists(m->lock_file()));
    EXPECT_EQ(m->lock(), 0);
    EXPECT_EQ(m->unlock(), 0);
}

// flock(2) shares a lock between the holders of one open file description, so
// a child that skipped child_init() would not be excluded: lock() refuses.
TEST(AcceptMutexCreate, FlockChildWithoutChildInitIsRefused) {
    TempDir dir;
    auto m = make("flock", dir.path());
    ASSERT_TRUE(m);
    Children kids;
    pid_t p = kids.spawn([&] { return m->lock() == EINVAL && m->try_lock() == EINVAL ? 0 : 1; });
    EXPECT_EQ(kids.wait(p), 0);
}

// ---- mutual exclusion across processes ----

class AcceptMutexMechanism : public ::testing::TestWithParam<const char*> {};

// Children increment a shared counter with a separate read and write and a
// sleep between them; a second holder inside would be seen by `holders` and
// would lose increments.
TEST_P(AcceptMutexMechanism, ExcludesForkedChildren) {
    constexpr int kChildren = 4;
    constexpr int kRounds = 30;
    TempDir dir;
    SharedMemory shared;
    auto m = make(GetParam(), dir.path());
    ASSERT_TRUE(m);
    Children kids;
    std::vector<pid_t> pids;
    for (int i = 0; i < kChildren; ++i) {
        pids.push_back(kids.spawn([&] {
            if (m->child_init()) {
                return 10;
            }
            for (int r = 0; r < kRounds; ++r) {
                if (m->lock() != 0) {
                    return 11;
                }
                if (shared->holders.fetch_add(1) != 0) {
                    shared->overlaps.fetch_add(1);
                }
                int v = shared->counter.load();
                ::usleep(100);
                shared->counter.store(v + 1);
                shared->holders.fetch_sub(1);
                if (m->unlock() != 0) {
                    return 12;
                }
            }
            return 0;
        }));
        ASSERT_GT(pids.back(), 0);
    }
    for (pid_t p : pids) {
        EXPECT_EQ(kids.wait(p), 0) << GetParam();
    }
    EXPECT_EQ(shared->counter.load(), kChildren * kRounds) << GetParam();
    EXPECT_EQ(shared->overlaps.load(), 0) << GetParam();
}

// While one child holds it, nobody else gets it.
TEST_P(AcceptMutexMechanism, TryLockSeesAnotherHolder) {
    TempDir dir;
    SharedMemory shared;
    auto m = make(GetParam(), dir.path());
    ASSERT_TRUE(m);
    Children kids;
    pid_t holder = kids.spawn([&] {
        if (m->child_init() || m->lock() != 0) {
            return 1;
        }
        shared->holding.store(1);
        wait_for(shared->holding, 2);
        return m->unlock() == 0 ? 0 : 2;
    });
    ASSERT_TRUE(wait_for(shared->holding, 1));
    EXPECT_EQ(m->try_lock(), EBUSY) << GetParam();
    shared->holding.store(2);
    EXPECT_EQ(kids.wait(holder), 0);
    EXPECT_EQ(m->try_lock(), 0) << GetParam();
    EXPECT_EQ(m->unlock(), 0);
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, AcceptMutexMechanism,
                         ::testing::Values("flock", "fcntl", "sysvsem", "posixsem", "pthread", "default"),
                         [](const auto& p) { return std::string(p.param); });

// ---- a holder killed while holding ----

class AcceptMutexSelfHealing : public ::testing::TestWithParam<const char*> {};

// The kernel (flock, fcntl), SEM_UNDO (sysvsem) or the robust mutex
// (pthread) gives the lock back: the next child gets it.
TEST_P(AcceptMutexSelfHealing, KilledHolderDoesNotDeadlockTheOthers) {
    TempDir dir;
    SharedMemory shared;
    auto m = make(GetParam(), dir.path());
    ASSERT_TRUE(m);
    Children kids;
    pid_t holder = kids.spawn([&] {
        if (m->child_init() || m->lock() != 0) {
            return 1;
        }
        shared->holding.store(1);
        ::sleep(30);  // killed long before
        return 2;
    });
    ASSERT_TRUE(wait_for(shared->holding, 1));
    EXPECT_EQ(m->try_lock(), EBUSY);
    kids.kill_and_reap(holder);

    pid_t next = kids.spawn([&] {
        if (m->child_init() || m->lock() != 0) {
            return 1;
        }
        shared->holding.store(2);
        return m->unlock() == 0 ? 0 : 3;
    });
    EXPECT_EQ(kids.wait(next, 10s), 0) << GetParam() << ": -1 is a deadlock";
    EXPECT_EQ(shared->holding.load(), 2);
    // And it stays usable afterwards (a robust mutex made consistent again).
    EXPECT_EQ(m->lock(), 0);
    EXPECT_EQ(m->unlock(), 0);
    EXPECT_FALSE(m->release_if_held_by(holder));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, AcceptMutexSelfHealing, ::testing::Values("flock", "fcntl", "sysvsem", "pthread"),
                         [](const auto& p) { return std::string(p.param); });

// A POSIX semaphore has no owner: as httpd documents, a killed holder leaves
// it taken. The parent gives it back with release_if_held_by(pid).
TEST(AcceptMutexPosixSem, KilledHolderKeepsItUntilTheParentReleasesIt) {
    SharedMemory shared;
    auto m = make("posixsem", "");
    ASSERT_TRUE(m);
    Children kids;
    pid_t holder = kids.spawn([&] {
        if (m->child_init() || m->lock() != 0) {
            return 1;
        }
        shared->holding.store(1);
        ::sleep(30);
        return 2;
    });
    ASSERT_TRUE(wait_for(shared->holding, 1));
    kids.kill_and_reap(holder);
    EXPECT_EQ(m->try_lock(), EBUSY);  // still taken: this is httpd's hang
    EXPECT_FALSE(m->release_if_held_by(holder + 100000));
    EXPECT_FALSE(m->release_if_held_by(0));
    EXPECT_EQ(m->try_lock(), EBUSY);
    EXPECT_TRUE(m->release_if_held_by(holder));
    EXPECT_FALSE(m->release_if_held_by(holder));  // only once

    pid_t next = kids.spawn([&] { return m->lock() == 0 && m->unlock() == 0 ? 0 : 1; });
    EXPECT_EQ(kids.wait(next, 10s), 0);
    EXPECT_EQ(m->try_lock(), 0);
    EXPECT_EQ(m->unlock(), 0);
}

// ---- children that gave up root ----

// As root, the parent hands the lock file and the semaphore to the server's
// user; a child that has switched to that user can then use them.
TEST(AcceptMutexPermissions, ChildrenAfterSetuidCanUseTheMutex) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root";
    }
    const uid_t kNobody = 65534;
    TempDir dir;
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    for (const char* mech : {"flock", "sysvsem", "fcntl", "posixsem", "pthread"}) {
        auto m = make(mech, dir.path());
        ASSERT_TRUE(m);
        auto as_nobody = [&] {
            if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
                return 5;
            }
            if (m->child_init()) {
                return 6;
            }
            return m->lock() == 0 && m->unlock() == 0 ? 0 : 7;
        };
        Children kids;
        if (std::string(mech) == "flock" || std::string(mech) == "sysvsem") {
            // Without the hand-over, root's 0600 objects are out of reach.
            EXPECT_NE(kids.wait(kids.spawn(as_nobody)), 0) << mech;
        }
        ASSERT_FALSE(m->set_permissions(kNobody, kNobody)) << mech;
        if (std::string(mech) == "flock") {
            struct stat st{};
            ASSERT_EQ(::stat(m->lock_file().c_str(), &st), 0);
            EXPECT_EQ(st.st_uid, kNobody);
        }
        EXPECT_EQ(kids.wait(kids.spawn(as_nobody)), 0) << mech;
    }
}

}  // namespace
}  // namespace sonora::os
