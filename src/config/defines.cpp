#include "config/defines.h"

#include <algorithm>
#include <cstdlib>

namespace sonora::config {

void Defines::define(std::string name, std::optional<std::string> value) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
    if (it != entries_.end()) {
        it->value = std::move(value);
        return;
    }
    entries_.push_back(Entry{std::move(name), std::move(value)});
}

void Defines::undefine(std::string_view name) {
    std::erase_if(entries_, [&](const Entry& e) { return e.name == name; });
}

bool Defines::defined(std::string_view name) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
}

const std::string* Defines::value(std::string_view name) const {
    for (const Entry& e : entries_) {
        if (e.name == name && e.value) {
            return &*e.value;
        }
    }
    return nullptr;
}

std::string Defines::expand(std::string_view text,
                            const std::function<void(std::string_view)>& on_undefined) const {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = text.find("${", pos);
        if (start == std::string_view::npos) {
            break;
        }
        std::size_t close = text.find('}', start + 2);
        if (close == std::string_view::npos) {
            break;
        }
        out.append(text.substr(pos, start - pos));
        std::string name(text.substr(start + 2, close - start - 2));
        if (const std::string* v = value(name)) {
            out += *v;
        } else if (const char* env = name.empty() ? nullptr : std::getenv(name.c_str())) {
            out += env;
        } else {
            on_undefined(name);
            out.append(text.substr(start, close - start + 1));
        }
        pos = close + 1;
    }
    out.append(text.substr(pos));
    return out;
}

}  // namespace sonora::config
