#pragma once
// Parsed ap_expr: a flat vector of nodes addressed by index (no per-node heap
// objects, no virtual calls), plus side tables for compiled regexes, subnets
// and `in {...}` lists. An Expr is immutable after parsing and may be shared
// by threads; evaluation keeps its state on the caller's stack.

#include <cstdint>
#include <string>
#include <vector>

#include "expr/expr_regex.h"
#include "expr/subnet.h"

namespace sonora::expr {

// How the text is read. Condition: the boolean grammar (<If>, Require expr,
// SetEnvIfExpr, expr= conditions). String: a string with %{...} and $N
// interpolation (LogMessage, Header values with expr=).
enum class ParseMode : std::uint8_t { Condition, String };

using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = 0xffffffffu;

enum class NodeKind : std::uint8_t {
    // Boolean nodes.
    True,
    False,
    Not,       // lhs
    And,       // lhs, rhs
    Or,        // lhs, rhs
    StrCmp,    // op = CmpOp; lhs, rhs
    IntCmp,    // op = CmpOp; lhs, rhs
    Unary,     // op = UnaryOp; lhs; extra = subnet index for -R
    Binary,    // op = NamedOp; lhs, rhs; extra = subnet index for -ipmatch
    Match,     // lhs =~ regexes[extra]
    NoMatch,   // lhs !~ regexes[extra]
    In,        // lhs in { list_items[rhs .. rhs+extra) }
    // String nodes.
    Literal,   // text
    Concat,    // lhs . rhs
    Var,       // op = Var
    Func,      // op = Func; lhs = argument
    Backref,   // op = 0..9
};

enum class CmpOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

struct Node {
    NodeKind kind = NodeKind::False;
    std::uint8_t op = 0;
    NodeId lhs = kNoNode;
    NodeId rhs = kNoNode;
    std::uint32_t extra = 0;
    std::string text;
};

bool is_bool_node(NodeKind k);

class Expr {
public:
    ParseMode mode() const { return mode_; }
    NodeId root() const { return root_; }
    const Node& node(NodeId id) const { return nodes_[id]; }
    std::size_t size() const { return nodes_.size(); }
    const ExprRegex& regex(std::uint32_t i) const { return regexes_[i]; }
    const Subnet& subnet(std::uint32_t i) const { return subnets_[i]; }
    NodeId list_item(std::uint32_t i) const { return list_items_[i]; }

    // Canonical S-expression form, for tests and debug logs:
    // "(&& (== %{HTTP_HOST} 'a') (-d '/x'))".
    std::string dump() const;

private:
    friend class Parser;
    void dump_node(NodeId id, std::string& out) const;

    ParseMode mode_ = ParseMode::Condition;
    NodeId root_ = kNoNode;
    std::vector<Node> nodes_;
    std::vector<NodeId> list_items_;
    std::vector<ExprRegex> regexes_;
    std::vector<Subnet> subnets_;
};

}  // namespace sonora::expr
