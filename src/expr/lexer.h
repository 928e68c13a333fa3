#pragma once
// Tokeniser for ap_expr. Token names follow the ones Apache prints in its
// syntax errors ("unexpected T_OP_AND"), so error messages can match.
// The lexer is modal: quoted strings, %{...} variable names and %{func:arg}
// arguments each scan differently; the mode stack is driven by the tokens it
// produces, so the parser never has to tell it what to expect.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::expr {

enum class Tok : std::uint8_t {
    End,
    Error,      // lexical error; Token::text holds the message
    True,
    False,
    Digit,
    Id,
    String,     // literal text inside a string (escapes resolved)
    Regex,
    RegexI,
    Backref,    // $0..$9; Token::text is the digit
    OpUnary,    // -X; Token::text is the letter
    OpBinary,   // -name; Token::text is the name
    StrBegin,
    StrEnd,
    VarBegin,
    VarEnd,
    OpEq,
    OpNe,
    OpLt,
    OpLe,
    OpGt,
    OpGe,
    OpReg,
    OpNre,
    OpIn,
    OpStrEq,
    OpStrNe,
    OpStrLt,
    OpStrLe,
    OpStrGt,
    OpStrGe,
    OpConcat,
    OpOr,
    OpAnd,
    OpNot,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Colon,
};

// Apache's spelling of a token in "unexpected X" messages.
std::string_view token_name(Tok t);

struct Token {
    Tok kind = Tok::End;
    std::string text;
    std::size_t offset = 0;
};

class Lexer {
public:
    // string_mode: the whole input is string content (LogMessage-style), with
    // no quotes and no operators.
    Lexer(std::string_view input, bool string_mode);

    Token next();

private:
    enum class Mode : std::uint8_t { Expr, Str, VarName, VarArg, TopString };

    Token scan_expr();
    Token scan_content(Mode mode);
    Token scan_var_name();
    Token scan_regex(char delim, std::size_t start);
    Token make(Tok kind, std::size_t start, std::string text = {});
    Token error(std::size_t start, std::string message);
    bool at_end() const { return pos_ >= in_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0';
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::vector<Mode> modes_;
    char quote_ = '\'';          // closing quote of the innermost Str
    std::vector<char> quotes_;   // saved quotes of enclosing strings
};

}  // namespace sonora::expr
