#pragma once
// The SSI processor: httpd's INCLUDES filter as a sans-I/O state machine.
//
// A driver (an output filter, a test, the fuzzer) feeds the document in
// chunks and pulls actions:
//
//     Processor p(settings, document, host);
//     for each chunk: p.feed(chunk); while ((a = p.next()).kind != NeedInput) handle(a);
//     p.finish();      while ((a = p.next()).kind != Done) handle(a);
//
//   Output    a.output is the next piece of the result, a view valid until the
//             next call to next(): document text (a view of the fed chunk
//             when possible) or what an element printed.
//   NeedInput the chunk is used up; feed the next one (or finish()).
//   Include   `<!--#include file|virtual=... -->`: the driver runs the
//             subrequest for a.target, sends its output on (after every
//             Output already returned), then calls resume() with the
//             outcome. next() must not be called before resume().
//   Exec      `<!--#exec cmd|cgi=... -->`: as Include, for a command run by
//             the shell (ExecKind::Cmd) or a CGI URL (ExecKind::Cgi).
//   Done      after finish(): everything has been returned.
//
// The processor never blocks and never does I/O: what it needs from the
// request (variables, file facts for fsize/flastmod, URL access for -A, the
// ap_expr context, the error log) it asks of the SsiHost synchronously.
//
// Nesting: an included document that is itself parsed gets its own Processor
// with Settings::nested = true (the variables are the parent's, as in httpd).
// httpd limits that depth only through its subrequest limit
// (LimitInternalRecursion, default 10); the driver enforces it and answers
// an Include beyond it with IncludeOutcome::SetupFailed.
//
// Caching the scan (beyond httpd): record() before the first feed() keeps
// what the scanner finds, and take_scan() hands it over once next() has
// answered Done. replay() instead of feeding: the text and elements come
// from such a scan of the same bytes under the same tags, next() never
// answers NeedInput, and everything else (variables, conditions, includes,
// config, errors) is evaluated as for a live scan, so the actions are the
// same as for the document fed in the chunks the recorded scan had.
//
// Thread-safety: one Processor per document and thread; the host outlives it.

#include "expr/eval.h"
#include "modules/filters/include/ssi_scan_replay.h"

#include "core/log.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonora::modules::filters::ssi {

inline constexpr std::string_view kDefaultErrorMsg = "[an error occurred while processing this directive]";
inline constexpr std::string_view kDefaultTimeFmt = "%A, %d-%b-%Y %H:%M:%S %Z";
inline constexpr std::string_view kDefaultUndefinedEcho = "(none)";

// What the configuration says for this document (mod_include's merged
// per-dir config, the server's tags, the Options in force).
struct Settings {
    std::string start_tag = "<!--#";
    std::string end_tag = "-->";
    std::string error_msg = std::string(kDefaultErrorMsg);
    std::string time_fmt = std::string(kDefaultTimeFmt);
    std::string undefined_echo = std::string(kDefaultUndefinedEcho);
    bool legacy_expr = false;     // SSILegacyExprParser
    bool no_exec = false;         // Options IncludesNOEXEC: exec refused, non-text includes refused
    bool exec_available = false;  // mod_cgi is loaded: `exec` exists at all
    bool nested = false;          // an included document: no standard variables of its own
};

// The facts of the request the standard variables are made of.
struct Document {
    std::string uri;                  // DOCUMENT_URI
    std::string filename;             // DOCUMENT_NAME is its last component; named in log messages
    std::string path_info;            // DOCUMENT_PATH_INFO when not empty
    std::optional<std::string> args;  // DOCUMENT_ARGS, QUERY_STRING(_UNESCAPED)
    std::time_t request_time = 0;     // DATE_LOCAL, DATE_GMT
    std::time_t mtime = 0;            // LAST_MODIFIED
    std::string owner;                // USER_NAME: the file owner's name, or "<unknown>"
};

enum class FileRef : std::uint8_t { File, Virtual };
enum class ExecKind : std::uint8_t { Cmd, Cgi };

struct FileFacts {
    std::int64_t size = 0;
    std::time_t mtime = 0;
};

// What the processor asks of the request. Variable names compare without
// regard to case (httpd's subprocess_env is an apr_table).
class SsiHost {
public:
    virtual ~SsiHost() = default;
    virtual std::optional<std::string> env_get(std::string_view name) = 0;
    // Replaces (or adds at the end) the variable.
    virtual void env_set(std::string_view name, std::string_view value) = 0;
    // Every variable in table order, for printenv.
    virtual std::vector<std::pair<std::string, std::string>> env_list() = 0;
    // fsize/flastmod: the file a subrequest for `path` maps to (FileRef::File:
    // relative to the document's directory, already checked for ".." and
    // absolute paths). nullopt when the lookup fails or finds no file.
    virtual std::optional<FileFacts> stat_file(FileRef ref, std::string_view path) = 0;
    // Legacy `-A uri`: would a subrequest for it pass (status < 400)?
    virtual bool uri_accessible(std::string_view uri) = 0;
    // The request's ap_expr context (variables, headers, ...); the processor
    // answers reqenv()/env() lookups itself with the SSI variables.
    virtual expr::Context& expr_context() = 0;
    // An error-log line of module include, for this request.
    virtual void log(LogLevel level, std::string_view id, std::string_view message) = 0;
};

