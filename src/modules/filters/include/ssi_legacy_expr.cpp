// httpd 2.2's SSI expressions (see ssi_legacy_expr.h). The tree is grown the
// way httpd grows it, one token at a time against a "current" node, because
// that procedure is what defines the language's precedence and its errors.

#include "modules/filters/include/ssi_legacy_expr.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace sonora::modules::filters::ssi {

namespace {

enum class Tok : std::uint8_t { String, Re, And, Or, Not, Eq, Ne, RBrace, LBrace, Group, Ge, Le, Gt, Lt, Access };

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

struct Token {
    Tok type = Tok::String;
    std::string value;
};

// httpd's get_ptoken: nullopt at the end of the text.
std::optional<Token> next_token(std::string_view s, std::size_t& pos, const Token* previous) {
    while (pos < s.size() && is_space(s[pos])) {
        ++pos;
    }
    if (pos >= s.size()) {
        return std::nullopt;
    }
    Token t;
    const std::size_t start = pos;
    const char c = s[pos++];
    const char n = pos < s.size() ? s[pos] : '\0';
    char quote = 0;
    switch (c) {
    case '(':
        t.type = Tok::LBrace;
        return t;
    case ')':
        t.type = Tok::RBrace;
        return t;
    case '=':
        pos += n == '=' ? 1 : 0;
        t.type = Tok::Eq;
        return t;
    case '!':
        pos += n == '=' ? 1 : 0;
        t.type = n == '=' ? Tok::Ne : Tok::Not;
        return t;
    case '>':
    case '<':
        pos += n == '=' ? 1 : 0;
        t.type = c == '>' ? (n == '=' ? Tok::Ge : Tok::Gt) : (n == '=' ? Tok::Le : Tok::Lt);
        return t;
    case '|':
    case '&':
        if (n == c) {
            ++pos;
            t.type = c == '|' ? Tok::Or : Tok::And;
            return t;
        }
        break;
    case '-':
        if (n == 'A') {
            ++pos;
            t.type = Tok::Access;
            return t;
        }
        break;
    case '\'':
        quote = '\'';
        break;
    case '/':
        // After -A a slash starts the URL, not a regex.
        if (previous == nullptr || previous->type != Tok::Access) {
            t.type = Tok::Re;
            quote = '/';
        }
        break;
    default:
        break;
    }
    if (quote == 0) {
        pos = start;
    }
    for (; pos < s.size(); ++pos) {
        const char ch = s[pos];
        if (ch == '\\') {
            if (pos + 1 >= s.size()) {
                t.value.push_back('\\');
                break;
            }
            t.value.push_back(s[++pos]);
            continue;
        }
        if (quote != 0) {
            if (ch == quote) {
                quote = 0;
                ++pos;
                break;
            }
        } else if (is_space(ch) || ch == '(' || ch == ')' || ch == '=' || ch == '!' || ch == '<' || ch == '>' ||
                   ((ch == '|' || ch == '&') && pos + 1 < s.size() && s[pos + 1] == ch)) {
            break;
        }
        t.value.push_back(ch);
    }
    if (quote != 0) {
        t.value.clear();  // an unterminated quote or regex is empty
    }
    return t;
}

constexpr int kNone = -1;
constexpr int kMaxDepth = 2000;

struct Node {
    Token token;
    int parent = kNone;
    int left = kNone;
    int right = kNone;
    int value = 0;
    bool done = false;
};

class Evaluator {
public:
    Evaluator(std::string_view expr, std::string_view filename, LegacyExprEnv& env)
        : expr_(expr), filename_(filename), env_(env) {}

    LegacyExprResult run() {
        if (!build()) {
            return result_;
        }
        if (root_ == kNone) {
            return result_;
        }
        const int v = eval(root_);
        if (!result_.error) {
            result_.value = v;
        }
        return result_;
    }

private:
    bool fail(std::string_view id, std::string_view what, std::string_view suffix = "") {
        if (!result_.error) {
            result_.error = true;
            result_.log_id = std::string(id);
            result_.message = std::string(what) + " \"" + std::string(expr_) + "\" in file " + std::string(filename_) +
                              std::string(suffix);
        }
        return false;
    }

