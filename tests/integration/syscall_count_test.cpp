// The seeds' two examples of per-request file-system work, counted with
// strace on the real binary: under `Options SymLinksIfOwnerMatch` httpd
// lstat()s every component of the path on every request, and under
// `AllowOverride All` it opens a .htaccess candidate in every directory on
// every request. Sonora asks on the first request and then keeps the answers
// (fs_verdicts.h, access_files.h) until inotify reports a change, so later
// requests, on the same connection or a new one, ask nothing. Apache, when
// installed, runs the same configuration and shows the seeds' cost on every
// request. The counts are quoted in docs/ARCHITECTURE.md.
//
// The server runs as one process (-X) under `strace -f`, so the trace holds
// every call it makes; each request's calls are those made from the moment
// it was sent until the next one was. That an edit, a replacement or a
// removal of a .htaccess file takes effect on the very next request is
// Restrictions.AnEditTakesEffectOnTheNextRequest (restrictions_test.cpp);
// here an edit is followed only far enough to count what it costs: the one
// changed file is asked again, nothing else.

#include "support/client.h"
#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

namespace fs = std::filesystem;

// Whether strace runs here and may trace its child (containers often forbid
// ptrace); `why` says what went wrong.
bool strace_can_trace(std::string& why) {
    TempDir dir;
    const std::string out = dir.str() + "/probe";
    const std::string command = "strace -f -qq -o " + out + " -e trace=openat /bin/true 2>" + dir.str() + "/err";
    const int status = std::system(command.c_str());
    if (status == 0 && fs::exists(out)) {
        return true;
    }
    why = read_file(dir.str() + "/err");
    return false;
}

// One traced call: what it was, on which path, and when (strace -ttt).
struct Call {
    double time = 0;
    std::string name;  // lstat, stat, open: newfstatat and statx as what their flags make them
    std::string path;
};

std::vector<Call> parse_trace(const std::string& text) {
    // "PID SECONDS.MICROS name(args" with a first argument that may be a
    // directory descriptor; "<... name resumed>" lines carry no path.
    static const std::regex line_re(R"(^\d+\s+(\d+\.\d+)\s+(\w+)\((.*)$)");
    static const std::regex path_re(R"re(^(?:AT_FDCWD, |\d+, )?"((?:[^"\\]|\\.)*)")re");
    std::vector<Call> calls;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, line_re)) {
            continue;
        }
        const std::string name = m[2];
        const std::string args = m[3];
        std::smatch p;
        if (!std::regex_search(args, p, path_re) || p[1].length() == 0) {
            continue;  // fstat() of a descriptor
        }
        Call c;
        c.time = std::stod(m[1]);
        c.path = p[1];
        if (name == "open" || name == "openat") {
            c.name = "open";
        } else if (name == "lstat" || args.find("AT_SYMLINK_NOFOLLOW") != std::string::npos) {
            c.name = "lstat";
        } else if (name == "stat" || name == "newfstatat" || name == "statx") {
            c.name = "stat";
        } else {
            continue;
        }
        calls.push_back(std::move(c));
    }
    return calls;
}

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A site with its DocumentRoot four directories below the temporary root,
// an index.html in it and one .htaccess on the way (in l1), served by
// Sonora or Apache under strace.
class SyscallCount : public ::testing::Test {
protected:
    SyscallCount() : site("") {
        // Canonical, so that no component is a link (a link is never kept).
        htdocs = fs::canonical(site.root().path()).string() + "/htdocs";
        docroot = htdocs + "/l1/l2/l3";
        site.write_doc("l1/l2/l3/index.html", "<p>index</p>\n");
        site.write_doc("l1/.htaccess", "DirectoryIndex index.html\n");
        for (std::string at = docroot + "/index.html"; at != "/"; at = fs::path(at).parent_path().string()) {
            components.insert(components.begin(), at);
        }
        candidates.push_back("/.htaccess");
        for (std::size_t i = 0; i + 1 < components.size(); ++i) {
            candidates.push_back(components[i] + "/.htaccess");
        }
    }

