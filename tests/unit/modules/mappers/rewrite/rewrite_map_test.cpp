// RewriteMap: the directive's checks and messages, and lookups of every map
// type. Expected messages and behaviours come from Apache 2.4.71 runs
// (apache2 -t and live lookups through a RewriteRule).

#include "modules/mappers/rewrite/rewrite_map.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

namespace sonora::modules::mappers::rewrite {
namespace {

namespace fs = std::filesystem;

struct Logged {
    LogLevel level;
    std::string id;
    std::string message;
};

class RewriteMapTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/sonora-rewrite-map-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        root_ = dir_ + "/root";
        fs::create_directories(root_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string relative(std::string_view p) const {
        if (!p.empty() && p.front() == '/') {
            return std::string(p);
        }
        return root_ + "/" + std::string(p);
    }

    // The directive's error, or "" with `map_` set.
    std::string parse(std::vector<std::string> args) {
        map_.reset();
        auto err = parse_rewrite_map(args, [this](std::string_view p) { return relative(p); }, map_);
        return err.value_or("");
    }

    std::string write(const std::string& name, const std::string& content, mode_t mode = 0644) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
        ::chmod(path.c_str(), mode);
        return path;
    }

    std::optional<std::string> lookup(std::string_view key) {
        return lookup_map(*map_, key, [this](LogLevel level, std::string_view id, std::string_view message) {
            logged_.push_back({level, std::string(id), std::string(message)});
        });
    }

