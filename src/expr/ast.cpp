#include "expr/ast.h"

#include "expr/functions.h"
#include "expr/variables.h"

namespace sonora::expr {
namespace {

constexpr std::string_view kStrOps[] = {"==", "!=", "<", "<=", ">", ">="};
constexpr std::string_view kIntOps[] = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge"};

}  // namespace

bool is_bool_node(NodeKind k) {
    return k != NodeKind::Literal && k != NodeKind::Concat && k != NodeKind::Var &&
           k != NodeKind::Func && k != NodeKind::Backref;
}

std::string Expr::dump() const {
    std::string out;
    if (root_ != kNoNode) {
        dump_node(root_, out);
    }
    return out;
}

void Expr::dump_node(NodeId id, std::string& out) const {
    const Node& n = nodes_[id];
    auto binary = [&](std::string_view op) {
        out += '(';
        out += op;
        out += ' ';
        dump_node(n.lhs, out);
        out += ' ';
        dump_node(n.rhs, out);
        out += ')';
    };
    switch (n.kind) {
        case NodeKind::True: out += "true"; break;
        case NodeKind::False: out += "false"; break;
        case NodeKind::Not:
            out += "(! ";
            dump_node(n.lhs, out);
            out += ')';
            break;
        case NodeKind::And: binary("&&"); break;
        case NodeKind::Or: binary("||"); break;
        case NodeKind::StrCmp: binary(kStrOps[n.op]); break;
        case NodeKind::IntCmp: binary(kIntOps[n.op]); break;
        case NodeKind::Unary:
            out += "(-";
            out += unary_op_letter(static_cast<UnaryOp>(n.op));
            out += ' ';
            dump_node(n.lhs, out);
            out += ')';
            break;
        case NodeKind::Binary:
            binary(std::string("-") + std::string(named_op_name(static_cast<NamedOp>(n.op))));
            break;
        case NodeKind::Match:
        case NodeKind::NoMatch:
            out += n.kind == NodeKind::Match ? "(=~ " : "(!~ ";
            dump_node(n.lhs, out);
            out += " /" + regexes_[n.extra].pattern() + "/";
            if (regexes_[n.extra].caseless()) {
                out += 'i';
            }
            out += ')';
            break;
        case NodeKind::In:
            out += "(in ";
            dump_node(n.lhs, out);
            out += " {";
            for (std::uint32_t i = 0; i < n.extra; ++i) {
                if (i > 0) {
                    out += ", ";
                }
                dump_node(list_items_[n.rhs + i], out);
            }
            out += "})";
            break;
        case NodeKind::Literal: out += "'" + n.text + "'"; break;
        case NodeKind::Concat: binary("."); break;
        case NodeKind::Var:
            out += "%{";
            out += variable_name(static_cast<Var>(n.op));
            out += '}';
            break;
        case NodeKind::Func:
            out += function_name(static_cast<Func>(n.op));
            out += '(';
            dump_node(n.lhs, out);
            out += ')';
            break;
        case NodeKind::Backref: out += "$" + std::to_string(n.op); break;
    }
}

}  // namespace sonora::expr
