#include "expr/parser.h"

#include <algorithm>
#include <string>
#include <vector>
#include <utility>

#include "expr/functions.h"
#include "expr/lexer.h"
#include "expr/variables.h"

namespace sonora::expr {
namespace {

// Thrown inside the parser only; parse() turns it into an Error.
struct ParseFailure {
    Error error;
};

// Deep enough for any real configuration, shallow enough for small stacks:
// kMaxDepth bounds parser recursion, kMaxHeight the height of the tree
// (long "a && b && ..." chains), which bounds evaluator recursion.
constexpr int kMaxDepth = 200;
constexpr unsigned kMaxHeight = 1000;

}  // namespace

class Parser {
public:
    Parser(std::string_view text, const ParseOptions& options)
        : lex_(text, options.mode == ParseMode::String), options_(options) {
        expr_.mode_ = options.mode;
    }

    Result<Expr, Error> run() {
        try {
            advance();
            if (options_.mode == ParseMode::String) {
                expr_.root_ = parse_content(Tok::End, true);
            } else {
                expr_.root_ = parse_or();
                if (tok_.kind != Tok::End) {
                    unexpected("$end");
                }
            }
        } catch (ParseFailure& f) {
            return std::move(f.error);
        }
        return std::move(expr_);
    }

private:
    struct DepthGuard {
        explicit DepthGuard(Parser& p) : parser(p) {
            if (++parser.depth_ > kMaxDepth) {
                parser.fail("Expression nested too deeply", parser.tok_.offset);
            }
        }
        ~DepthGuard() { --parser.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
        Parser& parser;
    };

    void advance() { tok_ = lex_.next(); }

    [[noreturn]] void fail(std::string message, std::size_t offset, std::string detail = {}) {
        throw ParseFailure{Error{std::move(message), offset, std::move(detail)}};
    }

    // Bison-style "syntax error, unexpected X[, expecting Y][: lexer message]".
    [[noreturn]] void unexpected(std::string_view expecting = {}) {
        std::string msg = "syntax error, unexpected ";
        msg += token_name(tok_.kind);
        if (!expecting.empty()) {
            msg += ", expecting ";
            msg += expecting;
        }
        if (tok_.kind == Tok::Error) {
            msg += ": " + tok_.text;
        }
        fail(std::move(msg), tok_.offset);
    }

    // A lexical error where the grammar allows one: Apache prints it bare.
    [[noreturn]] void lexical() { fail(tok_.text, tok_.offset); }

    unsigned height(NodeId id) const { return id == kNoNode ? 0 : heights_[id]; }

    NodeId add(Node n) {
        unsigned h = 1 + std::max(height(n.lhs), n.kind == NodeKind::In ? 0u : height(n.rhs));
        if (n.kind == NodeKind::In) {
            for (std::uint32_t i = 0; i < n.extra; ++i) {
                h = std::max(h, 1 + height(expr_.list_items_[n.rhs + i]));
            }
        }
        if (h > kMaxHeight) {
            fail("Expression nested too deeply", tok_.offset);
        }
        heights_.push_back(h);
        expr_.nodes_.push_back(std::move(n));
        return static_cast<NodeId>(expr_.nodes_.size() - 1);
    }

    NodeId add_op(NodeKind kind, std::uint8_t op, NodeId lhs, NodeId rhs = kNoNode,
                  std::uint32_t extra = 0) {
        Node n;
        n.kind = kind;
        n.op = op;
        n.lhs = lhs;
        n.rhs = rhs;
        n.extra = extra;
        return add(std::move(n));
    }

    NodeId add_literal(std::string text) {
        Node n;
        n.kind = NodeKind::Literal;
        n.text = std::move(text);
        return add(std::move(n));
    }

    NodeId parse_or() {
        NodeId lhs = parse_and();
        while (tok_.kind == Tok::OpOr) {
            advance();
            NodeId rhs = parse_and();
            lhs = add_op(NodeKind::Or, 0, lhs, rhs);
        }
        return lhs;
    }

    NodeId parse_and() {
        NodeId lhs = parse_cond();
        while (tok_.kind == Tok::OpAnd) {
            advance();
            NodeId rhs = parse_cond();
            lhs = add_op(NodeKind::And, 0, lhs, rhs);
        }
        return lhs;
    }

    NodeId parse_cond() {
        DepthGuard guard(*this);
        switch (tok_.kind) {
            case Tok::True:
            case Tok::False: {
                NodeKind k = tok_.kind == Tok::True ? NodeKind::True : NodeKind::False;
                advance();
                return add_op(k, 0, kNoNode);
            }
            case Tok::OpNot: {
                advance();
                NodeId operand = parse_cond();
                return add_op(NodeKind::Not, 0, operand);
            }
            case Tok::LParen: {
                advance();
                NodeId inner = parse_or();
                if (tok_.kind != Tok::RParen) {
                    unexpected("T_OP_OR or T_OP_AND or ')'");
                }
                advance();
                return inner;
            }
            case Tok::Error: lexical();
            case Tok::OpUnary: return parse_unary();
            case Tok::Digit:
            case Tok::StrBegin:
            case Tok::VarBegin:
            case Tok::Backref:
            case Tok::Id: return parse_comparison();
            default: unexpected();
        }
    }