    std::string dir_;
    std::string root_;
    std::shared_ptr<RewriteMap> map_;
    std::vector<Logged> logged_;
};

// ---- the directive -------------------------------------------------------

TEST_F(RewriteMapTest, ParseErrorsAreHttpds) {
    const std::string txt = write("map.txt", "a 1\n");
    EXPECT_EQ(parse({"m"}), "RewriteMap takes two or three arguments, a mapname and a filename and options");
    EXPECT_EQ(parse({"m", "a", "b", "c"}),
              "RewriteMap takes two or three arguments, a mapname and a filename and options");
    // A type httpd does not know is a txt map of the whole argument.
    EXPECT_EQ(parse({"m", "foo:" + txt}), "RewriteMap: file for map m not found:" + root_ + "/foo:" + txt);
    EXPECT_EQ(parse({"m", "foo:map.txt"}), "RewriteMap: file for map m not found:" + root_ + "/foo:map.txt");
    EXPECT_EQ(parse({"m", "txt:" + dir_ + "/nope"}), "RewriteMap: file for map m not found:" + dir_ + "/nope");
    EXPECT_EQ(parse({"m", "rnd:nope"}), "RewriteMap: file for map m not found:" + root_ + "/nope");
    EXPECT_EQ(parse({"m", "dbm:" + dir_ + "/nope"}), "RewriteMap: file for map m not found:" + dir_ + "/nope");
    EXPECT_EQ(parse({"m", "dbm=sdbm:" + dir_ + "/nope"}),
              "RewriteMap: file for map m not found:" + dir_ + "/nope.dir");
    EXPECT_EQ(parse({"m", "DBM=SDBM:" + dir_ + "/nope"}),
              "RewriteMap: file for map m not found:" + dir_ + "/nope.dir");
    EXPECT_EQ(parse({"m", "dbm=Gdbm:" + dir_ + "/nope"}), "RewriteMap: file for map m not found:" + dir_ + "/nope");
    EXPECT_EQ(parse({"m", "dbm=db:" + dir_ + "/nope"}), "RewriteMap: file for map m not found:" + dir_ + "/nope");
    EXPECT_EQ(parse({"m", "dbm=ndbm:" + dir_ + "/nope"}), "RewriteMap: dbm type ndbm is invalid");
    EXPECT_EQ(parse({"m", "dbm=foo:" + dir_ + "/nope"}), "RewriteMap: dbm type foo is invalid");
    EXPECT_EQ(parse({"m", "dbm=:" + dir_ + "/nope"}), "RewriteMap: dbm type  is invalid");
    EXPECT_EQ(parse({"m", "dbmx:/tmp/nope"}), "RewriteMap: bad map:dbmx:/tmp/nope");
    EXPECT_EQ(parse({"m", "dbm=sdbm/tmp/nope"}), "RewriteMap: bad map:dbm=sdbm/tmp/nope");
    EXPECT_EQ(parse({"m", "dbm"}), "RewriteMap: bad map:dbm");
    EXPECT_EQ(parse({"m", "int:TOUPPER"}), "RewriteMap: internal map not found:TOUPPER");
    EXPECT_EQ(parse({"m", "int:"}), "RewriteMap: internal map not found:");
    EXPECT_EQ(parse({"m", "dbd:SELECT 1"}), "RewriteMap types dbd and fastdbd require mod_dbd!");
    EXPECT_EQ(parse({"m", "FastDbd:SELECT 1"}), "RewriteMap types dbd and fastdbd require mod_dbd!");
    EXPECT_EQ(parse({"m", "prg:/nope/x"}), "RewriteMap: file for map m not found:/nope/x");
    EXPECT_EQ(parse({"m", "prg:nope -a"}), "RewriteMap: file for map m not found:" + root_ + "/nope");
}

TEST_F(RewriteMapTest, ParseAccepts) {
    const std::string txt = write("map.txt", "a 1\n");
    EXPECT_EQ(parse({"m", "TXT:" + txt}), "");
    EXPECT_EQ(map_->type, RewriteMap::Type::Txt);
    EXPECT_EQ(map_->name, "m");
    EXPECT_EQ(map_->path, txt);
    EXPECT_EQ(parse({"m", txt}), "");  // no type: txt
    EXPECT_EQ(map_->type, RewriteMap::Type::Txt);
    EXPECT_EQ(parse({"m", "txt:"}), "");  // ServerRoot itself exists
    EXPECT_EQ(map_->path, root_ + "/");
    EXPECT_EQ(parse({"m", "Rnd:" + txt, "ignored"}), "");
    EXPECT_EQ(map_->type, RewriteMap::Type::Rnd);
    EXPECT_EQ(parse({"m", "dbm:"}), "");  // the default type uses the name itself: ServerRoot
    EXPECT_EQ(map_->dbm_type, "default");
    EXPECT_EQ(parse({"m", "INT:tolower", "x"}), "");
    EXPECT_EQ(map_->type, RewriteMap::Type::Int);
    EXPECT_EQ(map_->function, IntFunction::ToLower);
    for (const char* f : {"toupper", "escape", "unescape"}) {
        EXPECT_EQ(parse({"m", std::string("int:") + f}), "") << f;
    }

    const std::string prog = write("prog.sh", "#!/bin/sh\ncat\n", 0755);
    EXPECT_EQ(parse({"m", "Prg:" + prog + " -a 'b c'"}), "");
    EXPECT_EQ(map_->type, RewriteMap::Type::Prg);
    EXPECT_EQ(map_->argv, (std::vector<std::string>{prog, "-a", "b c"}));
    EXPECT_EQ(map_->checkfile, prog);
    EXPECT_FALSE(map_->user);
    EXPECT_EQ(parse({"m", "prg:" + prog, "www-data:daemon"}), "");
    EXPECT_EQ(map_->user, "www-data");
    EXPECT_EQ(map_->group, "daemon");
    EXPECT_EQ(parse({"m", "prg:" + prog, ":daemon"}), "");  // apr_strtok skips the empty user
    EXPECT_EQ(map_->user, "daemon");
    EXPECT_FALSE(map_->group);
    EXPECT_EQ(parse({"m", "prg:" + prog, "a:b:c"}), "");
    EXPECT_EQ(map_->user, "a");
    EXPECT_EQ(map_->group, "b");
    // No program at all: httpd takes ServerRoot (and fails to exec it later).
    EXPECT_EQ(parse({"m", "prg:"}), "");
    EXPECT_EQ(map_->argv, (std::vector<std::string>{root_ + "/"}));
}

TEST_F(RewriteMapTest, TokenizeAsApr) {
    using detail::tokenize_command;
    EXPECT_EQ(tokenize_command(""), (std::vector<std::string>{}));
    EXPECT_EQ(tokenize_command("  \t "), (std::vector<std::string>{}));
    EXPECT_EQ(tokenize_command(" /bin/x  a\tb "), (std::vector<std::string>{"/bin/x", "a", "b"}));
    EXPECT_EQ(tokenize_command(R"(/x "a b" 'c "d' e\ f g\\h i\j)"),
              (std::vector<std::string>{"/x", "a b", "c \"d", "e f", "g\\h", "ij"}));
    EXPECT_EQ(tokenize_command(R"(/x "a\" b")"), (std::vector<std::string>{"/x", "a\" b"}));
    EXPECT_EQ(tokenize_command(R"("")"), (std::vector<std::string>{""}));
}

