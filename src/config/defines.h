#pragma once
// Configuration defines: `-D NAME`, `Define NAME [value]`, `UnDefine NAME`,
// tested by <IfDefine> and substituted as ${NAME}. As in httpd, ${NAME} takes
// the value of a Define that has one, else the environment variable NAME; a
// name that is neither is left as written and reported.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::config {

class Defines {
public:
    void define(std::string name, std::optional<std::string> value = std::nullopt);
    void undefine(std::string_view name);
    bool defined(std::string_view name) const;
    const std::string* value(std::string_view name) const;

    struct Entry {
        std::string name;
        std::optional<std::string> value;
    };
    const std::vector<Entry>& entries() const { return entries_; }

    // Replaces every ${NAME}; on_undefined is called for each name left as is.
    std::string expand(std::string_view text, const std::function<void(std::string_view)>& on_undefined) const;

private:
    std::vector<Entry> entries_;  // definition order, for -S
};

}  // namespace sonora::config