    NodeId parse_unary() {
        std::string name = tok_.text;
        std::size_t offset = tok_.offset;
        advance();
        NodeId arg = parse_word();
        auto op = find_unary_op(name);
        if (!op) {
            fail("Unary operator '-" + name + "' does not exist", offset);
        }
        // httpd keeps the file tests out of restricted contexts (SSI).
        if (options_.restricted && *op <= UnaryOp::X) {
            fail("-" + name + " not available in restricted context", offset);
        }
        std::uint32_t subnet = 0;
        if (*op == UnaryOp::R) {
            subnet = parse_subnet(arg, "-R", offset);
        }
        return add_op(NodeKind::Unary, static_cast<std::uint8_t>(*op), arg, kNoNode, subnet);
    }

    std::uint32_t parse_subnet(NodeId arg, std::string_view op_name, std::size_t offset) {
        const Node& n = expr_.nodes_[arg];
        if (n.kind != NodeKind::Literal) {
            fail(std::string(op_name) + " requires subnet/netmask as constant argument", offset);
        }
        auto net = Subnet::parse(n.text);
        if (!net) {
            fail("parsing of subnet/netmask failed", offset);
        }
        expr_.subnets_.push_back(*net);
        return static_cast<std::uint32_t>(expr_.subnets_.size() - 1);
    }

    NodeId parse_comparison() {
        NodeId lhs = parse_word();
        Tok op = tok_.kind;
        std::size_t offset = tok_.offset;
        switch (op) {
            case Tok::OpStrEq:
            case Tok::OpStrNe:
            case Tok::OpStrLt:
            case Tok::OpStrLe:
            case Tok::OpStrGt:
            case Tok::OpStrGe: {
                advance();
                NodeId rhs = parse_word();
                auto cmp = static_cast<std::uint8_t>(static_cast<int>(op) -
                                                     static_cast<int>(Tok::OpStrEq));
                return add_op(NodeKind::StrCmp, cmp, lhs, rhs);
            }
            case Tok::OpEq:
            case Tok::OpNe:
            case Tok::OpLt:
            case Tok::OpLe:
            case Tok::OpGt:
            case Tok::OpGe: {
                advance();
                NodeId rhs = parse_word();
                auto cmp =
                    static_cast<std::uint8_t>(static_cast<int>(op) - static_cast<int>(Tok::OpEq));
                return add_op(NodeKind::IntCmp, cmp, lhs, rhs);
            }
            case Tok::OpBinary: {
                std::string name = tok_.text;
                advance();
                NodeId rhs = parse_word();
                auto named = find_named_op(name);
                if (!named) {
                    fail("Binary operator '-" + name + "' does not exist", offset);
                }
                std::uint32_t subnet = 0;
                if (*named == NamedOp::IpMatch) {
                    subnet = parse_subnet(rhs, "-ipmatch", offset);
                }
                return add_op(NodeKind::Binary, static_cast<std::uint8_t>(*named), lhs, rhs,
                              subnet);
            }
            case Tok::OpIn: advance(); return parse_in(lhs);
            case Tok::OpReg:
            case Tok::OpNre: {
                advance();
                if (tok_.kind != Tok::Regex && tok_.kind != Tok::RegexI) {
                    unexpected("T_REGEX or T_REGEX_I");
                }
                std::string detail;
                auto re = ExprRegex::compile(tok_.text, tok_.kind == Tok::RegexI, &detail);
                if (!re) {
                    fail("Failed to compile regular expression", tok_.offset, detail);
                }
                advance();
                expr_.regexes_.push_back(std::move(*re));
                auto idx = static_cast<std::uint32_t>(expr_.regexes_.size() - 1);
                return add_op(op == Tok::OpReg ? NodeKind::Match : NodeKind::NoMatch, 0, lhs,
                              kNoNode, idx);
            }
            default: unexpected();
        }
    }

    NodeId parse_in(NodeId lhs) {
        if (tok_.kind == Tok::Id) {
            // "word in listfunc(word)": Apache 2.4 core registers no list
            // functions (mod_ssl's PeerExtList is the only one), so any name fails.
            std::string name = tok_.text;
            std::size_t offset = tok_.offset;
            advance();
            parse_call_args();
            fail("List-returning function '" + name + "' does not exist", offset);
        }
        if (tok_.kind != Tok::LBrace) {
            unexpected("T_ID or '{'");
        }
        advance();
        std::vector<NodeId> items;
        while (true) {
            items.push_back(parse_word());
            if (tok_.kind == Tok::RBrace) {
                advance();
                break;
            }
            if (tok_.kind != Tok::Comma) {
                unexpected("'}' or ','");
            }
            advance();
        }
        auto first = static_cast<std::uint32_t>(expr_.list_items_.size());
        expr_.list_items_.insert(expr_.list_items_.end(), items.begin(), items.end());
        return add_op(NodeKind::In, 0, lhs, first, static_cast<std::uint32_t>(items.size()));
    }