TEST_F(RewriteMapTest, RegistryLaterMapWins) {
    const std::string txt = write("map.txt", "a 1\n");
    RewriteMapRegistry registry;
    EXPECT_TRUE(registry.empty());
    ASSERT_EQ(parse({"m", "txt:" + txt}), "");
    registry.add(map_);
    ASSERT_EQ(parse({"m", "int:toupper"}), "");
    registry.add(map_);
    ASSERT_EQ(parse({"M", "int:tolower"}), "");
    registry.add(map_);
    ASSERT_NE(registry.find("m"), nullptr);
    EXPECT_EQ(registry.find("m")->type, RewriteMap::Type::Int);
    EXPECT_EQ(registry.find("M")->function, IntFunction::ToLower);
    EXPECT_EQ(registry.find("x"), nullptr);
    EXPECT_EQ(registry.all().size(), 2U);
}

// ---- txt and rnd ----------------------------------------------------------

TEST_F(RewriteMapTest, TxtLookup) {
    std::string content =
        "# comment\n"
        "a 1\n"
        " b indented-is-ignored\n"
        "b 2 trailing words\n"
        "a second-a-ignored\n"
        "novalue\n"
        "c   \n"
        "c\tthree\r\n"
        "#d commented\n"
        "d\t\tfour\n"
        "sp\x0bvt\n"
        "e5\n";
    // A line longer than 1024 bytes goes on as a line of its own.
    content += "long " + std::string(1019, 'x') + "longkey longvalue\n";
    content += "last lastvalue";  // no final newline
    ASSERT_EQ(parse({"m", "txt:" + write("map.txt", content)}), "");
    EXPECT_EQ(lookup("a"), "1");
    EXPECT_EQ(lookup("b"), "2");
    EXPECT_EQ(lookup("c"), "three");
    EXPECT_EQ(lookup("d"), "four");
    EXPECT_EQ(lookup("sp"), "vt");
    EXPECT_EQ(lookup("long"), std::string(1019, 'x'));
    EXPECT_EQ(lookup("longkey"), "longvalue");
    EXPECT_EQ(lookup("last"), "lastvalue");
    EXPECT_EQ(lookup("novalue"), std::nullopt);
    EXPECT_EQ(lookup("e5"), std::nullopt);
    EXPECT_EQ(lookup("#d"), std::nullopt);
    EXPECT_EQ(lookup("A"), std::nullopt);  // case matters
    EXPECT_EQ(lookup(""), std::nullopt);
    EXPECT_EQ(lookup("a 1"), std::nullopt);
    EXPECT_TRUE(logged_.empty());
}

TEST_F(RewriteMapTest, TxtReloadsWhenTheFileChanges) {
    const std::string path = write("map.txt", "a 1\n");
    ASSERT_EQ(parse({"m", "txt:" + path}), "");
    EXPECT_EQ(lookup("a"), "1");
    EXPECT_EQ(lookup("b"), std::nullopt);
    write("map.txt", "a 2\nb 3\n");
    // A modification time of its own even on a coarse clock.
    timespec times[2] = {{0, UTIME_OMIT}, {1'000'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    EXPECT_EQ(lookup("a"), "2");
    EXPECT_EQ(lookup("b"), "3");
    // Replaced by another file (rename) with the same mtime: reloaded too.
    const std::string other = write("other.txt", "a 4\n");
    ASSERT_EQ(::utimensat(AT_FDCWD, other.c_str(), times, 0), 0);
    ASSERT_EQ(::rename(other.c_str(), path.c_str()), 0);
    EXPECT_EQ(lookup("a"), "4");
}

TEST_F(RewriteMapTest, TxtMissingFileIsLogged) {
    const std::string path = write("map.txt", "a 1\n");
    ASSERT_EQ(parse({"m", "txt:" + path}), "");
    EXPECT_EQ(lookup("a"), "1");
    ::unlink(path.c_str());
    EXPECT_EQ(lookup("a"), std::nullopt);
    ASSERT_EQ(logged_.size(), 1U);
    EXPECT_EQ(logged_[0].level, LogLevel::Error);
    EXPECT_EQ(logged_[0].id, "SN00661");
    EXPECT_EQ(logged_[0].message,
              "(2)No such file or directory: mod_rewrite: can't access text RewriteMap file " + path);
}

TEST_F(RewriteMapTest, TxtConcurrentLookupsAndReloads) {
    const std::string path = write("map.txt", "k v0\n");
    ASSERT_EQ(parse({"m", "txt:" + path}), "");
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
            while (!stop) {
                const auto v = lookup_map(*map_, "k", {});
                if (v && v->rfind("v", 0) != 0) {
                    ++bad;
                }
            }
        });
    }
    for (int i = 1; i <= 50; ++i) {
        const std::string tmp = write("tmp.txt", "k v" + std::to_string(i) + "\n");
        ::rename(tmp.c_str(), path.c_str());
    }
    stop = true;
    for (auto& t : readers) {
        t.join();
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(lookup("k"), "v50");
}