    Tok type(int i) const { return nodes_[static_cast<std::size_t>(i)].token.type; }
    Node& at(int i) { return nodes_[static_cast<std::size_t>(i)]; }

    void attach_right(int parent, int child) {
        at(parent).right = child;
        at(child).parent = parent;
    }
    // `child` takes `parent`'s right subtree as its left and becomes its right.
    void splice_right(int parent, int child) {
        at(child).left = at(parent).right;
        at(at(child).left).parent = child;
        attach_right(parent, child);
    }
    void new_root(int n) {
        at(n).left = root_;
        at(root_).parent = n;
        root_ = n;
    }

    bool build() {
        std::size_t pos = 0;
        int current = kNone;
        for (;;) {
            const Token* previous = current == kNone ? nullptr : &at(current).token;
            std::optional<Token> tok = next_token(expr_, pos, previous);
            if (!tok) {
                return true;
            }
            if (tok->type == Tok::Re) {
                ++regexes_;
            }
            nodes_.push_back(Node{std::move(*tok)});
            const int n = static_cast<int>(nodes_.size()) - 1;
            if (current == kNone) {
                const Tok t = type(n);
                if (t != Tok::String && t != Tok::Not && t != Tok::Access && t != Tok::LBrace) {
                    return fail("SN03188", "Invalid expression");
                }
                root_ = current = n;
                continue;
            }
            if (!grow(n, current)) {
                return false;
            }
        }
    }

    // One token against the current node; false (after fail()) on an error.
    bool grow(int n, int& current) {
        const Tok cur = type(current);
        switch (type(n)) {
        case Tok::String:
            if (cur == Tok::String) {
                std::string& v = at(current).token.value;
                v.append(v.empty() ? "" : " ").append(at(n).token.value);
                nodes_.pop_back();
                return true;
            }
            if (cur == Tok::Re || cur == Tok::RBrace || cur == Tok::Group) {
                break;
            }
            attach_right(current, n);
            current = n;
            return true;
        case Tok::Re:
            if (cur != Tok::Eq && cur != Tok::Ne) {
                break;
            }
            attach_right(current, n);
            current = n;
            return true;
        case Tok::And:
        case Tok::Or: {
            if (cur != Tok::String && cur != Tok::Re && cur != Tok::Group) {
                break;
            }
            int up = at(current).parent;
            while (up != kNone && type(up) != Tok::And && type(up) != Tok::Or && type(up) != Tok::LBrace) {
                up = at(up).parent;
            }
            if (up == kNone) {
                new_root(n);
            } else {
                splice_right(up, n);
            }
            current = n;
            return true;
        }
        case Tok::Eq:
        case Tok::Ne:
        case Tok::Ge:
        case Tok::Gt:
        case Tok::Le:
        case Tok::Lt: {
            if (cur != Tok::String) {
                break;
            }
            const int up = at(current).parent;
            if (up == kNone) {
                new_root(n);
                current = n;
                return true;
            }
            if (type(up) != Tok::LBrace && type(up) != Tok::And && type(up) != Tok::Or) {
                break;
            }
            splice_right(up, n);
            current = n;
            return true;
        }
        case Tok::RBrace: {
            int up = current;
            while (up != kNone && type(up) != Tok::LBrace) {
                up = at(up).parent;
            }
            if (up == kNone) {
                return fail("SN03189", "Unmatched ')' in");
            }
            at(up).token.type = Tok::Group;
            current = up;
            nodes_.pop_back();
            return true;
        }
        case Tok::Not:
        case Tok::Access:
        case Tok::LBrace:
            if (cur == Tok::String || cur == Tok::Re || cur == Tok::RBrace || cur == Tok::Group) {
                break;
            }
            attach_right(current, n);
            current = n;
            return true;
        default:
            break;
        }
        return fail("SN03188", "Invalid expression");
    }

