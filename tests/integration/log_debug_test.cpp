// mod_log_debug on the real binary, against Apache 2.4 with the same
// configuration when it is installed: which hooks write a LogMessage, in
// which order, under which condition and configuration section, what the
// line carries (the Referer at info, the hook and place at debug), and the
// startup errors for bad arguments.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModule = "LoadModule log_debug_module /usr/lib/apache2/modules/mod_log_debug.so\n";

// The messages of mod_log_debug's lines, in order: what follows "[client ...] ".
std::vector<std::string> messages(const std::string& log) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < log.size()) {
        std::size_t end = log.find('\n', pos);
        end = end == std::string::npos ? log.size() : end;
        const std::string line = log.substr(pos, end - pos);
        pos = end + 1;
        if (line.find("[log_debug:info]") == std::string::npos) {
            continue;
        }
        const std::size_t client = line.find("[client ");
        const std::size_t text = client == std::string::npos ? std::string::npos : line.find("] ", client);
        out.push_back(text == std::string::npos ? line : line.substr(text + 2));
    }
    return out;
}

std::string request(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

TEST(LogDebug, MessagesComeAtTheirHooksAsHttpdWritesThem) {
    TwinSite site(kModule);
    site.write_doc("ld/i.html", "hi\n");
    site.write_doc("other.html", "o\n");
    const std::string htdocs = site.root().str() + "/htdocs";
    site.append_config("LogLevel info\n<Directory " + htdocs + ">\nRequire all granted\n</Directory>\n"
                       "<Directory " + htdocs + "/ld>\n"
                       "LogMessage \"uri %{REQUEST_URI} foo=%{req:X-Foo}\"\n"
                       "LogMessage \"at fixups\" hook=fixups\n"
                       "LogMessage only-with-foo expr=-n%{req:X-Foo}\n"
                       "LogMessage every hook=all\n"
                       "LogMessage esc\\%{x}\\101\n"
                       "</Directory>\n");
    const std::vector<std::string> requests = {
        request("/ld/i.html", "X-Foo: xyz\r\nReferer: http://from/\r\n"),
        request("/other.html"),
        request("/ld/i.html"),
    };
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), (std::vector<int>{200, 200, 200}));
    const std::vector<std::string> expected = {
        // check_access and check_access_ex, type_checker, fixups (both), insert_filter, handler
        "every, referer: http://from/",
        "every, referer: http://from/",
        "every, referer: http://from/",
        "at fixups, referer: http://from/",
        "every, referer: http://from/",
        "every, referer: http://from/",
        "every, referer: http://from/",
        // log_transaction, in the order of the directives
        "uri /ld/i.html foo=xyz, referer: http://from/",
        "only-with-foo, referer: http://from/",
        "every, referer: http://from/",
        "esc%{x}A, referer: http://from/",
        // the third request: no Referer, no X-Foo
        "every", "every", "every", "at fixups", "every", "every", "every", "uri /ld/i.html foo=", "every", "esc%{x}A",
    };
    EXPECT_EQ(messages(site.read_log("sonora", "error_log")), expected);
    if (apache_available()) {
        site.exchange("apache", requests);
        EXPECT_EQ(messages(site.read_log("apache", "error_log")), expected);
    }
}

TEST(LogDebug, DebugLevelSaysWhichHookAndWhere) {
    TwinSite site(kModule);
    site.write_doc("i.html", "hi\n");
    site.append_config("LogLevel info log_debug:debug\n<Directory " + site.root().str() +
                       "/htdocs>\nRequire all granted\nLogMessage here hook=type_checker\n</Directory>\n");
    auto sonora = site.exchange("sonora", {request("/i.html")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{200});
    const auto lines = messages(site.read_log("sonora", "error_log"));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].substr(0, 25), "here (type_checker hook, ");
    EXPECT_EQ(lines[0].back(), ')');
    // The configuration file and the LogMessage line's number in it.
    const std::size_t colon = lines[0].rfind(".conf:");
    ASSERT_NE(colon, std::string::npos) << lines[0];
    const std::string number = lines[0].substr(colon + 6, lines[0].size() - colon - 7);
    EXPECT_FALSE(number.empty());
    EXPECT_EQ(number.find_first_not_of("0123456789"), std::string::npos) << lines[0];
}

TEST(LogDebug, BadArgumentsStopTheServerAsHttpd) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"LogMessage \"%{\"", "Could not parse message expression '%{': "},
        {"LogMessage x hook=bogus", "Invalid hook name: bogus"},
        {"LogMessage x foo=bar", "Invalid argument foo=bar"},
        {"LogMessage x expr=%{", "Could not parse expression '%{': "},
    };
    for (const auto& [line, message] : cases) {
        const std::string error = refusal_of(kModule, line);
        EXPECT_NE(error.find("Syntax error on line"), std::string::npos) << line << "\n" << error;
        EXPECT_NE(error.find(message), std::string::npos) << line << "\n" << error;
    }
}

}  // namespace
}  // namespace sonora::test