TEST_F(RewriteMapTest, RndPicksEveryPart) {
    ASSERT_EQ(parse({"m", "rnd:" + write("map.txt", "k a|b|c\none single\ngaps |x||\n")}), "");
    std::set<std::string> seen;
    for (int i = 0; i < 300; ++i) {
        const auto v = lookup("k");
        ASSERT_TRUE(v);
        seen.insert(*v);
    }
    EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
    EXPECT_EQ(lookup("one"), "single");
    // "|x||": four parts, three empty: an empty part is "not found".
    int found = 0;
    int missing = 0;
    for (int i = 0; i < 400; ++i) {
        const auto v = lookup("gaps");
        if (v) {
            EXPECT_EQ(*v, "x");
            ++found;
        } else {
            ++missing;
        }
    }
    EXPECT_GT(found, 40);
    EXPECT_GT(missing, 200);
    EXPECT_EQ(lookup("nope"), std::nullopt);
}

// ---- int -----------------------------------------------------------------

TEST_F(RewriteMapTest, IntFunctions) {
    ASSERT_EQ(parse({"m", "int:toupper"}), "");
    EXPECT_EQ(lookup("abc-XyZ_09\xc3\xa4"), "ABC-XYZ_09\xc3\xa4");  // ASCII only
    EXPECT_EQ(lookup(""), "");                                       // found, empty
    ASSERT_EQ(parse({"m", "int:tolower"}), "");
    EXPECT_EQ(lookup("ABC-XyZ\xc3\x84"), "abc-xyz\xc3\x84");
    ASSERT_EQ(parse({"m", "int:escape"}), "");
    EXPECT_EQ(lookup("a b/c?d%e#f\"g<>\\^`{|}"), "a%20b/c%3fd%25e%23f%22g%3c%3e%5c%5e%60%7b%7c%7d");
    EXPECT_EQ(lookup("$-_.+!*'(),:;@&=/~"), "$-_.+!*'(),:;@&=/~");
    EXPECT_EQ(lookup("\xc3\xbc\x01\x7f"), "%c3%bc%01%7f");
    EXPECT_EQ(lookup(""), "");
    ASSERT_EQ(parse({"m", "int:unescape"}), "");
    EXPECT_EQ(lookup("a%20b%2fc%2Fd"), "a b/c/d");
    EXPECT_EQ(lookup("bad%zz%4%"), "bad%zz%4%");  // bad escapes stay as they are
    EXPECT_EQ(lookup("%41%4a%4A+"), "AJJ+");      // '+' is not a space
    EXPECT_EQ(lookup("x%00y"), "x");              // a C string ends at the decoded NUL
    EXPECT_EQ(lookup("%e2%82%ac"), "\xe2\x82\xac");
    EXPECT_EQ(map_unescape("%%41"), "%A");
    EXPECT_EQ(map_escape(map_unescape("a%20b")), "a%20b");
}

// ---- dbm -----------------------------------------------------------------

// apache2-utils installs it in /usr/sbin.
std::string httxt2dbm() {
    for (const char* p : {"/usr/sbin/httxt2dbm", "/usr/bin/httxt2dbm"}) {
        if (::access(p, X_OK) == 0) {
            return p;
        }
    }
    return {};
}

bool have_httxt2dbm() { return !httxt2dbm().empty(); }

int run_httxt2dbm(const std::string& type, const std::string& in, const std::string& out) {
    const std::string cmd = httxt2dbm() + (type.empty() ? std::string() : " -f " + type) + " -i '" + in + "' -o '" +
                            out + "' >/dev/null 2>&1";
    return std::system(cmd.c_str());
}

