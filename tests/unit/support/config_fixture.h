#pragma once
// Loading configuration text through the real engine in unit tests: the text
// becomes conf/httpd.conf in a fresh temporary ServerRoot (with logs/ and
// htdocs/ present), removed when the fixture goes away.

#include "config/engine.h"
#include "config/loader.h"
#include "modules/module_list.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace sonora::test {

class ConfigRoot {
public:
    ConfigRoot() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sonora-unit-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        root_ = tmpl;
        std::filesystem::create_directories(root_ / "logs");
        std::filesystem::create_directories(root_ / "htdocs");
    }
    ~ConfigRoot() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    ConfigRoot(const ConfigRoot&) = delete;
    ConfigRoot& operator=(const ConfigRoot&) = delete;

    std::string path() const { return root_.string(); }
    // Writes a file below the root; returns its absolute path.
    std::string write(const std::string& relative, const std::string& text) const {
        auto p = root_ / relative;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    std::string conf_path() const { return (root_ / "conf/httpd.conf").string(); }

    // Loads `text` as conf/httpd.conf. Throws config::ConfigError.
    std::unique_ptr<config::Generation> load(const std::string& text, config::LoadOptions options = {}) const {
        write("conf/httpd.conf", text);
        options.server_root = path();
        options.config_file = "conf/httpd.conf";
        options.modules = modules::builtin_modules();
        return config::load_configuration(options);
    }

private:
    std::filesystem::path root_;
};

// One-shot form: a fresh root per call (the root is gone when this returns,
// so only use it for configs that keep no paths you later need on disk).
inline std::unique_ptr<config::Generation> load_text(const std::string& conf_text) {
    ConfigRoot root;
    return root.load(conf_text);
}

// What the engine refuses in `conf_text`: the ConfigError's message and
// line; an empty message when the text loads.
struct Refusal {
    std::string message;
    int line = 0;
};
inline Refusal refusal(const std::string& conf_text) {
    try {
        load_text(conf_text);
    } catch (const config::ConfigError& e) {
        return Refusal{e.what(), e.line};
    }
    return {};
}

}  // namespace sonora::test
