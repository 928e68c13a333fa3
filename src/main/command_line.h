#pragma once
// httpd's command line: -D -d -f -C -c -e -E -k -v -V -l -L -t -T -S -M -h -X.

#include <optional>
#include <string>
#include <vector>

namespace sonora::cli {

enum class Action { Run, Version, Settings, ListCompiled, ListDirectives, Help, Test, Signal };

struct Options {
    Action action = Action::Run;
    std::vector<std::string> defines;  // -D, with -S/-M/-X expanded as httpd does
    std::optional<std::string> server_root;
    std::optional<std::string> config_file;
    std::vector<std::string> pre_directives;   // -C
    std::vector<std::string> post_directives;  // -c
    std::optional<std::string> log_level;      // -e
    std::optional<std::string> startup_log;    // -E
    std::string signal;                        // -k argument
    bool skip_document_root_check = false;     // -T
    bool test = false;                         // -t (also implied by -S, -M)

    bool defined(const std::string& name) const;
};

struct ParseResult {
    std::optional<Options> options;
    std::string error;  // "illegal option -- Q" etc., printed before the usage text
};

ParseResult parse_command_line(int argc, const char* const* argv);
std::string usage_text(const std::string& program);

}  // namespace sonora::cli