TEST_F(RewriteMapTest, DbmDefaultTypeFromHttxt2dbm) {
    if (!have_httxt2dbm()) {
        GTEST_SKIP() << "httxt2dbm (apache2-utils) is not installed";
    }
    const std::string txt = write("map.txt", "# c\na 1\nb two\nlong " + std::string(300, 'v') + "\n");
    const std::string db = dir_ + "/map.db";
    ASSERT_EQ(run_httxt2dbm("", txt, db), 0);
    ASSERT_EQ(parse({"m", "dbm:" + db}), "");
    EXPECT_EQ(map_->checkfile, db);
    EXPECT_EQ(lookup("a"), "1");
    EXPECT_EQ(lookup("b"), "two");
    EXPECT_EQ(lookup("long"), std::string(300, 'v'));
    EXPECT_EQ(lookup("c"), std::nullopt);
    EXPECT_EQ(lookup("c"), std::nullopt);  // from the cache
    EXPECT_EQ(lookup("a"), "1");           // from the cache

    // Made again: the cache starts over.
    write("map.txt", "a 9\nc 3\n");
    ::unlink(db.c_str());
    ASSERT_EQ(run_httxt2dbm("", txt, db), 0);
    timespec times[2] = {{0, UTIME_OMIT}, {2'000'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, db.c_str(), times, 0), 0);
    EXPECT_EQ(lookup("a"), "9");
    EXPECT_EQ(lookup("c"), "3");
    EXPECT_EQ(lookup("b"), std::nullopt);
    EXPECT_TRUE(logged_.empty());

    ::unlink(db.c_str());
    EXPECT_EQ(lookup("a"), std::nullopt);
    ASSERT_EQ(logged_.size(), 1U);
    EXPECT_EQ(logged_[0].id, "SN00662");
    EXPECT_EQ(logged_[0].message,
              "(2)No such file or directory: mod_rewrite: can't access DBM RewriteMap file " + db);
}

TEST_F(RewriteMapTest, DbmSdbmAndNamedTypes) {
    if (!have_httxt2dbm()) {
        GTEST_SKIP() << "httxt2dbm (apache2-utils) is not installed";
    }
    const std::string txt = write("map.txt", "a 1\nb 2\n");
    const std::string sdbm = dir_ + "/s";
    ASSERT_EQ(run_httxt2dbm("SDBM", txt, sdbm), 0);
    ASSERT_EQ(parse({"m", "dbm=sdbm:" + sdbm}), "");
    EXPECT_EQ(map_->dbm_type, "sdbm");
    EXPECT_EQ(map_->checkfile, sdbm + ".dir");
    EXPECT_EQ(map_->checkfile2, sdbm + ".pag");
    EXPECT_EQ(lookup("a"), "1");
    EXPECT_EQ(lookup("b"), "2");
    EXPECT_EQ(lookup("x"), std::nullopt);
    ::unlink((sdbm + ".pag").c_str());
    EXPECT_EQ(lookup("a"), std::nullopt);
    ASSERT_EQ(logged_.size(), 1U);
    EXPECT_EQ(logged_[0].id, "SN00663");

    const std::string db = dir_ + "/d";
    ASSERT_EQ(run_httxt2dbm("DB", txt, db), 0);
    ASSERT_EQ(parse({"m", "dbm=db:" + db}), "");
    EXPECT_EQ(lookup("b"), "2");

    // A file that is no dbm: the open fails, logged, then "not found" from the cache.
    const std::string junk = write("junk", "not a database at all\n");
    ASSERT_EQ(parse({"m", "dbm:" + junk}), "");
    logged_.clear();
    EXPECT_EQ(lookup("a"), std::nullopt);
    ASSERT_EQ(logged_.size(), 1U);
    EXPECT_EQ(logged_[0].id, "SN00656");
    EXPECT_NE(logged_[0].message.find(": mod_rewrite: can't open DBM RewriteMap " + junk), std::string::npos)
        << logged_[0].message;
    EXPECT_EQ(lookup("a"), std::nullopt);
    EXPECT_EQ(logged_.size(), 1U);
}

