// mod_rewrite's directives through the real configuration engine: every
// RewriteRule and RewriteCond flag as parsed, the refusals with httpd's
// messages, quoting in the argument line, RewriteBase and the merges of
// server and directory configs under the RewriteOptions.

#include "../../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/mappers/rewrite/rewrite_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sonora::modules::mappers::rewrite {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule rewrite_module modules/mod_rewrite.so\n";

const RewriteServerConfig& server(const config::Generation& g) { return g.main_conf<RewriteServerConfig>(rewrite_module); }
const RewriteServerConfig& vhost(const config::Generation& g, std::size_t i) {
    return config::Generation::server_conf<RewriteServerConfig>(*g.vhosts.at(i), rewrite_module);
}
const RewriteDirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<RewriteDirConfig>(rewrite_module.index);
}

std::string load_error(const std::string& conf) {
    ConfigRoot root;
    try {
        root.load(kLoad + conf);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

// The one rule of "RewriteRule <line>" in the main server.
RewriteRule rule_of(const std::string& line) {
    ConfigRoot root;
    auto g = root.load(kLoad + "RewriteRule " + line + "\n");
    const auto& rules = server(*g).rules;
    EXPECT_EQ(rules.size(), 1u) << line;
    return rules.empty() ? RewriteRule{} : *rules.front();
}

TEST(RewriteDirectives, EveryRuleFlagParsed) {
    struct Flag {
        const char* flags;
        unsigned bits;
    };
    const Flag cases[] = {
        {"[B]", kRuleEscapeBackref},
        {"[BCTLS]", kRuleEscapeCtls},
        {"[B,BNP]", kRuleEscapeBackref | kRuleEscapeNoPlus},
        {"[C]", kRuleChain},
        {"[chain]", kRuleChain},
        {"[DPI]", kRuleDiscardPathInfo},
        {"[discardpath]", kRuleDiscardPathInfo},
        {"[END]", kRuleEnd},
        {"[F]", kRuleStatus},
        {"[forbidden]", kRuleStatus},
        {"[G]", kRuleStatus},
        {"[gone]", kRuleStatus},
        {"[L]", kRuleLast},
        {"[last]", kRuleLast},
        {"[N]", kRuleNewRound},
        {"[next]", kRuleNewRound},
        {"[NC]", kRuleNoCase},
        {"[nocase]", kRuleNoCase},
        {"[NE]", kRuleNoEscape},
        {"[noescape]", kRuleNoEscape},
        {"[NS]", kRuleIgnoreOnSubreq},
        {"[nosubreq]", kRuleIgnoreOnSubreq},
        {"[P]", kRuleProxy},
        {"[proxy]", kRuleProxy},
        {"[PT]", kRulePassThrough},
        {"[passthrough]", kRulePassThrough},
        {"[QSA]", kRuleQsAppend},
        {"[qsappend]", kRuleQsAppend},
        {"[QSD]", kRuleQsDiscard},
        {"[qsdiscard]", kRuleQsDiscard},
        {"[QSL]", kRuleQsLast},
        {"[qslast]", kRuleQsLast},
        {"[R]", kRuleForceRedirect},
        {"[redirect]", kRuleForceRedirect},
        {"[UnsafeAllow3F]", kRuleUnsafeAllow3F},
        {"[UnsafePrefixStat]", kRuleUnsafePrefixStat},
        {"[L,NC]", kRuleLast | kRuleNoCase},
    };
    for (const Flag& f : cases) {
        SCOPED_TRACE(f.flags);
        const RewriteRule r = rule_of(std::string("^/a$ /b ") + f.flags);
        EXPECT_EQ(r.flags & f.bits, f.bits) << std::hex << r.flags;
    }
}

TEST(RewriteDirectives, RuleFlagValues) {
    EXPECT_EQ(rule_of("^/a$ /b [R]").forced_status, 302);
    EXPECT_EQ(rule_of("^/a$ /b [R=301]").forced_status, 301);
    EXPECT_EQ(rule_of("^/a$ /b [R=permanent]").forced_status, 301);
    EXPECT_EQ(rule_of("^/a$ /b [R=temp]").forced_status, 302);
    EXPECT_EQ(rule_of("^/a$ /b [R=seeother]").forced_status, 303);
    EXPECT_EQ(rule_of("^/a$ - [R=404]").forced_status, 404);
    EXPECT_EQ(rule_of("^/a$ - [F]").forced_status, 403);
    EXPECT_EQ(rule_of("^/a$ - [G]").forced_status, 410);
    EXPECT_EQ(rule_of("^/a$ /b [T=text/plain]").forced_type.value_or(""), "text/plain");
    EXPECT_EQ(rule_of("^/a$ /b [type=text/x-a]").forced_type.value_or(""), "text/x-a");
    EXPECT_EQ(rule_of("^/a$ /b [H=cgi-script]").forced_handler.value_or(""), "cgi-script");
    EXPECT_EQ(rule_of("^/a$ /b [S=3]").skip, 3);
    EXPECT_EQ(rule_of("^/a$ /b [skip=2]").skip, 2);
    EXPECT_EQ(rule_of("^/a$ /b [N]").max_rounds, kMaxRounds);
    EXPECT_EQ(rule_of("^/a$ /b [N=32]").max_rounds, 32);
    EXPECT_EQ(rule_of("^/a$ /b [B=&?]").escapes.value_or(""), "&?");
    EXPECT_EQ(rule_of("^/a$ /b [B,BNE=/]").noescapes.value_or(""), "/");
    const RewriteRule e = rule_of("^/a$ /b [E=A:1,E=B:,E=!C,env=D:x]");
    ASSERT_EQ(e.env.size(), 4u);
    EXPECT_EQ(e.env[0], "A:1");
    EXPECT_EQ(e.env[1], "B:");
    EXPECT_EQ(e.env[2], "!C");
    EXPECT_EQ(e.env[3], "D:x");
    const RewriteRule co = rule_of("^/a$ /b [CO=n:v:localhost:10:/p:secure:httponly:Lax,cookie=m:w:.example.com]");
    ASSERT_EQ(co.cookies.size(), 2u);
    EXPECT_EQ(co.cookies[0], "n:v:localhost:10:/p:secure:httponly:Lax");
    EXPECT_EQ(co.cookies[1], "m:w:.example.com");
    const RewriteRule neg = rule_of("!^/a$ /b");
    EXPECT_TRUE(neg.flags & kRuleNotMatch);
    EXPECT_EQ(neg.pattern, "^/a$");
    EXPECT_EQ(neg.output, "/b");
    EXPECT_EQ(rule_of("^/a$ -").output, "-");
}

TEST(RewriteDirectives, QuotesAndEscapedSpaces) {
    const RewriteRule q = rule_of("\"^/a b$\" \"/c d\" [R]");
    EXPECT_EQ(q.pattern, "^/a b$");
    EXPECT_EQ(q.output, "/c d");
    const RewriteRule bs = rule_of("^/a\\ b$ /c\\ d");
    EXPECT_EQ(bs.pattern, "^/a\\ b$");
    EXPECT_EQ(bs.output, "/c\\ d");
    ASSERT_TRUE(bs.regex.has_value());
}

TEST(RewriteDirectives, EveryCondTestAndFlag) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "RewriteCond %{A} -d\nRewriteCond %{A} -f\nRewriteCond %{A} -F\nRewriteCond %{A} -h\n"
                       "RewriteCond %{A} -l\nRewriteCond %{A} -L\nRewriteCond %{A} -s\nRewriteCond %{A} -U\n"
                       "RewriteCond %{A} -x\nRewriteCond %{A} =b\nRewriteCond %{A} <b\nRewriteCond %{A} >b\n"
                       "RewriteCond %{A} <=b\nRewriteCond %{A} >=b\nRewriteCond %{A} -eq1\n"
                       "RewriteCond %{A} -ne1\nRewriteCond %{A} -lt1\nRewriteCond %{A} -le1\n"
                       "RewriteCond %{A} -gt1\nRewriteCond %{A} -ge1\nRewriteCond expr \"-n %{QUERY_STRING}\"\n"
                       "RewriteCond %{A} !^x [NC,OR]\nRewriteCond %{HTTP:X} ^y [novary,nocase,ornext]\n"
                       "RewriteRule ^ -\n");
    const auto& rules = server(*g).rules;
    ASSERT_EQ(rules.size(), 1u);
    const auto& c = rules[0]->conds;
    ASSERT_EQ(c.size(), 23u);
    const CondType types[] = {CondType::FileDir,    CondType::FileExists, CondType::LookupFile, CondType::FileLink,
                              CondType::FileLink,   CondType::FileLink,   CondType::FileSize,   CondType::LookupUrl,
                              CondType::FileXbit,   CondType::StrEq,      CondType::StrLt,      CondType::StrGt,
                              CondType::StrLe,      CondType::StrGe,      CondType::IntEq,      CondType::IntEq,
                              CondType::IntLt,      CondType::IntLe,      CondType::IntGt,      CondType::IntGe,
                              CondType::Expr,       CondType::Regex,      CondType::Regex};
    for (std::size_t i = 0; i < 23; ++i) {
        EXPECT_EQ(static_cast<int>(c[i].type), static_cast<int>(types[i])) << i;
    }
    EXPECT_EQ(c[9].operand, "b");
    EXPECT_EQ(c[14].operand, "1");
    EXPECT_TRUE(c[15].flags & kCondNotMatch) << "-ne is a negated -eq";
    EXPECT_EQ(c[21].flags & (kCondNotMatch | kCondNoCase | kCondOrNext), kCondNotMatch | kCondNoCase | kCondOrNext);
    EXPECT_EQ(c[22].flags & (kCondNoVary | kCondNoCase | kCondOrNext), kCondNoVary | kCondNoCase | kCondOrNext);
}

