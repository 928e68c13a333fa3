#pragma once
// Result and Error types for the ap_expr parser. The parser never throws; it
// returns either a parsed expression or an Error carrying Apache's wording.

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace sonora::expr {

// A parse error. `message` is the bare ap_expr wording (e.g. "syntax error,
// unexpected $end"); callers add their own prefix, as Apache's <If> adds
// "Cannot parse condition clause: ". `offset` is the byte offset in the input
// where the error was detected; `detail` optionally carries extra context
// (the PCRE2 message for a bad regex) that Apache does not print.
struct Error {
    std::string message;
    std::size_t offset = 0;
    std::string detail;
};

// Minimal expected-like holder: exactly one of a value or an error.
template <class T, class E>
class Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit by design

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const E& error() const { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

}  // namespace sonora::expr