TEST_F(RewriteMapTest, DbmConcurrentLookups) {
    if (!have_httxt2dbm()) {
        GTEST_SKIP() << "httxt2dbm (apache2-utils) is not installed";
    }
    std::string content;
    for (int i = 0; i < 200; ++i) {
        content += "k" + std::to_string(i) + " v" + std::to_string(i) + "\n";
    }
    const std::string db = dir_ + "/map.db";
    ASSERT_EQ(run_httxt2dbm("", write("map.txt", content), db), 0);
    ASSERT_EQ(parse({"m", "dbm:" + db}), "");
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const int k = (i * 7 + t) % 220;
                const auto v = lookup_map(*map_, "k" + std::to_string(k), {});
                if (k < 200 ? v != "v" + std::to_string(k) : v.has_value()) {
                    ++bad;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(bad, 0);
}

// ---- prg -----------------------------------------------------------------

constexpr const char* kScript =
    "#!/bin/sh\n"
    "while read k; do\n"
    "  case \"$k\" in\n"
    "    null) echo NULL;;\n"
    "    lnull) echo null;;\n"
    "    env) echo \"[$(env | grep -v '^PWD=' | tr '\\n' ',')]\";;\n"
    "    cwd) pwd;;\n"
    "    uid) id -u;;\n"
    "    slow) sleep 1; echo late;;\n"
    "    two) echo one; echo two;;\n"
    "    die) exit 0;;\n"
    "    *) echo \"v-$k\";;\n"
    "  esac\n"
    "done\n";

TEST_F(RewriteMapTest, PrgLookups) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog}), "");
    // Not started yet: nothing.
    EXPECT_EQ(lookup("a"), std::nullopt);
    const std::vector<std::shared_ptr<RewriteMap>> maps{map_};
    ASSERT_EQ(start_map_programs(maps), std::nullopt);
    ASSERT_EQ(start_map_programs(maps), std::nullopt);  // a second call starts nothing more
    EXPECT_EQ(lookup("a"), "v-a");
    EXPECT_EQ(lookup("with space"), "v-with space");
    EXPECT_EQ(lookup(""), "v-");
    EXPECT_EQ(lookup("null"), std::nullopt);
    EXPECT_EQ(lookup("lnull"), std::nullopt);  // any case
    EXPECT_EQ(lookup("a\nb"), std::nullopt);   // never sent
    EXPECT_EQ(lookup("env"), "[]");            // an empty environment
    EXPECT_EQ(lookup("cwd"), dir_);            // its own directory
    EXPECT_EQ(lookup("two"), "one");  // the first line
    ::usleep(100'000);
    EXPECT_EQ(lookup("b"), "v-b");  // and the rest was dropped
    EXPECT_TRUE(logged_.empty());
}

TEST_F(RewriteMapTest, PrgConcurrentThreadsAndProcesses) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog}), "");
    const std::vector<std::shared_ptr<RewriteMap>> maps{map_};
    ASSERT_EQ(start_map_programs(maps), std::nullopt);
    auto hammer = [this](int id, int count) {
        int bad = 0;
        for (int i = 0; i < count; ++i) {
            const std::string key = std::to_string(id) + "-" + std::to_string(i);
            if (lookup_map(*map_, key, {}) != "v-" + key) {
                ++bad;
            }
        }
        return bad;
    };
    // Two forked processes (as the server's children) ...
    std::vector<pid_t> children;
    for (int c = 0; c < 2; ++c) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            std::atomic<int> bad{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 2; ++t) {
                threads.emplace_back([&, t] { bad += hammer(100 + c * 10 + t, 100); });
            }
            for (auto& t : threads) {
                t.join();
            }
            ::_exit(bad == 0 ? 0 : 1);
        }
        children.push_back(pid);
    }
    // ... and threads of this one, all at once.
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] { bad += hammer(t, 100); });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(bad, 0);
    for (const pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

TEST_F(RewriteMapTest, PrgDeadProgramAnswersEmpty) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog}), "");
    ASSERT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}), std::nullopt);
    EXPECT_EQ(lookup("a"), "v-a");
    // httpd reads the end of a dead program's output as an empty answer.
    EXPECT_EQ(lookup("die"), "");
    EXPECT_EQ(lookup("a"), "");
    EXPECT_EQ(lookup("b"), "");
    EXPECT_TRUE(logged_.empty());
}

