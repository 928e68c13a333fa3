// mod_log_config through the real engine: LogFormat (default, nickname),
// CustomLog/TransferLog/GlobalLog with env=/expr= conditions, BufferedLogs,
// the main server -> vhost merge, and httpd's error messages and lines.

#include "../../support/config_fixture.h"
#include "modules/loggers/mod_log_config.h"

#include <gtest/gtest.h>

namespace sonora::modules::loggers {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const LogConfigServer& main_conf(const config::Generation& g) {
    return *g.main.module_config.get<LogConfigServer>(log_config_module.index);
}
const LogConfigServer& vhost_conf(const config::Generation& g, std::size_t i) {
    return *g.vhosts.at(i)->module_config.get<LogConfigServer>(log_config_module.index);
}

void expect_error(const std::string& conf, const std::string& message, int line) {
    ConfigRoot root;
    try {
        root.load(conf);
        ADD_FAILURE() << "accepted: " << conf;
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), message) << conf;
        EXPECT_EQ(e.line, line) << conf;
    }
}

TEST(ModLogConfig, IsStaticAndDescribed) {
    EXPECT_TRUE(log_config_module.is_static);
    EXPECT_EQ(log_config_module.source, "mod_log_config.c");
}

TEST(ModLogConfig, LogFormatNicknameAndDefault) {
    ConfigRoot root;
    auto g = root.load(
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common\n"
        "LogFormat \"%h %>s\" Short\n"
        "LogFormat short\n");
    const auto& c = main_conf(*g);
    ASSERT_EQ(c.formats.size(), 2u);
    EXPECT_EQ(c.formats.at("common"), "%h %l %u %t \"%r\" %>s %b");
    EXPECT_EQ(c.formats.at("SHORT"), "%h %>s");  // nicknames are case-insensitive
    ASSERT_TRUE(c.default_format.has_value());
    EXPECT_EQ(c.default_format->text, "short");
    // The one-argument form names a nickname: resolved against the table.
    LogFormat def = c.default_log_format();
    EXPECT_EQ(def.source, "%h %>s");
    ASSERT_EQ(def.items.size(), 3u);
}

TEST(ModLogConfig, DefaultFormatIsCommonLogFormat) {
    ConfigRoot root;
    auto g = root.load("TransferLog logs/access_log\n");
    const auto& c = main_conf(*g);
    EXPECT_FALSE(c.default_format.has_value());
    EXPECT_EQ(c.default_log_format().source, kDefaultLogFormat);
    ASSERT_EQ(c.logs.size(), 1u);
    EXPECT_FALSE(c.logs[0].format.has_value());
    EXPECT_EQ(c.logs[0].path, root.path() + "/logs/access_log");
    EXPECT_EQ(c.logs[0].directive, "TransferLog");
}

TEST(ModLogConfig, CustomLogTargetsFormatsAndConditions) {
    ConfigRoot root;
    auto g = root.load(
        "LogFormat \"%h\" mini\n"
        "CustomLog logs/a mini\n"
        "CustomLog \"|/usr/bin/rotatelogs x 86400\" \"%h %U\" env=!dontlog\n"
        "CustomLog /var/log/c mini env=gif\n"
        "CustomLog logs/d mini \"expr=%{REQUEST_STATUS} >= 400\"\n"
        "CustomLog logs/e nickname-defined-later\n"
        "LogFormat \"%U\" nickname-defined-later\n");
    const auto& c = main_conf(*g);
    ASSERT_EQ(c.logs.size(), 5u);
    EXPECT_EQ(c.logs[0].target, "logs/a");
    EXPECT_FALSE(c.logs[0].is_pipe);
    EXPECT_EQ(c.logs[0].condition.kind, LogCondition::Kind::Always);
    EXPECT_EQ(c.resolve(*c.logs[0].format).source, "%h");

    EXPECT_TRUE(c.logs[1].is_pipe);
    EXPECT_TRUE(c.logs[1].path.empty());
    EXPECT_EQ(c.logs[1].condition.kind, LogCondition::Kind::Env);
    EXPECT_EQ(c.logs[1].condition.env_var, "dontlog");
    EXPECT_TRUE(c.logs[1].condition.negate);
    EXPECT_EQ(c.resolve(*c.logs[1].format).items.size(), 3u);

    EXPECT_EQ(c.logs[2].path, "/var/log/c");
    EXPECT_EQ(c.logs[2].condition.env_var, "gif");
    EXPECT_FALSE(c.logs[2].condition.negate);

    EXPECT_EQ(c.logs[3].condition.kind, LogCondition::Kind::Expr);
    EXPECT_EQ(c.logs[3].condition.expr_text, "%{REQUEST_STATUS} >= 400");
    EXPECT_NE(c.logs[3].condition.expr, nullptr);

    // Resolved when logs are opened, so a later LogFormat counts.
    EXPECT_EQ(c.resolve(*c.logs[4].format).source, "%U");
    EXPECT_EQ(c.logs[4].line, 6);
}

