#include "modules/core/request_log.h"

#include "modules/core/core_config.h"
#include "modules/loggers/log_render.h"

#include <string>

namespace sonora::modules::core {

namespace {

// Rare messages (denials, failures, timeouts): parsing the setting here keeps
// the configuration structs as they are.
void write_if_enabled(const std::optional<std::string>* words, LogLevel level, std::string_view module,
                      std::string_view id, std::string_view message, std::string_view client_ip, int client_port) {
    LogLevelSetting setting = words != nullptr ? LogLevelSetting::parse(**words) : LogLevelSetting{};
    if (level != LogLevel::Notice && !setting.enabled(level, module)) {
        return;
    }
    std::string client(client_ip);
    client += ':';
    client += std::to_string(client_port);
    write_log_line(level, format_log_line(level, module, id, message, client));
}

// The LogLevel words that apply to r: its directory's, else its server's.
const std::optional<std::string>* level_words(const request::Request& r) {
    const std::optional<std::string>* words = nullptr;
    if (r.dir_config != nullptr) {
        if (const auto* dir = r.dir_config->get<CoreDirConfig>(core_module.index); dir != nullptr && dir->log_level) {
            words = &dir->log_level;
        }
    }
    if (words == nullptr && r.server != nullptr) {
        if (const auto& srv = server_config(*r.server).log_level) {
            words = &srv;
        }
    }
    return words;
}

}  // namespace

bool request_log_enabled(const request::Request& r, LogLevel level, std::string_view module) {
    const std::optional<std::string>* words = level_words(r);
    const LogLevelSetting setting = words != nullptr ? LogLevelSetting::parse(**words) : LogLevelSetting{};
    return level == LogLevel::Notice || setting.enabled(level, module);
}

void log_request_error(const request::Request& r, LogLevel level, std::string_view module, std::string_view id,
                       std::string_view message) {
    // httpd's default error log format ends a request's line with the page
    // that linked to it.
    if (auto referer = r.header("Referer")) {
        std::string with_referer(message);
        with_referer += ", referer: ";
        loggers::append_escaped(with_referer, *referer);
        write_if_enabled(level_words(r), level, module, id, with_referer, r.client_ip, r.client_port);
        return;
    }
    write_if_enabled(level_words(r), level, module, id, message, r.client_ip, r.client_port);
}

void log_connection_error(const Server& server, std::string_view client_ip, int client_port, LogLevel level,
                          std::string_view module, std::string_view id, std::string_view message) {
    const auto& words = server_config(server).log_level;
    write_if_enabled(words ? &words : nullptr, level, module, id, message, client_ip, client_port);
}

}  // namespace sonora::modules::core
