#pragma once
// Splitting directive arguments into words exactly as httpd's ap_getword_conf:
// words are separated by whitespace; a word that starts with " or ' runs to the
// matching quote (an unterminated quote runs to the end of the line); inside a
// word, a backslash before the quote character or before another backslash
// escapes it, any other backslash is kept.

#include <string>
#include <string_view>
#include <vector>

namespace sonora::config {

// Returns the next word and advances `line` past it and the whitespace after it.
std::string next_word(std::string_view& line);
std::vector<std::string> split_words(std::string_view line);

}  // namespace sonora::config
