#include "expr/lexer.h"

#include <array>
#include <cctype>

namespace sonora::expr {
namespace {

bool is_id_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Delimiters Apache accepts after 'm' for m<d>regex<d>.
bool is_regex_delim(char c) {
    constexpr std::string_view kDelims = "/#|!,:;%^-.?$";
    return c != '\0' && kDelims.find(c) != std::string_view::npos;
}

struct Keyword {
    std::string_view word;
    Tok tok;
};

constexpr std::array<Keyword, 9> kKeywords{{
    {"true", Tok::True}, {"false", Tok::False}, {"eq", Tok::OpEq}, {"ne", Tok::OpNe},
    {"lt", Tok::OpLt},   {"le", Tok::OpLe},     {"gt", Tok::OpGt}, {"ge", Tok::OpGe},
    {"in", Tok::OpIn},
}};

}  // namespace

std::string_view token_name(Tok t) {
    switch (t) {
        case Tok::End: return "$end";
        case Tok::Error: return "T_ERROR";
        case Tok::True: return "T_TRUE";
        case Tok::False: return "T_FALSE";
        case Tok::Digit: return "T_DIGIT";
        case Tok::Id: return "T_ID";
        case Tok::String: return "T_STRING";
        case Tok::Regex: return "T_REGEX";
        case Tok::RegexI: return "T_REGEX_I";
        case Tok::Backref: return "T_REGEX_BACKREF";
        case Tok::OpUnary: return "T_OP_UNARY";
        case Tok::OpBinary: return "T_OP_BINARY";
        case Tok::StrBegin: return "T_STR_BEGIN";
        case Tok::StrEnd: return "T_STR_END";
        case Tok::VarBegin: return "T_VAR_BEGIN";
        case Tok::VarEnd: return "T_VAR_END";
        case Tok::OpEq: return "T_OP_EQ";
        case Tok::OpNe: return "T_OP_NE";
        case Tok::OpLt: return "T_OP_LT";
        case Tok::OpLe: return "T_OP_LE";
        case Tok::OpGt: return "T_OP_GT";
        case Tok::OpGe: return "T_OP_GE";
        case Tok::OpReg: return "T_OP_REG";
        case Tok::OpNre: return "T_OP_NRE";
        case Tok::OpIn: return "T_OP_IN";
        case Tok::OpStrEq: return "T_OP_STR_EQ";
        case Tok::OpStrNe: return "T_OP_STR_NE";
        case Tok::OpStrLt: return "T_OP_STR_LT";
        case Tok::OpStrLe: return "T_OP_STR_LE";
        case Tok::OpStrGt: return "T_OP_STR_GT";
        case Tok::OpStrGe: return "T_OP_STR_GE";
        case Tok::OpConcat: return "T_OP_CONCAT";
        case Tok::OpOr: return "T_OP_OR";
        case Tok::OpAnd: return "T_OP_AND";
        case Tok::OpNot: return "T_OP_NOT";
        case Tok::LParen: return "'('";
        case Tok::RParen: return "')'";
        case Tok::LBrace: return "'{'";
        case Tok::RBrace: return "'}'";
        case Tok::Comma: return "','";
        case Tok::Colon: return "':'";
    }
    return "T_ERROR";
}

Lexer::Lexer(std::string_view input, bool string_mode) : in_(input) {
    modes_.push_back(string_mode ? Mode::TopString : Mode::Expr);
}

Token Lexer::make(Tok kind, std::size_t start, std::string text) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.offset = start;
    return t;
}

Token Lexer::error(std::size_t start, std::string message) {
    pos_ = in_.size();  // a lexical error ends the scan
    return make(Tok::Error, start, std::move(message));
}

Token Lexer::next() {
    switch (modes_.back()) {
        case Mode::Expr: return scan_expr();
        case Mode::VarName: return scan_var_name();
        case Mode::Str:
        case Mode::VarArg:
        case Mode::TopString: return scan_content(modes_.back());
    }
    return make(Tok::End, pos_);
}

