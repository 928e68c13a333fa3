#pragma once
// The configuration engine: reads files into the tree (running the
// read-time directives: Include, Define, <IfModule> ...), then walks the tree,
// dispatching each directive to its module with the context checks, argument
// splitting and error framing that httpd applies.

#include "config/generation.h"
#include "config/line_reader.h"

#include <sonora/directive.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::config {

// A configuration error, with where it is. `during_read` selects httpd's two
// framings: errors found while reading ("sonora: Syntax error on line N of F: msg")
// and errors found while applying directives ("SN00526: Syntax error on line N of F:\nmsg").
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string message, std::string where_file, int where_line, bool read_phase)
        : std::runtime_error(std::move(message)), file(std::move(where_file)), line(where_line),
          during_read(read_phase) {}
    // A problem not tied to one line (command line, post-config checks).
    explicit ConfigError(std::string message) : std::runtime_error(std::move(message)) {}

    std::string file;
    int line = 0;
    bool during_read = false;

    // The text httpd would print for this error; `program` is argv[0]'s basename.
    std::string render(std::string_view program) const;
};

struct Source {
    LineReader reader;
    std::shared_ptr<const std::string> file;
};

// What an access file (.htaccess) may hold, from its directory's AllowOverride
// and AllowOverrideList (httpd's cmd->override, override_opts, override_list).
struct AccessFileRules {
    unsigned override = 0;                // OR_* classes; kOrUnset once any is set
    unsigned options = ~0u;               // what Options may name: AllowOverride Options=...
    const std::vector<std::string>* override_list = nullptr;  // directives allowed by name
    bool nonfatal_override = false;       // a directive of a class not allowed: warn, skip
    bool nonfatal_unknown = false;        // an unknown directive: warn, skip
    // Where those warnings go: message id and text, as httpd words them.
    std::vector<std::pair<std::string, std::string>>* warnings = nullptr;
};

// Where a directive stands. Processing scopes chain to their parent section.
struct Scope {
    Server* server = nullptr;
    ConfigVector* dir = nullptr;            // the per-dir vector being filled
    unsigned override = kRsrcConf | (kOrAll & ~(kOrAuthCfg | kOrLimit));
    const Scope* parent = nullptr;
    const ConfigNode* section = nullptr;   // the section this scope is the body of
    const std::string* path = nullptr;     // that section's path or pattern
    bool limited = false;                  // inside <Limit> / <LimitExcept>
    // The methods the directives here apply to: httpd's cmd->limited, one bit
    // per method number (http/method.h); all bits outside <Limit>.
    std::uint64_t methods = ~std::uint64_t{0};
    // Set inside an access file, and in the sections it holds.
    const AccessFileRules* access = nullptr;
    // Read phase only.
    Source* source = nullptr;
    std::vector<ConfigNode>* out = nullptr;
};

class Engine {
public:
    explicit Engine(Generation& gen) : gen_(gen) {}

    Generation& generation() { return gen_; }

    // ---- reading ----
    // Reads a file (absolute path) into `out`, detecting include cycles.
    void read_file(const std::string& path, std::vector<ConfigNode>& out, int include_line = 0);
    // Reads directives given as text (-C / -c), named `origin` in errors.
    void read_text(std::string text, const std::string& origin, std::vector<ConfigNode>& out);
    // Continues reading the current source into scope.out until the </name>
    // that closes the section opened at `open_line` (used by true conditionals).
    void read_until_close(Scope& scope, std::string_view name, int open_line);
    // Skips the source up to that closing line (false conditionals).
    void skip_until_close(Scope& scope, std::string_view name, int open_line);

    // ---- processing ----
    void process(const std::vector<ConfigNode>& nodes, Scope& scope);

    // httpd's ap_parse_htaccess: `text` is the access file `file` of directory
    // `dir` (absolute, trailing slash), read and applied into `out` (a fresh
    // per-dir vector) as the body of that directory, under `rules`. Errors
    // throw ConfigError naming the file and line.
    void parse_access_file(std::string text, const std::string& file, const std::string& dir, Server& server,
                           const AccessFileRules& rules, ConfigVector& out);

    // ---- services for handlers ----
    std::string server_root_relative(std::string_view path) const;
    void warn(std::string_view module, std::string_view id, std::string_view message) const;

private:
    void read_lines(Scope& scope, std::string_view until, int open_line);
    void run_read_time(const ModuleSet::Hit& hit, ConfigNode& node, Scope& scope);
    void apply(const ModuleSet::Hit& hit, const ConfigNode& node, Scope& scope, bool during_read);
    std::string context_error(const DirectiveSpec& spec, const Scope& scope) const;

    // Whether `spec` may stand in an access file under `rules`.
    static bool allowed_in_access_file(const DirectiveSpec& spec, std::string_view name, const AccessFileRules& rules);

    Generation& gen_;
    const AccessFileRules* reading_access_file_ = nullptr;  // set while reading one
    std::vector<std::string> include_stack_;     // files being read, for cycle detection
    std::vector<std::string> open_sections_;     // sections open while reading
};

}  // namespace sonora::config
