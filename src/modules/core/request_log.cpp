#include "modules/core/request_log.h"

#include "modules/core/core_config.h"
#include "modules/loggers/log_render.h"

#include <string>

namespace sonora::modules::core {

namespace {

// Rare messages (denials, failures, timeouts): parsing the setting here keeps
// the configuration structs as they are.
void write_if_enabled(std::string_view words, LogLevel level, std::string_view module, std::string_view id,
                      std::string_view message, std::string_view client_ip, int client_port) {
    LogLevelSetting setting = LogLevelSetting::parse(words);
    if (level != LogLevel::Notice && !setting.enabled(level, module)) {
        return;
    }
    std::string client(client_ip);
    client += ':';
    client += std::to_string(client_port);
    write_log_line(level, format_log_line(level, module, id, message, client));
}

// The LogLevel words that apply to r: the server's, then its directory's
// (which set only what they name, as httpd merges a per-directory LogLevel).
std::string level_words(const request::Request& r) {
    std::string words;
    if (r.server != nullptr) {
        if (const auto& srv = server_config(*r.server).log_level) {
            words = *srv;
        }
    }
    if (r.dir_config != nullptr) {
        if (const auto* dir = r.dir_config->get<CoreDirConfig>(core_module.index); dir != nullptr && dir->log_level) {
            words += " ";
            words += *dir->log_level;
        }
    }
    return words;
}

}  // namespace

bool log_level_mentions(const request::Request& r, std::string_view word) {
    // Looked at in place: this runs for every request a module asks about.
    if (r.server != nullptr) {
        if (const auto& srv = server_config(*r.server).log_level; srv && srv->find(word) != std::string::npos) {
            return true;
        }
    }
    if (r.dir_config != nullptr) {
        const auto* dir = r.dir_config->get<CoreDirConfig>(core_module.index);
        return dir != nullptr && dir->log_level && dir->log_level->find(word) != std::string::npos;
    }
    return false;
}

bool request_log_enabled(const request::Request& r, LogLevel level, std::string_view module) {
    return level == LogLevel::Notice || LogLevelSetting::parse(level_words(r)).enabled(level, module);
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
    write_if_enabled(words ? std::string_view(*words) : std::string_view(), level, module, id, message, client_ip,
                     client_port);
}

}  // namespace sonora::modules::core