Token Lexer::scan_expr() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek())) != 0) {
        ++pos_;
    }
    std::size_t start = pos_;
    if (at_end()) {
        return make(Tok::End, start);
    }
    char c = peek();
    char c1 = peek(1);
    auto op = [&](Tok t, std::size_t len) {
        pos_ += len;
        return make(t, start);
    };
    if (c == '\'' || c == '"') {
        ++pos_;
        quotes_.push_back(quote_);
        quote_ = c;
        modes_.push_back(Mode::Str);
        return make(Tok::StrBegin, start);
    }
    if (c == '%' && c1 == '{') {
        pos_ += 2;
        modes_.push_back(Mode::VarName);
        return make(Tok::VarBegin, start);
    }
    if (c == '$' && is_digit(c1)) {
        pos_ += 2;
        return make(Tok::Backref, start, std::string(1, c1));
    }
    if (is_digit(c) || (c == '-' && is_digit(c1))) {
        ++pos_;
        while (is_digit(peek())) {
            ++pos_;
        }
        return make(Tok::Digit, start, std::string(in_.substr(start, pos_ - start)));
    }
    if (c == '-' && is_id_start(c1)) {
        ++pos_;
        std::size_t name_start = pos_;
        while (is_id_char(peek())) {
            ++pos_;
        }
        std::string name(in_.substr(name_start, pos_ - name_start));
        if (name.size() == 1) {
            return make(Tok::OpUnary, start, std::move(name));
        }
        for (const auto& kw : kKeywords) {
            if (kw.word == name && kw.tok != Tok::True && kw.tok != Tok::False) {
                return make(kw.tok, start);
            }
        }
        return make(Tok::OpBinary, start, std::move(name));
    }
    if (c == 'm' && is_regex_delim(c1)) {
        pos_ += 2;
        return scan_regex(c1, start);
    }
    if (is_id_start(c)) {
        while (is_id_char(peek())) {
            ++pos_;
        }
        std::string_view word = in_.substr(start, pos_ - start);
        for (const auto& kw : kKeywords) {
            if (kw.word == word) {
                return make(kw.tok, start);
            }
        }
        return make(Tok::Id, start, std::string(word));
    }
    switch (c) {
        case '/': ++pos_; return scan_regex('/', start);
        case '=':
            if (c1 == '=') {
                return op(Tok::OpStrEq, 2);
            }
            return c1 == '~' ? op(Tok::OpReg, 2) : op(Tok::OpStrEq, 1);
        case '!':
            if (c1 == '=') {
                return op(Tok::OpStrNe, 2);
            }
            return c1 == '~' ? op(Tok::OpNre, 2) : op(Tok::OpNot, 1);
        case '<': return c1 == '=' ? op(Tok::OpStrLe, 2) : op(Tok::OpStrLt, 1);
        case '>': return c1 == '=' ? op(Tok::OpStrGe, 2) : op(Tok::OpStrGt, 1);
        case '&':
            if (c1 == '&') {
                return op(Tok::OpAnd, 2);
            }
            break;
        case '|':
            if (c1 == '|') {
                return op(Tok::OpOr, 2);
            }
            break;
        case '.': return op(Tok::OpConcat, 1);
        case '(': return op(Tok::LParen, 1);
        case ')': return op(Tok::RParen, 1);
        case '{': return op(Tok::LBrace, 1);
        case '}': return op(Tok::RBrace, 1);
        case ',': return op(Tok::Comma, 1);
        case ':': return op(Tok::Colon, 1);
        default: break;
    }
    return error(start, std::string("Parse error near '") + c + "'");
}

Token Lexer::scan_regex(char delim, std::size_t start) {
    std::string body;
    while (!at_end()) {
        char c = peek();
        if (c == '\\' && pos_ + 1 < in_.size()) {
            body += c;
            body += peek(1);
            pos_ += 2;
            continue;
        }
        ++pos_;
        if (c == delim) {
            if (peek() == 'i') {
                ++pos_;
                return make(Tok::RegexI, start, std::move(body));
            }
            return make(Tok::Regex, start, std::move(body));
        }
        body += c;
    }
    // Apache reports an unterminated regex as a premature end of input.
    return make(Tok::End, start);
}

Token Lexer::scan_var_name() {
    std::size_t start = pos_;
    if (at_end()) {
        return error(start, "Unterminated string or variable");
    }
    char c = peek();
    if (c == '}') {
        ++pos_;
        modes_.pop_back();
        return make(Tok::VarEnd, start);
    }
    if (c == ':') {
        ++pos_;
        modes_.back() = Mode::VarArg;
        return make(Tok::Colon, start);
    }
    if (is_id_start(c)) {
        while (is_id_char(peek())) {
            ++pos_;
        }
        return make(Tok::Id, start, std::string(in_.substr(start, pos_ - start)));
    }
    return error(start, std::string("Invalid character in variable name '") + c + "'");
}

// Literal text of a quoted string, a %{func:arg} argument or a string-mode
// expression, up to the next variable, back-reference or terminator.
Token Lexer::scan_content(Mode mode) {
    std::size_t start = pos_;
    std::string text;
    while (true) {
        if (at_end()) {
            if (!text.empty()) {
                return make(Tok::String, start, std::move(text));
            }
            if (mode == Mode::TopString) {
                return make(Tok::End, start);
            }
            return error(start, "Unterminated string or variable");
        }
        char c = peek();
        char c1 = peek(1);
        bool terminator = (mode == Mode::Str && c == quote_) || (mode == Mode::VarArg && c == '}');
        bool special = terminator || (c == '%' && c1 == '{') || (c == '$' && is_digit(c1));
        if (special) {
            if (!text.empty()) {
                return make(Tok::String, start, std::move(text));
            }
            if (terminator) {
                ++pos_;
                modes_.pop_back();
                if (mode == Mode::Str) {
                    quote_ = quotes_.back();
                    quotes_.pop_back();
                    return make(Tok::StrEnd, start);
                }
                return make(Tok::VarEnd, start);
            }
            if (c == '%') {
                pos_ += 2;
                modes_.push_back(Mode::VarName);
                return make(Tok::VarBegin, start);
            }
            pos_ += 2;
            return make(Tok::Backref, start, std::string(1, c1));
        }
        if (c == '\\' && pos_ + 1 < in_.size()) {
            std::size_t esc = pos_;
            ++pos_;
            char e = peek();
            if (e >= '0' && e <= '7') {
                unsigned v = 0;
                for (int n = 0; n < 3 && peek() >= '0' && peek() <= '7'; ++n) {
                    v = v * 8 + static_cast<unsigned>(peek() - '0');
                    ++pos_;
                }
                if (v > 0xff) {
                    return error(esc, "Escape sequence out of bound");
                }
                text += static_cast<char>(v);
                continue;
            }
            if (is_digit(e)) {
                return error(esc, "Bad escape sequence");
            }
            ++pos_;
            switch (e) {
                case 'n': text += '\n'; break;
                case 'r': text += '\r'; break;
                case 't': text += '\t'; break;
                case 'b': text += '\b'; break;
                case 'f': text += '\f'; break;
                default: text += e; break;
            }
            continue;
        }
        text += c;
        ++pos_;
    }
}

}  // namespace sonora::expr