// How an Include or Exec ended, reported through resume().
struct IncludeOutcome {
    enum class Status : std::uint8_t {
        Ok,
        SetupFailed,  // the subrequest could not be set up (status = its code)
        NotText,      // under no_exec: the included resource is not text/*
        RunFailed,    // it ran and failed (status = its code); for Exec: any failure
    };
    Status status = Status::Ok;
    int code = 0;
};

struct Action {
    enum class Kind : std::uint8_t { Output, NeedInput, Include, Exec, Done };
    Kind kind = Kind::NeedInput;
    std::string_view output;  // Output
    FileRef ref = FileRef::Virtual;  // Include
    ExecKind exec = ExecKind::Cmd;   // Exec
    std::string_view target;  // Include/Exec: path, URL or command; valid until resume()
    bool no_exec = false;     // Include: refuse a resource that is not text/* (NotText)

    static Action of(Kind k, std::string_view out = {}) {
        Action a;
        a.kind = k;
        a.output = out;
        return a;
    }
};

class Processor {
public:
    Processor(Settings settings, Document document, SsiHost& host);

    void feed(std::string_view chunk) { source_.feed(chunk); }
    void finish() { source_.finish(); }
    Action next();

    // See "Caching the scan" above; a document of at most 4 GiB is recorded.
    void record(std::uint64_t size) { source_.record(size); }
    std::shared_ptr<const ScannedDocument> take_scan() { return source_.take_recording(); }
    void replay(std::shared_ptr<const ScannedDocument> scan) { source_.replay(std::move(scan)); }
    void resume(const IncludeOutcome& outcome);

    // The variable as an element sees it ($0..$9, the lazily made standard
    // ones); nullopt when undefined.
    std::optional<std::string> get_var(std::string_view name);
    // httpd's ap_ssi_parse_string: $name and ${name} replaced, "\$" is "$".
    // Undefined names vanish, or stay as written with leave_name.
    std::string substitute(std::string_view in, bool leave_name = false);

    bool printing() const { return printing_; }

    // Gives DATE_LOCAL, DATE_GMT, LAST_MODIFIED and USER_NAME their values in
    // the host's variables (until read they hold ""). printenv does it; a
    // driver does it before it hands the variables to a program (Exec).
    void materialize_lazy();

    // Last regex match (legacy `=~ /re/` or ap_expr), for $0..$9.
    struct Captures {
        bool exists = false;
        bool have_match = false;
        std::optional<std::string> pattern;
        std::size_t nsub = 0;
        std::array<std::optional<std::string>, 10> group;
    };
    Captures& captures() { return captures_; }

private:
    friend class Elements;
    enum class Busy : std::uint8_t { No, Include, Exec };

    void seed_variables();
    void forget_lazy(std::string_view name);  // `set` or `config timefmt` gave it a value
    void execute(const Element& e);
    void error_out() { out_.append(settings_.error_msg); }
    void log(LogLevel level, std::string_view id, const std::string& message) { host_.log(level, id, message); }
    std::optional<Action> continue_include();
    std::optional<Action> continue_exec();
    bool evaluate_condition(std::string_view expr, bool& error);

    Settings settings_;
    Document document_;
    SsiHost& host_;
    ScanSource source_;
    std::string out_;       // what the current element printed
    bool out_sent_ = false;  // out_ was returned: clear it on the next call
    bool printing_ = true;   // httpd's SSI_FLAG_PRINTING
    bool cond_true_ = true;  // SSI_FLAG_COND_TRUE
    bool size_bytes_ = false;
    int if_nesting_ = 0;  // ifs opened inside a branch that is not printed
    bool branch_error_ = false;  // the current if or an elif of it was broken
    unsigned lazy_ = 0;   // standard variables not yet computed (bit per name)
    bool done_ = false;

    // An include/exec element in progress.
    Busy busy_ = Busy::No;
    bool awaiting_ = false;
    Action pending_;  // the Include/Exec awaiting resume(), repeated if next() is called early
    std::size_t arg_ = 0;
    bool last_error_ = false;
    std::string target_;
    std::string raw_value_;
    Captures captures_;
};

}  // namespace sonora::modules::filters::ssi