struct Bad {
    const char* conf;
    const char* message;  // Apache 2.4.71's `apache2 -t` message, whole
};

// httpd's messages, word for word (as Apache 2.4.71 prints them with -t).
TEST(RewriteDirectives, RefusalsWithHttpdsMessages) {
    const Bad cases[] = {
        {"RewriteRule ^x$ y [X]\n", "RewriteRule: unknown flag 'X'"},
        {"RewriteRule ^x$ y [R=418]\n", "RewriteRule: invalid HTTP response code '418' for flag 'R'"},
        {"RewriteRule ^x$ y [R=99]\n", "RewriteRule: invalid HTTP response code '99' for flag 'R'"},
        {"RewriteRule ^x$ y [backrefnoplus]\n", "RewriteRule: unknown flag 'backrefnoplus'"},
        {"RewriteRule ^(x$ y\n", "RewriteRule: cannot compile regular expression '^(x$'"},
        {"RewriteCond %{A} ^x [BOGUS]\nRewriteRule ^ -\n", "RewriteCond: unknown flag 'BOGUS'"},
        {"RewriteCond %{A} ^(x\nRewriteRule ^ -\n", "RewriteCond: cannot compile regular expression '^(x'"},
        {"RewriteBase /x\n", "RewriteBase: only valid in per-directory config files"},
        {"<Directory /x>\nRewriteBase x\n</Directory>\n", "RewriteBase: argument is not a valid URL"},
        {"RewriteOptions Bogus\n", "RewriteOptions: unknown option 'Bogus'"},
        {"RewriteEngine maybe\n", "RewriteEngine must be On or Off"},
    };
    for (const Bad& b : cases) {
        SCOPED_TRACE(b.conf);
        EXPECT_EQ(load_error(b.conf), b.message);
    }
    // httpd 2.4.71 takes any number for R= (200 too: "Syntax OK").
    EXPECT_EQ(load_error("RewriteRule ^x$ y [R=200]\n"), "");
}

