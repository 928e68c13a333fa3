#include "config/words.h"

namespace sonora::config {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

void skip_space(std::string_view& s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
}

// Copies `raw`, collapsing \\ to \ and \<quote> to <quote>.
std::string unescape(std::string_view raw, char quote) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\\' || (quote != 0 && raw[i + 1] == quote))) {
            ++i;
        }
        out += raw[i];
    }
    return out;
}
}  // namespace

std::string next_word(std::string_view& line) {
    skip_space(line);
    if (line.empty()) {
        return {};
    }
    std::string word;
    char quote = line.front();
    if (quote == '"' || quote == '\'') {
        std::size_t end = 1;
        while (end < line.size() && line[end] != quote) {
            if (line[end] == '\\' && end + 1 < line.size() && (line[end + 1] == quote || line[end + 1] == '\\')) {
                end += 2;
            } else {
                ++end;
            }
        }
        word = unescape(line.substr(1, (end < line.size() ? end : line.size()) - 1), quote);
        line.remove_prefix(end < line.size() ? end + 1 : line.size());
    } else {
        std::size_t end = 0;
        while (end < line.size() && !is_space(line[end])) {
            ++end;
        }
        word = unescape(line.substr(0, end), 0);
        line.remove_prefix(end);
    }
    skip_space(line);
    return word;
}

std::vector<std::string> split_words(std::string_view line) {
    std::vector<std::string> words;
    skip_space(line);
    while (!line.empty()) {
        words.push_back(next_word(line));
    }
    return words;
}

}  // namespace sonora::config