TEST_F(RewriteMapTest, PrgSlowProgramTimesOut) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog}), "");
    map_->prg_timeout = std::chrono::milliseconds(300);
    ASSERT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}), std::nullopt);
    EXPECT_EQ(lookup("slow"), std::nullopt);
    ASSERT_EQ(logged_.size(), 1U);
    EXPECT_EQ(logged_[0].id, "SN90651");
    EXPECT_EQ(logged_[0].message,
              "mod_rewrite: RewriteMap program " + prog + " did not answer within 300 ms, lookup abandoned");
    // The late answer is read first and dropped, not taken for the next key's.
    map_->prg_timeout = std::chrono::milliseconds(3000);
    EXPECT_EQ(lookup("a"), "v-a");
    EXPECT_EQ(logged_.size(), 1U);
    // Still late when the next lookup gives up too: that one sends nothing.
    map_->prg_timeout = std::chrono::milliseconds(300);
    EXPECT_EQ(lookup("slow"), std::nullopt);
    EXPECT_EQ(lookup("b"), std::nullopt);
    EXPECT_EQ(logged_.size(), 3U);
    ::usleep(1'000'000);
    EXPECT_EQ(lookup("c"), "v-c");
    logged_.clear();

    // A lookup waiting for the lock behind a slow one gives up too.
    map_->prg_timeout = std::chrono::milliseconds(2000);
    std::thread slow([this] { (void)lookup_map(*map_, "slow", {}); });
    ::usleep(200'000);
    auto quick = *map_;
    quick.prg_timeout = std::chrono::milliseconds(100);
    std::vector<std::string> ids;
    EXPECT_EQ(lookup_map(quick, "a", [&](LogLevel, std::string_view id, std::string_view) { ids.emplace_back(id); }),
              std::nullopt);
    EXPECT_EQ(ids, (std::vector<std::string>{"SN90650"}));
    slow.join();
    EXPECT_EQ(lookup("b"), "v-b");
}

TEST_F(RewriteMapTest, PrgLockHolderThatDiesReleasesTheLock) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog}), "");
    map_->prg_timeout = std::chrono::milliseconds(3000);
    ASSERT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}), std::nullopt);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        (void)lookup_map(*map_, "slow", {});  // killed while it waits, the lock held
        ::_exit(0);
    }
    ::usleep(300'000);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    // The lock is recovered, and the dead process's answer is not ours.
    EXPECT_EQ(lookup("a"), "v-a");
    EXPECT_EQ(lookup("b"), "v-b");
    EXPECT_TRUE(logged_.empty());
}

TEST_F(RewriteMapTest, PrgStartErrors) {
    const std::string prog = write("prog.sh", kScript, 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog, "no-such-user-here"}), "");
    EXPECT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}),
              "(2)No such file or directory: SN00654: mod_rewrite: could not start RewriteMap program " + prog);
    ASSERT_EQ(parse({"m", "prg:" + prog, "root:no-such-group-here"}), "");
    EXPECT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}),
              "(2)No such file or directory: SN00654: mod_rewrite: could not start RewriteMap program " + prog);
}

TEST_F(RewriteMapTest, PrgNotExecutableStopsTheStart) {
    // Root may read anything but still needs an x bit to execute.
    const std::string not_exec = write("plain.txt", "x\n", 0644);
    ASSERT_EQ(parse({"m", "prg:" + not_exec}), "");
    EXPECT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}),
              "(13)Permission denied: SN00654: mod_rewrite: could not start RewriteMap program " + not_exec);
}

TEST_F(RewriteMapTest, PrgRunsAsTheUserGiven) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root";
    }
    // A directory every user may enter.
    const std::string prog = "/tmp/sonora-rewrite-map-prog-" + std::to_string(::getpid()) + ".sh";
    std::ofstream(prog) << kScript;
    ::chmod(prog.c_str(), 0755);
    ASSERT_EQ(parse({"m", "prg:" + prog, "daemon"}), "");
    ASSERT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}), std::nullopt);
    EXPECT_EQ(lookup("uid"), "1");
    map_.reset();
    ::unlink(prog.c_str());
}

TEST_F(RewriteMapTest, PrgThatCannotExecAnswersEmpty) {
    // "prg:" names ServerRoot, a directory: it passes the checks, its exec
    // fails in the forked process (logged there), and lookups get "".
    ASSERT_EQ(parse({"m", "prg:"}), "");
    ASSERT_EQ(start_map_programs(std::vector<std::shared_ptr<RewriteMap>>{map_}), std::nullopt);
    EXPECT_EQ(lookup("a"), "");
}

}  // namespace
}  // namespace sonora::modules::mappers::rewrite
