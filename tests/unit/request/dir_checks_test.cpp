// The directory walk's fail-closed checks (request/dir_checks.h) on real
// files: symlinks under Options, .htaccess files where AllowOverride lets
// httpd read them, and Walker::directory_core, the per-directory config they
// use (httpd's rules: see the comments in ap_directory_walk's descent).

#include "../support/config_fixture.h"
#include "core/log.h"
#include "modules/core/core_config.h"
#include "request/dir_checks.h"
#include "request/file_cache.h"
#include "request/request.h"
#include "request/walk.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory_resource>

namespace sonora::request {
namespace {

namespace fs = std::filesystem;
using modules::core::CoreDirConfig;
using modules::core::kOptSymLinks;
using modules::core::kOptSymOwner;
using test::ConfigRoot;

constexpr uid_t kNobody = 65534;

class DirChecks : public ::testing::Test {
protected:
    DirChecks() {
        set_startup_log_sink([this](LogLevel, std::string_view line) { log.emplace_back(line); });
        root.write("outside/secret.txt", "secret\n");
        root.write("htdocs/plain.txt", "plain\n");
        root.write("htdocs/sub/file.txt", "file\n");
    }
    ~DirChecks() override { set_startup_log_sink({}); }

    std::string htdocs() const { return root.path() + "/htdocs"; }
    std::string outside() const { return root.path() + "/outside"; }
    void link(const std::string& target, const std::string& relative_link) const {
        fs::create_symlink(target, htdocs() + "/" + relative_link);
    }
    void load(const std::string& conf) {
        walker.reset();
        gen = root.load("DocumentRoot htdocs\n" + conf);
        walker = std::make_unique<Walker>(*gen);
    }
    // The checks for htdocs/`relative`, as map_to_storage runs them.
    int check(const std::string& relative) {
        std::pmr::monotonic_buffer_resource arena;
        Request r(&arena);
        r.server = &gen->main;
        r.uri = "/" + relative;
        r.filename = htdocs() + "/" + relative;
        r.client_ip = "127.0.0.1";
        r.client_port = 4711;
        auto entry = files.lookup(r.filename, 0);
        return check_directory_walk(r, *walker, *entry, hits);
    }
    // The merged core config for htdocs/`relative` after check(), access
    // files included, as map_to_storage computes it.
    const CoreDirConfig& core_of(const std::string& relative) {
        EXPECT_EQ(check(relative), 0) << all_log();
        const std::string filename = htdocs() + "/" + relative;
        const bool is_dir = files.lookup(filename, 0)->is_dir();
        const ConfigVector* v = walker->dir_config(gen->main, filename, is_dir, "/" + relative, hits);
        return *v->get<CoreDirConfig>(modules::core::core_module.index);
    }
    std::string all_log() const {
        std::string s;
        for (const auto& l : log) {
            s += l + "\n";
        }
        return s;
    }
    bool logged(const std::string& text) const { return all_log().find(text) != std::string::npos; }