    void SetUp() override {
        if (::access("/usr/bin/strace", X_OK) != 0 && std::system("command -v strace >/dev/null") != 0) {
            FAIL() << "strace is missing: scripts/install-deps.sh --test installs it";
        }
        std::string why;
        if (!strace_can_trace(why)) {
            GTEST_SKIP() << "strace cannot trace here: " << why;
        }
    }

    void configure(const std::string& dir_rules) {
        site.append_config("DocumentRoot \"" + docroot + "\"\n<Directory />\n" + dir_rules +
                           "\nRequire all granted\n</Directory>\n");
    }

    // What one request cost: its calls, by kind, and the status it got.
    struct Window {
        int status = 0;
        std::vector<Call> calls;
        int count(const std::string& name, const std::vector<std::string>& paths) const {
            int n = 0;
            for (const Call& c : calls) {
                n += c.name == name && std::find(paths.begin(), paths.end(), c.path) != paths.end();
            }
            return n;
        }
        std::multiset<std::string> paths(const std::string& name, const std::vector<std::string>& among) const {
            std::multiset<std::string> out;
            for (const Call& c : calls) {
                if (c.name == name && std::find(among.begin(), among.end(), c.path) != among.end()) {
                    out.insert(c.path);
                }
            }
            return out;
        }
        std::string dump() const {
            std::string s;
            for (const Call& c : calls) {
                s += "  " + c.name + " " + c.path + "\n";
            }
            return s;
        }
    };

    // Runs `which` under strace and GETs /index.html: three times on one
    // keep-alive connection, then once on a new connection; then `edit`
    // (if given) and once more on that connection. One Window per request.
    std::vector<Window> run(const std::string& which, const std::function<void()>& edit = {}) {
        TempDir traces;  // outside the site: nothing the server watches
        const std::string trace = traces.str() + "/trace";
        BinaryServer server = site.server(which);
        server.run_under({"strace", "-f", "-qq", "-ttt", "-s", "4096", "-e",
                          "trace=lstat,newfstatat,stat,statx,openat,open", "-o", trace},
                         {"-X"});
        std::vector<Window> windows;
        if (!server.start()) {
            ADD_FAILURE() << which << " did not start under strace: " << server.startup_error;
            return windows;
        }
        std::vector<double> sent;
        auto get = [&](KeepAliveClient& client) {
            sent.push_back(now_seconds());
            windows.emplace_back().status = client.get("/index.html").status;
        };
        {
            KeepAliveClient first(site.port());
            for (int i = 0; i < 3; ++i) {
                get(first);
            }
        }
        KeepAliveClient second(site.port());
        get(second);
        if (edit) {
            edit();
            get(second);
        }
        second.disconnect();
        server.stop();  // strace has written everything once its child is gone
        sent.push_back(1e18);
        for (Call& c : parse_trace(read_file(trace))) {
            for (std::size_t i = 0; i < windows.size(); ++i) {
                if (c.time >= sent[i] && c.time < sent[i + 1]) {
                    windows[i].calls.push_back(c);
                }
            }
        }
        return windows;
    }

    TwinSite site;
    std::string htdocs;
    std::string docroot;
    std::vector<std::string> components;  // /tmp, ..., .../l3/index.html: what lstat() is asked of
    std::vector<std::string> candidates;  // /.htaccess, ..., .../l3/.htaccess
};