    // A string operand: its value is whether it expands to something.
    int operand(int i) {
        Node& node = at(i);
        if (!node.done) {
            node.token.value = env_.expand(node.token.value);
            node.value = node.token.value.empty() ? 0 : 1;
            node.done = true;
        }
        return node.value;
    }

    int eval(int i, int depth = 0) {
        if (result_.error) {
            return 0;
        }
        // httpd walks the tree without recursion; this bound keeps a
        // pathological nesting (thousands of '!' or '(') off the stack.
        if (depth > kMaxDepth) {
            fail("SN03192", "internal parser error in");
            return 0;
        }
        Node& node = at(i);
        switch (node.token.type) {
        case Tok::String:
            return operand(i);
        case Tok::And:
        case Tok::Or: {
            if (node.left == kNone || node.right == kNone) {
                fail("SN01332", "Invalid expression");
                return 0;
            }
            const int l = type(node.left) == Tok::String ? operand(node.left) : eval(node.left, depth + 1);
            const bool is_and = node.token.type == Tok::And;
            if (regexes_ == 0 && ((is_and && l == 0) || (!is_and && l != 0))) {
                return l;
            }
            const int r = type(node.right) == Tok::String ? operand(node.right) : eval(node.right, depth + 1);
            return is_and ? (l != 0 && r != 0) : (l != 0 || r != 0);
        }
        case Tok::Eq:
        case Tok::Ne: {
            if (node.left == kNone || node.right == kNone || type(node.left) != Tok::String ||
                (type(node.right) != Tok::String && type(node.right) != Tok::Re)) {
                fail("SN01333", "Invalid expression");
                return 0;
            }
            const std::string l = env_.expand(at(node.left).token.value);
            const std::string r = env_.expand(at(node.right).token.value);
            int v = 0;
            if (type(node.right) == Tok::Re) {
                v = env_.regex_match(l, r);
                --regexes_;
            } else {
                v = l == r ? 1 : 0;
            }
            return node.token.type == Tok::Ne ? (v == 0 ? 1 : 0) : v;
        }
        case Tok::Ge:
        case Tok::Gt:
        case Tok::Le:
        case Tok::Lt: {
            if (node.left == kNone || node.right == kNone || type(node.left) != Tok::String ||
                type(node.right) != Tok::String) {
                fail("SN01334", "Invalid expression");
                return 0;
            }
            const int c = env_.expand(at(node.left).token.value).compare(env_.expand(at(node.right).token.value));
            switch (node.token.type) {
            case Tok::Ge:
                return c >= 0;
            case Tok::Gt:
                return c > 0;
            case Tok::Le:
                return c <= 0;
            default:
                return c < 0;
            }
        }
        case Tok::Not:
        case Tok::Group: {
            int v = 1;
            if (node.right != kNone) {
                v = eval(node.right, depth + 1);
            }
            return node.token.type == Tok::Not ? (v == 0 ? 1 : 0) : v;
        }
        case Tok::Access:
            if (node.left != kNone || node.right == kNone ||
                (type(node.right) != Tok::String && type(node.right) != Tok::Re)) {
                fail("SN01335", "Invalid expression", ": Token '-A' must be followed by a URI string.");
                return 0;
            }
            return env_.uri_accessible(env_.expand(at(node.right).token.value)) ? 1 : 0;
        case Tok::Re:
            fail("SN03190", "No operator before regex in expr");
            return 0;
        case Tok::LBrace:
            fail("SN03191", "Unmatched '(' in");
            return 0;
        default:
            fail("SN03192", "internal parser error in");
            return 0;
        }
    }

    std::string_view expr_;
    std::string_view filename_;
    LegacyExprEnv& env_;
    std::vector<Node> nodes_;
    int root_ = kNone;
    int regexes_ = 0;
    LegacyExprResult result_;
};

}  // namespace

LegacyExprResult eval_legacy_expr(std::string_view expr, std::string_view filename, LegacyExprEnv& env) {
    return Evaluator(expr, filename, env).run();
}

}  // namespace sonora::modules::filters::ssi
