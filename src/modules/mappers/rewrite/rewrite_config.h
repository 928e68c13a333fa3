#pragma once
// httpd's mod_rewrite: configuration (RewriteEngine, RewriteOptions,
// RewriteBase, RewriteCond, RewriteRule, RewriteMap) as httpd keeps it.
//
// Merge rules, as httpd's config_server_merge / config_perdir_merge:
//   - the engine state and the options: the child's if it set them, else the
//     parent's;
//   - rules (and maps, per server): the child's alone, unless the child's
//     options say Inherit (child's then parent's), InheritBefore (parent's
//     then child's), or the parent's say InheritDown/InheritDownBefore and the
//     child's not IgnoreInherit;
//   - RewriteBase: the child's, or under MergeBase the child's if set, else
//     the parent's.
// httpd creates a module's per-directory config only for a section that holds
// one of its directives: a section without rewrite directives leaves the
// parent's config whole (`present`), which matters because the child's rule
// list replaces the parent's.

#include "core/regex.h"
#include "expr/ast.h"
#include "modules/mappers/rewrite/rewrite_map.h"

#include <sonora/module.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::mappers::rewrite {

extern Module rewrite_module;

// RewriteOptions bits.
enum Option : unsigned {
    kOptInherit = 1u << 1,
    kOptInheritBefore = 1u << 2,
    kOptNoSlash = 1u << 3,
    kOptAnyUri = 1u << 4,
    kOptMergeBase = 1u << 5,
    kOptInheritDown = 1u << 6,
    kOptInheritDownBefore = 1u << 7,
    kOptIgnoreInherit = 1u << 8,
    kOptIgnoreContextInfo = 1u << 9,
    kOptLegacyPrefixDocRoot = 1u << 10,
    kOptUnsafePrefixStat = 1u << 12,
};

// RewriteCond flags.
enum CondFlag : unsigned {
    kCondNoCase = 1u << 1,
    kCondNotMatch = 1u << 2,
    kCondOrNext = 1u << 3,
    kCondNoVary = 1u << 4,
};

enum class CondType : std::uint8_t {
    Regex,
    FileExists,
    FileSize,
    FileLink,
    FileDir,
    FileXbit,
    LookupUrl,
    LookupFile,
    StrLt,
    StrLe,
    StrEq,
    StrGt,
    StrGe,
    IntLt,
    IntLe,
    IntEq,
    IntGt,
    IntGe,
    Expr,
};

struct RewriteCond {
    std::string input;     // TestString, expanded per request
    std::string written;   // CondPattern as written (for the trace)
    std::string operand;   // what the test compares with, after its operator
    CondType type = CondType::Regex;
    unsigned flags = 0;
    std::optional<Regex> regex;
    std::shared_ptr<const expr::Expr> expr;
};

// RewriteRule flags.
enum RuleFlag : unsigned {
    kRuleForceRedirect = 1u << 1,
    kRuleLast = 1u << 2,
    kRuleNewRound = 1u << 3,
    kRuleChain = 1u << 4,
    kRuleIgnoreOnSubreq = 1u << 5,
    kRuleNotMatch = 1u << 6,
    kRuleProxy = 1u << 7,
    kRulePassThrough = 1u << 8,
    kRuleQsAppend = 1u << 9,
    kRuleNoCase = 1u << 10,
    kRuleNoEscape = 1u << 11,
    kRuleNoSub = 1u << 12,
    kRuleStatus = 1u << 13,
    kRuleEscapeBackref = 1u << 14,
    kRuleDiscardPathInfo = 1u << 15,
    kRuleQsDiscard = 1u << 16,
    kRuleEnd = 1u << 17,
    kRuleEscapeNoPlus = 1u << 18,
    kRuleQsLast = 1u << 19,
    kRuleQsNone = 1u << 20,
    kRuleEscapeCtls = 1u << 21,
    kRuleUnsafePrefixStat = 1u << 22,
    kRuleUnsafeAllow3F = 1u << 23,
    kRuleUnc = 1u << 24,
};

inline constexpr int kMaxRounds = 10000;

struct RewriteRule {
    std::string pattern;  // as written, without a leading '!'
    std::optional<Regex> regex;
    std::string output;   // the substitution ("-": none)
    unsigned flags = 0;
    std::optional<std::string> forced_type;     // T=
    std::optional<std::string> forced_handler;  // H=
    int forced_status = 302;                    // R=, F, G
    std::vector<std::string> env;               // E=
    std::vector<std::string> cookies;           // CO=
    int skip = 0;                               // S=
    int max_rounds = kMaxRounds;                // N=
    std::optional<std::string> escapes;         // B=chars
    std::optional<std::string> noescapes;       // BNE=chars
    std::vector<RewriteCond> conds;
};

using RuleList = std::vector<std::shared_ptr<const RewriteRule>>;

struct RewriteServerConfig {
    bool present = false;  // a rewrite directive stands in this server (or in a section of it)
    std::optional<bool> engine;
    std::optional<unsigned> options;
    std::vector<std::shared_ptr<RewriteMap>> maps;  // by name; a later one replaces an earlier
    RuleList rules;
    std::vector<RewriteCond> pending_conds;  // RewriteCond lines waiting for their RewriteRule

    bool engine_on() const { return engine.value_or(false); }
    unsigned opts() const { return options.value_or(0); }
    const RewriteMap* find_map(std::string_view name) const;
    static RewriteServerConfig merge(const RewriteServerConfig& base, const RewriteServerConfig& add);
};

struct RewriteDirConfig {
    bool present = false;                 // a rewrite directive stands in this section
    std::optional<bool> engine;
    std::optional<unsigned> options;
    std::optional<std::string> directory;  // the section's path with a trailing '/'; none at server level
    std::optional<std::string> base;       // RewriteBase
    RuleList rules;
    std::vector<RewriteCond> pending_conds;

    bool engine_on() const { return engine.value_or(false); }
    unsigned opts() const { return options.value_or(0); }
    static RewriteDirConfig merge(const RewriteDirConfig& base, const RewriteDirConfig& add);
};

}  // namespace sonora::modules::mappers::rewrite
