// The SSI tag scanner (see ssi_scanner.h for the grammar).

#include "modules/filters/include/ssi_scanner.h"

#include <cstring>

namespace sonora::modules::filters::ssi {

namespace {

// apr_isspace, as httpd's scanner uses: the C locale's white space.
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_quote(char c) { return c == '"' || c == '\'' || c == '`'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void lower_in_place(std::string& s) {
    for (char& c : s) {
        c = lower(c);
    }
}

}  // namespace

Scanner::Scanner(std::string_view start_tag, std::string_view end_tag)
    : start_(start_tag.empty() ? "<!--#" : start_tag), end_(end_tag.empty() ? "-->" : end_tag) {
    // A start tag split between chunks is matched byte by byte; on a mismatch
    // the longest border of what matched is still a candidate (KMP), which
    // keeps the first-occurrence semantics of a search over the whole stream.
    start_fail_.assign(start_.size() + 1, 0);
    std::size_t k = 0;
    for (std::size_t i = 1; i < start_.size(); ++i) {
        while (k > 0 && start_[i] != start_[k]) {
            k = start_fail_[k];
        }
        if (start_[i] == start_[k]) {
            ++k;
        }
        start_fail_[i + 1] = k;
    }
}

void Scanner::feed(std::string_view chunk) {
    chunk_ = chunk;
    pos_ = 0;
}

void Scanner::finish() {
    finished_ = true;
    chunk_ = {};
    pos_ = 0;
}

void Scanner::begin_element() {
    element_.name.clear();
    element_.args.clear();
    element_.fault = Element::Fault::None;
    state_ = State::Name;
}

void Scanner::fail(Element::Fault f) {
    if (element_.fault == Element::Fault::None) {
        element_.fault = f;
    }
}

Scanner::Event Scanner::next() {
    for (;;) {
        if (state_ == State::Done) {
            state_ = State::Text;
        }
        if (state_ == State::Text) {
            if (pos_ < chunk_.size()) {
                const Event e = scan_text();
                if (e != Event::NeedInput) {
                    return e;
                }
                continue;
            }
            if (!finished_) {
                return Event::NeedInput;
            }
            if (head_ > 0) {  // a start tag cut short by the end is text
                text_ = std::string_view(start_).substr(0, head_);
                head_ = 0;
                return Event::Text;
            }
            return Event::End;
        }
        while (pos_ < chunk_.size() && state_ != State::Done) {
            step(chunk_[pos_++]);
        }
        if (state_ == State::Done) {
            return Event::Element;
        }
        if (!finished_) {
            return Event::NeedInput;
        }
        state_ = State::Text;
        return Event::Unterminated;
    }
}

// Returns Text with a non-empty text_, or NeedInput to let next() go on (an
// element started, or the chunk ended inside a possible start tag).
Scanner::Event Scanner::scan_text() {
    const char* data = chunk_.data();
    const std::size_t size = chunk_.size();
    if (head_ > 0) {
        while (pos_ < size && head_ < start_.size()) {
            if (data[pos_] == start_[head_]) {
                ++head_;
                ++pos_;
                continue;
            }
            const std::size_t keep = start_fail_[head_];
            text_ = std::string_view(start_).substr(0, head_ - keep);
            head_ = keep;
            return Event::Text;
        }
        if (head_ == start_.size()) {
            head_ = 0;
            begin_element();
        }
        return Event::NeedInput;
    }
    const std::size_t from = pos_;
    std::size_t at = pos_;
    for (;;) {
        const void* hit = std::memchr(data + at, start_[0], size - at);
        if (hit == nullptr) {
            pos_ = size;
            text_ = chunk_.substr(from);
            return Event::Text;
        }
        at = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
        const std::size_t avail = std::min(size - at, start_.size());
        if (std::memcmp(data + at, start_.data(), avail) == 0) {
            text_ = chunk_.substr(from, at - from);
            pos_ = at + avail;
            if (avail == start_.size()) {
                begin_element();
            } else {
                head_ = avail;
            }
            return text_.empty() ? Event::NeedInput : Event::Text;
        }
        ++at;
    }
}

void Scanner::end_name() {
    if (element_.name.empty()) {
        fail(Element::Fault::MissingName);
    }
    lower_in_place(element_.name);
}

void Scanner::end_arg_name() {
    std::string& name = element_.args.back().name;
    if (name.empty()) {
        fail(Element::Fault::MissingArgName);
    }
    lower_in_place(name);
}

void Scanner::step(char c) {
    switch (state_) {
    case State::Name:
        if (is_space(c)) {
            end_name();
            state_ = State::PreArg;
        } else if (c == end_[0]) {
            tail_ = 1;
            state_ = State::NameTail;
            if (end_.size() == 1) {
                end_name();
                state_ = State::Done;
            }
        } else {
            element_.name.push_back(c);
        }
        return;
    case State::NameTail:
        if (c == end_[tail_]) {
            if (++tail_ == end_.size()) {
                end_name();
                state_ = State::Done;
            }
            return;
        }
        // Not the end tag: its first byte belongs to the name, and the search
        // goes on from the byte after it, as a plain substring search would.
        state_ = State::Name;
        element_.name.push_back(end_[0]);
        for (std::size_t i = 1, n = tail_; i < n; ++i) {
            step(end_[i]);
        }
        step(c);
        return;
    case State::PreArg:
        if (is_space(c)) {
            return;
        }
        if (c == end_[0]) {
            tail_ = 1;
            state_ = State::Tail;
            if (end_.size() == 1) {
                state_ = State::Done;
            }
            return;
        }
        state_ = State::Arg;
        step(c);
        return;
    case State::Tail:
        if (c == end_[tail_]) {
            if (++tail_ == end_.size()) {
                state_ = State::Done;
            }
            return;
        }
        // What looked like the end tag starts an argument (httpd re-parses it).
        state_ = State::Arg;
        for (std::size_t i = 0, n = tail_; i < n; ++i) {
            step(end_[i]);
        }
        step(c);
        return;
    case State::Arg:
        element_.args.emplace_back();
        if (is_quote(c)) {
            fail(Element::Fault::ValueWithoutName);
            quote_ = c;
            element_.args.back().value.emplace();
            state_ = State::Val;
            return;
        }
        state_ = State::ArgName;
        step(c);
        return;
    case State::ArgName:
        if (is_space(c) || c == '=') {
            end_arg_name();
            state_ = State::ArgEq;
            step(c);
        } else {
            element_.args.back().name.push_back(c);
        }
        return;
    case State::ArgEq:
        if (is_space(c)) {
            return;
        }
        if (c == '=') {
            state_ = State::PreVal;
            return;
        }
        state_ = State::PreArg;
        step(c);
        return;
    case State::PreVal:
        if (is_space(c)) {
            return;
        }
        element_.args.back().value.emplace();
        state_ = State::Val;
        if (is_quote(c)) {
            quote_ = c;
            return;
        }
        quote_ = 0;
        step(c);
        return;
    case State::Val:
        if (quote_ != 0) {
            if (c == '\\') {
                state_ = State::ValEsc;
            } else if (c == quote_) {
                state_ = State::PreArg;
            } else {
                element_.args.back().value->push_back(c);
            }
        } else if (is_space(c)) {
            state_ = State::PreArg;
        } else {
            element_.args.back().value->push_back(c);
        }
        return;
    case State::ValEsc:
        state_ = State::Val;
        if (c == quote_) {
            element_.args.back().value->push_back(c);
            return;
        }
        element_.args.back().value->push_back('\\');
        step(c);
        return;
    case State::Text:
    case State::Done:
        return;
    }
}

}  // namespace sonora::modules::filters::ssi