TEST(ModLogConfig, VhostMergeInheritsGlobalLogsAndFormats) {
    ConfigRoot root;
    auto g = root.load(
        "Listen 8080\n"
        "LogFormat \"%h\" fmt\n"
        "LogFormat \"%a\"\n"
        "CustomLog logs/main fmt\n"
        "GlobalLog logs/global fmt\n"
        "BufferedLogs on\n"
        "<VirtualHost *:8080>\n"
        "LogFormat \"%v %h\" fmt\n"
        "CustomLog logs/vh fmt\n"
        "</VirtualHost>\n"
        "<VirtualHost *:8080>\n"
        "ServerName other\n"
        "BufferedLogs off\n"
        "</VirtualHost>\n");
    const auto& m = main_conf(*g);
    EXPECT_EQ(m.effective_logs().size(), 2u);
    EXPECT_TRUE(m.logs[1].inherit);
    EXPECT_EQ(m.buffered_logs, false);  // process-wide: the last BufferedLogs wins

    const auto& v1 = vhost_conf(*g, 0);
    auto logs1 = v1.effective_logs();
    ASSERT_EQ(logs1.size(), 2u);
    EXPECT_EQ(logs1[0]->target, "logs/vh");
    EXPECT_EQ(logs1[1]->target, "logs/global");
    EXPECT_EQ(v1.resolve(*logs1[1]->format).source, "%v %h");  // the vhost's nickname table
    EXPECT_EQ(v1.default_log_format().source, "%a");           // inherited default

    const auto& v2 = vhost_conf(*g, 1);
    auto logs2 = v2.effective_logs();
    ASSERT_EQ(logs2.size(), 2u);  // no logs of its own: all the main server's
    EXPECT_EQ(logs2[0]->target, "logs/main");
    EXPECT_EQ(v2.resolve(*logs2[0]->format).source, "%h");
}

TEST(ModLogConfig, MergeRulesDirectly) {
    LogConfigServer base;
    base.formats["a"] = "%h";
    base.formats["b"] = "%u";
    base.default_format = LogFormatRef{"a", nullptr};
    LogConfigServer add;
    add.formats["B"] = "%U";
    auto m = LogConfigServer::merge(base, add);
    EXPECT_EQ(m.formats.size(), 2u);
    EXPECT_EQ(m.formats.at("b"), "%U");
    EXPECT_EQ(m.default_format->text, "a");
    add.default_format = LogFormatRef{"b", nullptr};
    EXPECT_EQ(LogConfigServer::merge(base, add).default_format->text, "b");
}

TEST(ModLogConfig, Errors) {
    expect_error("LogFormat \"%Z\" x\n", "Unrecognized LogFormat directive %Z", 1);
    expect_error("\nLogFormat \"%{foo\" x\n", "Ran off end of LogFormat parsing args to some directive", 2);
    expect_error("LogFormat \"%Z\"\n", "Unrecognized LogFormat directive %Z", 1);
    expect_error("CustomLog logs/x \"%Z\"\n", "Unrecognized LogFormat directive %Z", 1);
    // The condition is checked before the format.
    expect_error("CustomLog logs/x \"%Z\" foo\n", "error in condition clause", 1);
    expect_error("CustomLog logs/x common env=\n", "missing environment variable name", 1);
    expect_error("CustomLog logs/x common env=!\n", "missing environment variable name", 1);
    expect_error("CustomLog logs/x common expr=\n", "missing condition", 1);
    expect_error("GlobalLog logs/x common bogus\n", "error in condition clause", 1);
    expect_error("Listen 80\n<VirtualHost *:80>\nGlobalLog logs/x common\n</VirtualHost>\n",
                 "GlobalLog cannot occur within <VirtualHost> section", 3);
    expect_error("BufferedLogs maybe\n", "BufferedLogs must be On or Off", 1);
    expect_error("<Directory />\nCustomLog logs/x common\n</Directory>\n",
                 "CustomLog not allowed in <Directory> context", 2);
    expect_error("<Location />\nLogFormat x\n</Location>\n", "LogFormat not allowed in <Location> context", 2);
}

TEST(ModLogConfig, ArityErrorsUseHttpdsPrefix) {
    struct Case {
        const char* conf;
        const char* prefix;
    };
    const Case cases[] = {
        {"LogFormat\n", "LogFormat takes 1-2 arguments, "},
        {"LogFormat a b c\n", "LogFormat takes 1-2 arguments, "},
        {"CustomLog logs/x\n", "CustomLog takes two or three arguments, "},
        {"GlobalLog logs/x\n", "GlobalLog takes two or three arguments, "},
        {"TransferLog\n", "TransferLog takes one argument, "},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(c.conf);
            ADD_FAILURE() << c.conf;
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()).rfind(c.prefix, 0), 0u) << e.what();
        }
    }
    // Argument count first, then GlobalLog's vhost rule (as httpd).
    ConfigRoot root;
    try {
        root.load("Listen 80\n<VirtualHost *:80>\nGlobalLog logs/x\n</VirtualHost>\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("GlobalLog takes two or three arguments, ", 0), 0u);
    }
}

}  // namespace
}  // namespace sonora::modules::loggers