// Apache 2.4.71's wording of argument-line and flag-field errors (its
// apache2 -t), which differs from httpd trunk's longer messages.
TEST(RewriteDirectives, RefusalsIn2471Words) {
    const Bad cases[] = {
        {"RewriteRule ^x$ y L]\n", "RewriteRule: bad flag delimiters"},
        {"RewriteRule ^x$ y [L\n", "RewriteRule: bad flag delimiters"},
        {"RewriteRule ^x$ y [ L , NC ]\n", "RewriteRule: bad flag delimiters"},
        {"RewriteCond %{A} -eq 1\nRewriteRule ^ -\n", "RewriteCond: bad flag delimiters"},
        {"RewriteRule ^x$\n", "RewriteRule: bad argument line '^x$'"},
        {"RewriteCond %{HTTP_HOST}\nRewriteRule ^ -\n", "RewriteCond: bad argument line '%{HTTP_HOST}'"},
        {"RewriteCond expr \"-n %{A}\"\nRewriteRule ^ -\n",
         "RewriteCond: cannot compile expression \"-n %{A}\" Variable 'A' does not exist"},
    };
    for (const Bad& b : cases) {
        SCOPED_TRACE(b.conf);
        EXPECT_EQ(load_error(b.conf), b.message);
    }
}

// The same lines are refused, whatever the words.
TEST(RewriteDirectives, RefusedLikeHttpd) {
    for (const char* conf : {"RewriteRule ^x$ y L]\n", "RewriteRule ^x$ y [L\n", "RewriteRule ^x$ y [ L , NC ]\n",
                             "RewriteCond %{A} -eq 1\nRewriteRule ^ -\n", "RewriteRule ^x$\n",
                             "RewriteCond %{HTTP_HOST}\nRewriteRule ^ -\n",
                             "RewriteCond expr \"-n %{A}\"\nRewriteRule ^ -\n"}) {
        SCOPED_TRACE(conf);
        const std::string why = load_error(conf);
        EXPECT_NE(why, "");
        EXPECT_EQ(why.substr(0, 11), std::string(conf).substr(0, 11));
    }
}

TEST(RewriteDirectives, RewriteBaseInADirectory) {
    ConfigRoot root;
    auto g = root.load(kLoad + "<Directory /srv/a>\nRewriteBase /base/\n</Directory>\n");
    EXPECT_EQ(dir_section(*g, 0).base.value_or(""), "/base/");
    EXPECT_TRUE(dir_section(*g, 0).present);
}

