#pragma once
// The SSI tag scanner: finds `<!--#name arg="value" ... -->` elements in a
// document that arrives in chunks of any size, with httpd's mod_include
// grammar (configurable start and end tags, SSIStartTag/SSIEndTag).
//
// Contract. The caller hands in one chunk with feed() and calls next() until
// it answers NeedInput; the chunk must stay valid until then. Text between
// elements comes back as views of the chunk (or of the start tag, for a
// partial start tag that turned out to be text), so passing text through
// costs a memchr() for the start tag's first byte and no copy. Only the bytes
// of an element are copied, into buffers the scanner reuses. At the end of
// the document the caller calls finish() once and drains next() again.
//
// Grammar, as httpd's scanner (mod_include.c send_parsed_content):
//   - the element name runs from the start tag to the first white space or
//     the first occurrence of the end tag, and is lower-cased;
//   - an argument name runs to white space or '=' and is lower-cased; an
//     argument without '=' has no value;
//   - a value is quoted with ", ' or ` (a backslash before the quote keeps
//     the quote and is dropped; any other backslash stays), or unquoted up to
//     the next white space (so `var=x-->` does not end the element);
//   - where an argument may start, text that begins like the end tag but is
//     not the end tag is an argument;
//   - a value with no name ("missing argument name") and an element with no
//     name ("missing directive name") are errors reported with the element.
// There is no limit on an element's size (httpd has none either).
//
// Thread-safety: one Scanner per document, used by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::filters::ssi {

struct TagArg {
    std::string name;                  // lower-cased; empty when the value had no name
    std::optional<std::string> value;  // quotes and quote escapes removed
};

// A complete element. Valid until the next call to next().
struct Element {
    std::string name;  // lower-cased
    std::vector<TagArg> args;
    // httpd's "error" state: the element is reported as an error whatever its
    // name. Which one, for the log: missing element name or argument name.
    enum class Fault : std::uint8_t { None, MissingName, MissingArgName, ValueWithoutName } fault = Fault::None;
};

class Scanner {
public:
    enum class Event : std::uint8_t {
        Text,          // text() is document text to pass through
        Element,       // element() is complete
        NeedInput,     // the chunk is used up: feed() the next one, or finish()
        Unterminated,  // at the end: the document ended inside an element
        End,           // at the end: nothing more
    };

    // Both tags must be non-empty (the directives refuse white space, not
    // emptiness; an empty tag is replaced by the default here).
    Scanner(std::string_view start_tag, std::string_view end_tag);

    void feed(std::string_view chunk);
    void finish();
    Event next();

    std::string_view text() const { return text_; }
    const Element& element() const { return element_; }
    // Whether the scanner is between elements (not inside a tag).
    bool idle() const { return state_ == State::Text; }

private:
    enum class State : std::uint8_t {
        Text,      // looking for the start tag; head_ bytes of it matched so far
        Name,      // element name
        NameTail,  // element name, tail_ bytes of the end tag matched
        PreArg,    // white space before an argument or the end tag
        Arg,       // the first byte of an argument
        Tail,      // where an argument may start: tail_ bytes of the end tag matched
        ArgName,
        ArgEq,     // after a name: white space, then '=' or not
        PreVal,    // after '=': white space, then the value
        Val,
        ValEsc,    // after a backslash in a quoted value
        Done,      // the element is complete
    };

    Event scan_text();
    void step(char c);
    void end_name();
    void begin_element();
    void end_arg_name();
    void fail(Element::Fault f);

    std::string start_;
    std::string end_;
    std::vector<std::size_t> start_fail_;  // KMP failure function of start_
    std::string_view chunk_;
    std::size_t pos_ = 0;
    bool finished_ = false;

    State state_ = State::Text;
    std::size_t head_ = 0;  // bytes of the start tag matched at the end of earlier chunks
    std::size_t tail_ = 0;
    char quote_ = 0;
    std::string_view text_;
    Element element_;
};

}  // namespace sonora::modules::filters::ssi