// Seed: "Options SymLinksIfOwnerMatch ... a request for /index.html: lstat(2)
// on each component; the results are never cached".
TEST_F(SyscallCount, SymLinksIfOwnerMatchLstatsEachComponentOnce) {
    configure("Options SymLinksIfOwnerMatch\nAllowOverride None");
    const std::vector<Window> w = run("sonora");
    ASSERT_EQ(w.size(), 4u);
    std::multiset<std::string> each(components.begin(), components.end());
    EXPECT_EQ(w[0].status, 200);
    EXPECT_EQ(w[0].paths("lstat", components), each) << w[0].dump();
    EXPECT_EQ(w[0].count("lstat", components), static_cast<int>(components.size()));  // 7 under /tmp
    for (std::size_t i = 1; i < w.size(); ++i) {
        EXPECT_EQ(w[i].status, 200);
        EXPECT_EQ(w[i].count("lstat", components), 0) << "request " << i + 1 << "\n" << w[i].dump();
        // The file cache checks the file itself again once a second (a
        // stat() that follows links, file_cache.h); no directory is asked.
        std::vector<std::string> dirs(components.begin(), components.end() - 1);
        EXPECT_EQ(w[i].count("stat", dirs) + w[i].count("open", dirs), 0) << w[i].dump();
    }
    for (const Window& each_request : w) {
        EXPECT_EQ(each_request.count("stat", candidates) + each_request.count("open", candidates), 0)
            << "AllowOverride None looks for no .htaccess\n" << each_request.dump();
    }
    if (apache_available()) {
        const std::vector<Window> a = run("apache");
        ASSERT_EQ(a.size(), 4u);
        for (const Window& each_request : a) {
            EXPECT_EQ(each_request.status, 200);
            // Every request asks again, as the seed says.
            EXPECT_EQ(each_request.count("lstat", components), a[0].count("lstat", components));
        }
        EXPECT_GE(a[0].count("lstat", components), static_cast<int>(components.size()) - 1) << a[0].dump();
        std::cout << "[ counts   ] lstat of path components per request, SymLinksIfOwnerMatch: sonora "
                  << w[0].count("lstat", components) << " then " << w[1].count("lstat", components) << ", apache "
                  << a[0].count("lstat", components) << " then " << a[1].count("lstat", components) << " ("
                  << components.size() << " components)\n";
    }
}

// Seed: "AllowOverride all ... Apache will attempt to open .htaccess for
// each filename component".
TEST_F(SyscallCount, AllowOverrideAllLooksForEachHtaccessOnce) {
    configure("Options FollowSymLinks\nAllowOverride All");
    std::vector<Window> a;
    if (apache_available()) {
        a = run("apache");  // before the edit below
        ASSERT_EQ(a.size(), 4u);
        for (const Window& each_request : a) {
            EXPECT_EQ(each_request.status, 200);
            EXPECT_EQ(each_request.count("open", candidates), a[0].count("open", candidates));
        }
        EXPECT_EQ(a[0].count("open", candidates), static_cast<int>(candidates.size())) << a[0].dump();
    }
    const std::string existing = htdocs + "/l1/.htaccess";
    const std::vector<Window> w = run("sonora", [&] {
        std::ofstream(existing, std::ios::app) << "Require all denied\n";
    });
    ASSERT_EQ(w.size(), 5u);
    std::multiset<std::string> each(candidates.begin(), candidates.end());
    EXPECT_EQ(w[0].status, 200);
    EXPECT_EQ(w[0].paths("stat", candidates), each) << w[0].dump();  // 7 under /tmp
    EXPECT_EQ(w[0].paths("open", candidates), std::multiset<std::string>{existing}) << w[0].dump();
    for (std::size_t i = 1; i < 4; ++i) {
        EXPECT_EQ(w[i].status, 200);
        EXPECT_EQ(w[i].count("stat", candidates) + w[i].count("lstat", candidates) + w[i].count("open", candidates),
                  0)
            << "request " << i + 1 << "\n" << w[i].dump();
    }
    // The edit: the next request sees it, and only the edited file is asked again.
    EXPECT_EQ(w[4].status, 403);
    EXPECT_EQ(w[4].paths("stat", candidates), std::multiset<std::string>{existing}) << w[4].dump();
    EXPECT_EQ(w[4].paths("open", candidates), std::multiset<std::string>{existing}) << w[4].dump();
    if (!a.empty()) {
        auto asked = [&](const Window& x) {
            return x.count("stat", candidates) + x.count("lstat", candidates) + x.count("open", candidates);
        };
        std::cout << "[ counts   ] .htaccess candidates asked per request, AllowOverride All: sonora " << asked(w[0])
                  << " then " << asked(w[1]) << ", apache " << asked(a[0]) << " then " << asked(a[1]) << " ("
                  << candidates.size() << " directories)\n";
    }
}

}  // namespace
}  // namespace sonora::test