TEST(RewriteDirectives, EngineAndOptions) {
    ConfigRoot root;
    auto g = root.load(kLoad + "RewriteEngine On\nRewriteOptions Inherit AllowNoSlash\n");
    EXPECT_TRUE(server(*g).engine_on());
    EXPECT_EQ(server(*g).opts() & (kOptInherit | kOptNoSlash), kOptInherit | kOptNoSlash);
    auto h = root.load(kLoad + "RewriteOptions InheritBefore MergeBase IgnoreInherit InheritDown\n");
    const unsigned o = server(*h).opts();
    EXPECT_TRUE(o & kOptInheritBefore);
    EXPECT_TRUE(o & kOptMergeBase);
    EXPECT_TRUE(o & kOptIgnoreInherit);
    EXPECT_TRUE(o & kOptInheritDown);
}

std::string vhost_block(const std::string& name, const std::string& body) {
    return "<VirtualHost *:80>\nServerName " + name + "\n" + body + "</VirtualHost>\n";
}

// The rules as "pattern" strings, in order.
std::string patterns(const RuleList& rules) {
    std::string out;
    for (const auto& r : rules) {
        out += (out.empty() ? "" : " ") + r->pattern;
    }
    return out;
}

TEST(RewriteDirectives, ServerMerges) {
    ConfigRoot root;
    auto g = root.load(kLoad + "RewriteEngine On\nRewriteRule ^main -\n" +
                       vhost_block("plain", "RewriteEngine On\nRewriteRule ^vh -\n") +
                       vhost_block("inherit", "RewriteEngine On\nRewriteOptions Inherit\nRewriteRule ^vh -\n") +
                       vhost_block("before", "RewriteEngine On\nRewriteOptions InheritBefore\nRewriteRule ^vh -\n") +
                       vhost_block("none", "ServerAdmin x@y\n"));
    EXPECT_EQ(patterns(vhost(*g, 0).rules), "^vh");
    EXPECT_EQ(patterns(vhost(*g, 1).rules), "^vh ^main");
    EXPECT_EQ(patterns(vhost(*g, 2).rules), "^main ^vh");
    EXPECT_TRUE(vhost(*g, 3).engine_on()) << "the engine state is inherited when the vhost does not set it";
}

TEST(RewriteDirectives, InheritDownAndIgnoreInherit) {
    ConfigRoot root;
    auto g = root.load(kLoad + "RewriteEngine On\nRewriteOptions InheritDown\nRewriteRule ^main -\n" +
                       vhost_block("plain", "RewriteEngine On\nRewriteRule ^vh -\n") +
                       vhost_block("ignore", "RewriteEngine On\nRewriteOptions IgnoreInherit\nRewriteRule ^vh -\n"));
    EXPECT_EQ(patterns(vhost(*g, 0).rules), "^vh ^main");
    EXPECT_EQ(patterns(vhost(*g, 1).rules), "^vh");
    auto h = root.load(kLoad + "RewriteEngine On\nRewriteOptions InheritDownBefore\nRewriteRule ^main -\n" +
                       vhost_block("plain", "RewriteEngine On\nRewriteRule ^vh -\n"));
    EXPECT_EQ(patterns(vhost(*h, 0).rules), "^main ^vh");
}

TEST(RewriteDirectives, DirectoryMerges) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "<Directory /srv>\nRewriteEngine On\nRewriteBase /p/\nRewriteRule ^parent -\n</Directory>\n"
                       "<Directory /srv/own>\nRewriteRule ^child -\n</Directory>\n"
                       "<Directory /srv/inh>\nRewriteOptions Inherit\nRewriteRule ^child -\n</Directory>\n"
                       "<Directory /srv/bef>\nRewriteOptions InheritBefore\nRewriteRule ^child -\n</Directory>\n"
                       "<Directory /srv/mb>\nRewriteOptions MergeBase\n</Directory>\n");
    const RewriteDirConfig& parent = dir_section(*g, 0);
    const RewriteDirConfig own = RewriteDirConfig::merge(parent, dir_section(*g, 1));
    EXPECT_EQ(patterns(own.rules), "^child");
    EXPECT_TRUE(own.engine_on());
    EXPECT_FALSE(own.base.has_value()) << "without MergeBase the child's (unset) RewriteBase";
    EXPECT_EQ(patterns(RewriteDirConfig::merge(parent, dir_section(*g, 2)).rules), "^child ^parent");
    EXPECT_EQ(patterns(RewriteDirConfig::merge(parent, dir_section(*g, 3)).rules), "^parent ^child");
    const RewriteDirConfig mb = RewriteDirConfig::merge(parent, dir_section(*g, 4));
    EXPECT_EQ(mb.base.value_or(""), "/p/");
}

}  // namespace
}  // namespace sonora::modules::mappers::rewrite
