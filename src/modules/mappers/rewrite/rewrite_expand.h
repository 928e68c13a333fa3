#pragma once
// The substitution expander shared by RewriteRule substitutions, RewriteCond
// test strings and the E=, CO=, T=, H= values (httpd's do_expand), and the
// %{VARIABLE} lookup (httpd's lookup_variable).

#include "modules/mappers/rewrite/rewrite_engine.h"

#include <array>
#include <string>
#include <string_view>

namespace sonora::modules::mappers::rewrite {

// $0..$9 (the rule's match) or %0..%9 (the last matching condition's).
struct Backrefs {
    std::string source;
    std::array<Regex::Span, 10> spans{};
    bool valid = false;
};

// One rule's evaluation: the string its pattern was matched against, the
// back-references, and the request headers read (for Vary).
struct RuleContext {
    Engine& e;
    std::string uri;
    Backrefs rule_refs;
    Backrefs cond_refs;
    std::string vary_this;  // headers read by the condition being evaluated
    std::string vary;       // headers read by the conditions that held
};

// Expands `input` in one pass. `unsafe_qmark` (may be null), as httpd: set to
// 0 when the '?' that splits the query is written literally, 1 when it came
// from an expansion (a back-reference holding a decoded "%3f").
std::string expand(RuleContext& ctx, std::string_view input, const RewriteRule* rule, int* unsafe_qmark);

// %{NAME}: "" for a name mod_rewrite does not know.
std::string lookup_variable(RuleContext& ctx, std::string_view name);

// The B family's escaping of one back-reference.
std::string escape_backref(std::string_view s, const RewriteRule& rule);

}  // namespace sonora::modules::mappers::rewrite