    ConfigRoot root;
    std::unique_ptr<config::Generation> gen;
    std::unique_ptr<Walker> walker;
    FileCache files{0};
    std::vector<AccessFileHit> hits;
    std::vector<std::string> log;
};

std::string dir_section(const std::string& path, const std::string& body) {
    return "<Directory \"" + path + "\">\n" + body + "\n</Directory>\n";
}

// ---- Walker::directory_core ----

TEST_F(DirChecks, DirectoryCoreMergesPlainSectionsShortestFirst) {
    load("Options -Indexes\n" + dir_section("/", "Options None\nAllowOverride None") +
         dir_section(htdocs() + "/sub", "Options +SymLinksIfOwnerMatch\nAllowOverride AuthConfig") +
         dir_section(htdocs(), "Options FollowSymLinks Indexes"));
    EXPECT_EQ(effective_options(walker->directory_core(gen->main, "/")), 0u);
    EXPECT_EQ(effective_options(walker->directory_core(gen->main, htdocs() + "/")),
              kOptSymLinks | modules::core::kOptIndexes);
    const CoreDirConfig& sub = walker->directory_core(gen->main, htdocs() + "/sub/deeper/");
    EXPECT_EQ(effective_options(sub), kOptSymLinks | modules::core::kOptIndexes | kOptSymOwner);
    ASSERT_TRUE(sub.allow_override);
    EXPECT_NE(sub.allow_override->classes, 0u);
    EXPECT_TRUE(walker->directory_checks_needed(gen->main));
}

TEST_F(DirChecks, DirectoryCoreIsCachedAndSharedBetweenDirectoriesWithTheSameSections) {
    load(dir_section(htdocs(), "Options None"));
    const CoreDirConfig* a = &walker->directory_core(gen->main, htdocs() + "/a/");
    EXPECT_EQ(a, &walker->directory_core(gen->main, htdocs() + "/a/"));
    EXPECT_EQ(a, &walker->directory_core(gen->main, htdocs() + "/b/"));
    EXPECT_NE(a, &walker->directory_core(gen->main, "/"));
    // Past the bound the directory map starts again; earlier results stay valid.
    for (std::size_t i = 0; i <= Walker::kMaxDirectoryCores; ++i) {
        walker->directory_core(gen->main, htdocs() + "/d" + std::to_string(i) + "/");
    }
    EXPECT_EQ(effective_options(*a), 0u);
    EXPECT_EQ(a, &walker->directory_core(gen->main, htdocs() + "/a/"));
}

TEST_F(DirChecks, DirectoryMatchAndFilesTakeNoPartInTheWalk) {
    // httpd applies regex <Directory> sections after the descent: their
    // Options and AllowOverride do not steer the symlink and .htaccess checks.
    load("<DirectoryMatch \"^/\">\nOptions None\nAllowOverride All\n</DirectoryMatch>\n"
         "<Directory ~ \"htdocs\">\nOptions None\n</Directory>\n"
         "<Files \"*\">\nOptions None\n</Files>\n");
    EXPECT_FALSE(walker->directory_checks_needed(gen->main));
    EXPECT_EQ(effective_options(walker->directory_core(gen->main, htdocs() + "/")), kOptSymLinks);
    link(outside() + "/secret.txt", "link.txt");
    root.write("htdocs/.htaccess", "Bogus\n");
    EXPECT_EQ(check("link.txt"), 0);
}

TEST_F(DirChecks, VirtualHostsHaveTheirOwnDirectories) {
    load(dir_section(htdocs(), "Options FollowSymLinks") +
         "<VirtualHost *:80>\nServerName other\n" + dir_section(htdocs(), "Options None") + "</VirtualHost>\n");
    ASSERT_EQ(gen->vhosts.size(), 1u);
    EXPECT_FALSE(walker->directory_checks_needed(gen->main));
    EXPECT_TRUE(walker->directory_checks_needed(*gen->vhosts[0]));
    EXPECT_EQ(effective_options(walker->directory_core(*gen->vhosts[0], htdocs() + "/x/")), 0u);
    EXPECT_EQ(effective_options(walker->directory_core(gen->main, htdocs() + "/x/")), kOptSymLinks);
}

// ---- symlinks ----

TEST_F(DirChecks, DefaultsFollowSymlinksWithoutChecking) {
    load("");
    EXPECT_FALSE(walker->directory_checks_needed(gen->main));
    link(outside() + "/secret.txt", "link.txt");
    link(outside() + "/nowhere", "dangling.txt");
    EXPECT_EQ(check("link.txt"), 0);
    EXPECT_EQ(check("dangling.txt"), 0);
    EXPECT_TRUE(log.empty()) << all_log();
}

TEST_F(DirChecks, OptionsThatKeepFollowSymLinksNeedNoChecks) {
    load("Options Indexes FollowSymLinks\n" + dir_section("/", "Options +Indexes -MultiViews\nAllowOverride None") +
         dir_section(htdocs(), "Options All\nAllowOverrideList None"));
    EXPECT_FALSE(walker->directory_checks_needed(gen->main));
}

TEST_F(DirChecks, OptionsNoneRefusesASymlinkedFile) {
    load(dir_section(htdocs(), "Options None"));
    link(outside() + "/secret.txt", "link.txt");
    EXPECT_EQ(check("link.txt"), 403);
    ASSERT_EQ(log.size(), 1u) << all_log();
    EXPECT_NE(log[0].find("[core:error]"), std::string::npos) << log[0];
    EXPECT_NE(log[0].find("[client 127.0.0.1:4711] SN00037: Symbolic link not allowed or link target not "
                          "accessible: " + htdocs() + "/link.txt"),
              std::string::npos)
        << log[0];
    EXPECT_EQ(check("plain.txt"), 0);
    EXPECT_EQ(check("sub/file.txt"), 0);
    EXPECT_EQ(check("sub/"), 0);
}

TEST_F(DirChecks, ASymlinkedDirectoryInTheMiddleIsRefused) {
    load(dir_section(htdocs(), "Options Indexes"));
    link(outside(), "linkdir");
    EXPECT_EQ(check("linkdir/secret.txt"), 403);
    EXPECT_TRUE(logged("accessible: " + htdocs() + "/linkdir\n")) << all_log();
    // A file that does not exist behind it: the existing components are still checked.
    EXPECT_EQ(check("linkdir/missing.txt"), 403);
    EXPECT_EQ(check("missing/missing.txt"), 0);
    EXPECT_EQ(check("linkdir"), 403);
}

TEST_F(DirChecks, TheContainingDirectoryDecides) {
    // htdocs/up is a link in htdocs (FollowSymLinks: fine); below it Options
    // None applies to its entries, which are no links.
    load(dir_section(htdocs() + "/up", "Options None"));
    link(outside(), "up");
    EXPECT_EQ(check("up/secret.txt"), 0);
    EXPECT_TRUE(log.empty()) << all_log();
    fs::create_symlink(outside() + "/secret.txt", outside() + "/again.txt");
    EXPECT_EQ(check("up/again.txt"), 403);
}

TEST_F(DirChecks, ServerWideOptionsApplyAboveTheDocumentRoot) {
    load("Options -FollowSymLinks\n");
    EXPECT_TRUE(walker->directory_checks_needed(gen->main));
    link(outside() + "/secret.txt", "link.txt");
    EXPECT_EQ(check("link.txt"), 403);
    EXPECT_EQ(check("plain.txt"), 0);
}

TEST_F(DirChecks, SymLinksIfOwnerMatchComparesOwners) {
    load(dir_section(htdocs(), "Options SymLinksIfOwnerMatch"));
    link(outside() + "/secret.txt", "link.txt");
    link(outside() + "/nowhere", "dangling.txt");
    EXPECT_EQ(check("link.txt"), 0);
    EXPECT_EQ(check("dangling.txt"), 403);  // the target is not accessible
    EXPECT_EQ(check("missing.txt"), 0);
    if (::geteuid() != 0) {
        GTEST_SKIP() << "changing the target's owner needs root";
    }
    ASSERT_EQ(::chown((outside() + "/secret.txt").c_str(), kNobody, kNobody), 0);
    EXPECT_EQ(check("link.txt"), 403);
    // httpd checks owners whenever SymLinksIfOwnerMatch is on, even with FollowSymLinks.
    load(dir_section(htdocs(), "Options FollowSymLinks SymLinksIfOwnerMatch"));
    EXPECT_EQ(check("link.txt"), 403);
    load(dir_section(htdocs(), "Options FollowSymLinks"));
    EXPECT_EQ(check("link.txt"), 0);
}

TEST_F(DirChecks, VerdictsAreNotCachedAcrossRequests) {
    load(dir_section(htdocs(), "Options None"));
    root.write("htdocs/swap.txt", "real\n");
    EXPECT_EQ(check("swap.txt"), 0);
    fs::remove(htdocs() + "/swap.txt");
    link(outside() + "/secret.txt", "swap.txt");
    EXPECT_EQ(check("swap.txt"), 403);
}

// A walk that passed on kept answers is remembered with the config it made:
// the next one asks nothing. Any change forgets it; a refusal is walked (and
// logged) every time.
TEST_F(DirChecks, AWalkThatPassedIsRememberedUntilAnythingChanges) {
    load(dir_section("/", "Options SymLinksIfOwnerMatch\nAllowOverride All") +
         dir_section(htdocs() + "/sub", "Options None"));
    root.write("htdocs/.htaccess", "ForceType text/debug\n");
    EXPECT_EQ(core_of("sub/file.txt").force_type, "text/debug");
    const std::size_t calls = walker->fs().system_calls();
    std::pmr::monotonic_buffer_resource arena;
    Request r(&arena);
    r.server = &gen->main;
    r.uri = "/sub/file.txt";
    r.filename = htdocs() + "/sub/file.txt";
    auto entry = files.lookup(r.filename, 0);
    EXPECT_EQ(check_directory_walk(r, *walker, *entry, hits), 0);
    const ConfigVector* first = r.dir_config;
    EXPECT_EQ(r.dir_config->get<CoreDirConfig>(modules::core::core_module.index)->force_type, "text/debug");
    r.dir_config = nullptr;
    EXPECT_EQ(check_directory_walk(r, *walker, *entry, hits), 0);
    EXPECT_EQ(r.dir_config, first);
    EXPECT_EQ(hits.size(), 1u);
    EXPECT_EQ(walker->fs().system_calls(), calls);
    // Through another URI (an Alias, a <Location>), the config is made afresh.
    r.uri = "/elsewhere/file.txt";
    EXPECT_EQ(check_directory_walk(r, *walker, *entry, hits), 0);
    root.write("htdocs/sub/.htaccess", "ForceType text/info\n");
    EXPECT_EQ(core_of("sub/file.txt").force_type, "text/info");
    EXPECT_GT(walker->fs().system_calls(), calls);
    link(outside() + "/secret.txt", "sub/link.txt");
    EXPECT_EQ(check("sub/link.txt"), 403);
    EXPECT_EQ(check("sub/link.txt"), 403);
    EXPECT_EQ(log.size(), 2u) << all_log();
}

TEST_F(DirChecks, RelativePathsAreLeftAlone) {
    load(dir_section("/", "Options None\nAllowOverride All"));
    std::pmr::monotonic_buffer_resource arena;
    Request r(&arena);
    r.server = &gen->main;
    r.filename = "relative/path";
    auto entry = files.lookup(r.filename, 0);
    EXPECT_EQ(check_directory_walk(r, *walker, *entry, hits), 0);
}

// ---- .htaccess ----

TEST_F(DirChecks, AnHtaccessFileWhereOverridesAreAllowedIsRead) {
    load(dir_section(htdocs(), "AllowOverride All"));
    EXPECT_FALSE(core_of("plain.txt").force_type);
    root.write("htdocs/.htaccess", "# a comment\n\nForceType text/debug\n");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/debug");
    ASSERT_EQ(hits.size(), 1u);
    const std::string docs = htdocs();
    EXPECT_EQ(hits[0].depth, static_cast<std::size_t>(std::count(docs.begin(), docs.end(), '/')) + 1);
    // In a parent directory, for a directory, for a file that does not exist.
    EXPECT_EQ(core_of("sub/file.txt").force_type, "text/debug");
    EXPECT_EQ(core_of("sub/").force_type, "text/debug");
    EXPECT_EQ(core_of("missing.txt").force_type, "text/debug");
    EXPECT_EQ(core_of("").force_type, "text/debug");
    // A deeper file merges after it.
    root.write("htdocs/sub/.htaccess", "ForceType text/info\n");
    EXPECT_EQ(core_of("sub/file.txt").force_type, "text/info");
    EXPECT_EQ(hits.size(), 2u);
    EXPECT_TRUE(log.empty()) << all_log();
}

TEST_F(DirChecks, AnHtaccessFileMergesAfterTheDirectorySectionsOfItsDepth) {
    // httpd: <Directory htdocs>, htdocs/.htaccess, <Directory htdocs/sub>.
    load(dir_section(htdocs(), "AllowOverride All\nForceType text/warn") + dir_section(htdocs() + "/sub", "ForceType text/crit"));
    root.write("htdocs/.htaccess", "ForceType text/debug\n");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/debug");
    EXPECT_EQ(core_of("sub/file.txt").force_type, "text/crit");
}

TEST_F(DirChecks, AnHtaccessFileIsParsedOnceAndReparsedWhenItChanges) {
    load(dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", "ForceType text/debug\n");
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(core_of("plain.txt").force_type, "text/debug");
    }
    EXPECT_EQ(walker->access_files().parses(), 1u);
    // Same size, so only the times (and the inode, for a rename) tell.
    root.write("htdocs/.htaccess", "ForceType text/error\n");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/error");
    EXPECT_EQ(walker->access_files().parses(), 2u);
    root.write("htdocs/.htaccess.new", "ForceType text/trace1\n");
    fs::rename(htdocs() + "/.htaccess.new", htdocs() + "/.htaccess");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/trace1");
    fs::remove(htdocs() + "/.htaccess");
    EXPECT_FALSE(core_of("plain.txt").force_type);
    EXPECT_TRUE(hits.empty());
}

TEST_F(DirChecks, AnHtaccessFileThatDoesNotParseAnswers500) {
    load(dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", "ForceType text/debug\nBogus directive\n");
    EXPECT_EQ(check("plain.txt"), 500);
    ASSERT_EQ(log.size(), 1u) << all_log();
    EXPECT_NE(log[0].find("[core:alert]"), std::string::npos) << log[0];
    EXPECT_NE(log[0].find("[client 127.0.0.1:4711] " + htdocs() +
                          "/.htaccess: Invalid command 'Bogus', perhaps misspelled or defined by a module not "
                          "included in the server configuration (line 2)"),
              std::string::npos)
        << log[0];
    // Still refused, and logged, on every request until it is fixed.
    EXPECT_EQ(check("sub/file.txt"), 500);
    EXPECT_EQ(log.size(), 2u);
    EXPECT_EQ(walker->access_files().parses(), 1u);
    root.write("htdocs/.htaccess", "ForceType text/debug\n");
    EXPECT_EQ(check("sub/file.txt"), 0);
    // Syntax errors of the reading phase too.
    root.write("htdocs/.htaccess", "<Files x>\nForceType text/debug\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged("/.htaccess: <Files> was not closed. (line 1)")) << all_log();
}

TEST_F(DirChecks, AnOversizedHtaccessFileAnswers500) {
    load(dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", std::string(4 * 1024 * 1024 + 1, '#'));
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: larger than 4194304 bytes")) << all_log().substr(0, 400);
}

TEST_F(DirChecks, ADirectiveOutsideItsOverrideClassAnswers500) {
    load(dir_section(htdocs(), "AllowOverride FileInfo"));
    root.write("htdocs/.htaccess", "Options None\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: Options not allowed here (line 1)")) << all_log();
    // Server-only directives never are allowed, nor are the read-time ones.
    load(dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", "Listen 8081\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: Listen not allowed here (line 1)")) << all_log();
    root.write("htdocs/.htaccess", "Include /etc/passwd\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: Include not allowed here (line 1)")) << all_log();
    root.write("htdocs/.htaccess", "<Directory />\n</Directory>\n");
    EXPECT_EQ(check("plain.txt"), 500);
}

TEST_F(DirChecks, AllowOverrideOptionsListLimitsWhatOptionsMayName) {
    load(dir_section(htdocs(), "AllowOverride Options=Indexes,FollowSymLinks"));
    root.write("htdocs/.htaccess", "Options +Indexes -FollowSymLinks\n");
    EXPECT_EQ(check("plain.txt"), 0) << all_log();
    root.write("htdocs/.htaccess", "Options +ExecCGI\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: Option ExecCGI not allowed here (line 1)")) << all_log();
    // Without a list (and with All), every option may be named.
    load(dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", "Options +ExecCGI +MultiViews\n");
    EXPECT_EQ(check("plain.txt"), 0) << all_log();
}

TEST_F(DirChecks, NonfatalSkipsWhatIsNotAllowedOrUnknownWithAWarning) {
    load(dir_section(htdocs(), "AllowOverride FileInfo Nonfatal=All"));
    root.write("htdocs/.htaccess", "Options None\nBogus x\nForceType text/debug\n");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/debug");
    EXPECT_FALSE(core_of("plain.txt").options);
    EXPECT_TRUE(logged("[core:warn]")) << all_log();
    EXPECT_TRUE(logged("SN02295: Options in .htaccess forbidden by AllowOverride")) << all_log();
    EXPECT_TRUE(logged("SN02296: Unknown directive bogus perhaps misspelled or defined by a module not included in "
                       "the server configuration"))
        << all_log();
    load(dir_section(htdocs(), "AllowOverride FileInfo Nonfatal=Unknown"));
    EXPECT_EQ(check("plain.txt"), 500);  // Options is still fatal
}

TEST_F(DirChecks, OptionsInAnHtaccessFileDecideTheSymlinksBelowIt) {
    load(dir_section(htdocs(), "AllowOverride All"));
    fs::create_directory(htdocs() + "/linked");
    link(outside() + "/secret.txt", "linked/link.txt");
    EXPECT_EQ(check("linked/link.txt"), 0);
    root.write("htdocs/.htaccess", "Options -FollowSymLinks\n");
    EXPECT_EQ(check("linked/link.txt"), 403);
    EXPECT_TRUE(logged("SN00037: Symbolic link not allowed or link target not accessible: " + htdocs() +
                       "/linked/link.txt"))
        << all_log();
    // A <Directory> deeper down merges after the file and wins.
    load(dir_section(htdocs(), "AllowOverride All") + dir_section(htdocs() + "/linked", "Options FollowSymLinks"));
    EXPECT_EQ(check("linked/link.txt"), 0);
}

TEST_F(DirChecks, AllowOverrideNoneIgnoresHtaccessFiles) {
    load(dir_section("/", "AllowOverride None"));
    root.write("htdocs/.htaccess", "Bogus\n");
    EXPECT_FALSE(walker->directory_checks_needed(gen->main));
    EXPECT_EQ(check("plain.txt"), 0);
}

TEST_F(DirChecks, OnlyDirectoriesWithOverridesAreLookedAt) {
    load(dir_section(htdocs() + "/sub", "AllowOverride FileInfo"));
    root.write("htdocs/.htaccess", "Bogus\n");
    EXPECT_EQ(check("plain.txt"), 0);
    EXPECT_EQ(check("sub/file.txt"), 0);
    root.write("htdocs/sub/.htaccess", "Bogus\n");
    EXPECT_EQ(check("sub/file.txt"), 500);
    EXPECT_EQ(check("sub"), 500);  // a directory is walked into
    // Turned off again further down.
    load(dir_section(htdocs(), "AllowOverride All") + dir_section(htdocs() + "/sub", "AllowOverride None"));
    EXPECT_EQ(check("sub/file.txt"), 500);  // htdocs/.htaccess
    fs::remove(htdocs() + "/.htaccess");
    EXPECT_EQ(check("sub/file.txt"), 0);
}

TEST_F(DirChecks, AllowOverrideListAloneIsEnough) {
    load(dir_section(htdocs(), "AllowOverride None\nAllowOverrideList ForceType ErrorDocument"));
    root.write("htdocs/.htaccess", "ForceType text/debug\n");
    EXPECT_EQ(core_of("plain.txt").force_type, "text/debug");
    root.write("htdocs/.htaccess", "forcetype text/info\nOptions None\n");
    EXPECT_EQ(check("plain.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/.htaccess: Options not allowed here (line 2)")) << all_log();
}

TEST_F(DirChecks, AccessFileNameNamesTheFiles) {
    load("AccessFileName .acl .config\n" + dir_section(htdocs(), "AllowOverride All"));
    root.write("htdocs/.htaccess", "Bogus\n");
    EXPECT_EQ(check("plain.txt"), 0);
    root.write("htdocs/sub/.config", "Bogus\n");
    EXPECT_EQ(check("sub/file.txt"), 500);
    EXPECT_TRUE(logged(htdocs() + "/sub/.config: Invalid command 'Bogus'")) << all_log();
    root.write("htdocs/.acl", "Bogus\n");
    EXPECT_EQ(check("plain.txt"), 500);
}

TEST_F(DirChecks, AnAccessFileThatCannotBeCheckedIsForbidden) {
    load(dir_section(htdocs(), "AllowOverride All"));
    fs::create_symlink(".htaccess", htdocs() + "/.htaccess");  // a loop: ELOOP
    EXPECT_EQ(check("plain.txt"), 403);
    EXPECT_TRUE(logged("[core:crit]")) << all_log();
    EXPECT_TRUE(logged("SN00529: (40)Too many levels of symbolic links: " + htdocs() +
                       "/.htaccess pcfg_openfile: unable to check htaccess file, ensure it is readable and that '" +
                       htdocs() + "/' is executable"))
        << all_log();
    fs::remove(htdocs() + "/.htaccess");
    fs::create_directory(htdocs() + "/.htaccess");
    EXPECT_EQ(check("plain.txt"), 403);
}

TEST_F(DirChecks, TheWalkOrderDecidesWhichRefusalWins) {
    // In htdocs/ httpd reads the .htaccess before it looks at the next component.
    load(dir_section(htdocs(), "Options None\nAllowOverride All"));
    link(outside() + "/secret.txt", "link.txt");
    EXPECT_EQ(check("link.txt"), 403);
    root.write("htdocs/.htaccess", "Bogus\n");
    EXPECT_EQ(check("link.txt"), 500);
    // A refused link ends the walk before the directory behind it.
    load(dir_section(htdocs(), "Options None") + dir_section(htdocs() + "/linkdir", "AllowOverride All"));
    link(outside(), "linkdir");
    root.write("outside/.htaccess", "Bogus\n");
    EXPECT_EQ(check("linkdir/secret.txt"), 403);
}

}  // namespace
}  // namespace sonora::request