    // "(" word ")" after a function name.
    NodeId parse_call_args() {
        if (tok_.kind != Tok::LParen) {
            unexpected("'('");
        }
        advance();
        NodeId arg = parse_word();
        if (tok_.kind != Tok::RParen) {
            unexpected("T_OP_CONCAT or ')'");
        }
        advance();
        return arg;
    }

    NodeId parse_word() {
        NodeId lhs = parse_word_part();
        while (tok_.kind == Tok::OpConcat) {
            advance();
            NodeId rhs = parse_word_part();
            lhs = add_op(NodeKind::Concat, 0, lhs, rhs);
        }
        return lhs;
    }

    NodeId parse_word_part() {
        DepthGuard guard(*this);
        switch (tok_.kind) {
            case Tok::Digit: {
                NodeId id = add_literal(tok_.text);
                advance();
                return id;
            }
            case Tok::StrBegin: {
                advance();
                NodeId id = parse_content(Tok::StrEnd, true);
                advance();
                return id;
            }
            case Tok::VarBegin: advance(); return parse_var();
            case Tok::Backref: {
                NodeId id = add_op(NodeKind::Backref, static_cast<std::uint8_t>(tok_.text[0] - '0'),
                                   kNoNode);
                advance();
                return id;
            }
            case Tok::Id: {
                std::string name = tok_.text;
                std::size_t offset = tok_.offset;
                advance();
                NodeId arg = parse_call_args();
                return make_call(name, offset, arg);
            }
            default: unexpected();
        }
    }

    NodeId make_call(const std::string& name, std::size_t offset, NodeId arg) {
        const bool ssi_v = options_.ssi_functions && (name == "v" || name == "V");
        auto f = ssi_v ? std::optional<Func>(Func::Reqenv) : find_function(name);
        if (!f) {
            fail("Function '" + name + "' does not exist", offset);
        }
        if (options_.restricted && func_is_restricted(*f)) {
            fail(std::string(function_name(*f)) + " not available in restricted context", offset);
        }
        return add_op(NodeKind::Func, static_cast<std::uint8_t>(*f), arg);
    }

    // After "%{": NAME "}" or NAME ":" content "}".
    NodeId parse_var() {
        if (tok_.kind != Tok::Id) {
            unexpected("T_ID");
        }
        std::string name = tok_.text;
        std::size_t offset = tok_.offset;
        advance();
        if (tok_.kind == Tok::VarEnd) {
            advance();
            auto v = find_variable(name);
            if (!v) {
                fail("Variable '" + name + "' does not exist", offset);
            }
            return add_op(NodeKind::Var, static_cast<std::uint8_t>(*v), kNoNode);
        }
        if (tok_.kind != Tok::Colon) {
            unexpected("T_VAR_END or ':'");
        }
        advance();
        NodeId arg = parse_content(Tok::VarEnd, false);
        advance();
        return make_call(name, offset, arg);
    }

    // String content up to `terminator` (left as the current token): literal
    // text, %{...} and $N. Adjacent parts are joined with Concat nodes.
    NodeId parse_content(Tok terminator, bool allow_empty) {
        NodeId result = kNoNode;
        auto append = [&](NodeId part) {
            result = result == kNoNode ? part : add_op(NodeKind::Concat, 0, result, part);
        };
        while (tok_.kind != terminator) {
            switch (tok_.kind) {
                case Tok::String: append(add_literal(tok_.text)); advance(); break;
                case Tok::VarBegin: {
                    DepthGuard guard(*this);
                    advance();
                    append(parse_var());
                    break;
                }
                case Tok::Backref:
                    append(add_op(NodeKind::Backref, static_cast<std::uint8_t>(tok_.text[0] - '0'),
                                  kNoNode));
                    advance();
                    break;
                case Tok::Error: lexical();
                default: unexpected("T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN");
            }
        }
        if (result == kNoNode) {
            if (!allow_empty) {
                unexpected("T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN");
            }
            result = add_literal(std::string());
        }
        return result;
    }

    Token tok_;
    Lexer lex_;
    ParseOptions options_;
    Expr expr_;
    std::vector<unsigned> heights_;  // parallel to expr_.nodes_
    int depth_ = 0;
};

Result<Expr, Error> parse(std::string_view text, ParseMode mode) {
    ParseOptions options;
    options.mode = mode;
    return parse(text, options);
}

Result<Expr, Error> parse(std::string_view text, const ParseOptions& options) {
    Parser parser(text, options);
    return parser.run();
}

}  // namespace sonora::expr
