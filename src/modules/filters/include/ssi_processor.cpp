// The SSI processor's loop, variables and conditions (see ssi_processor.h);
// the elements themselves are ssi_elements.cpp.

#include "modules/filters/include/ssi_processor.h"

#include "core/regex.h"
#include "core/strings.h"
#include "expr/parser.h"
#include "modules/filters/include/ssi_elements.h"
#include "modules/filters/include/ssi_legacy_expr.h"
#include "modules/filters/include/ssi_text.h"

namespace sonora::modules::filters::ssi {

namespace {

// The standard variables httpd computes only when read (with the timefmt of
// that moment), one bit each in Processor::lazy_.
constexpr std::array<std::string_view, 4> kLazy = {"DATE_LOCAL", "DATE_GMT", "LAST_MODIFIED", "USER_NAME"};

int lazy_index(std::string_view name) {
    for (std::size_t i = 0; i < kLazy.size(); ++i) {
        if (equals_nocase(name, kLazy[i])) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

bool is_name_char(char c) {
    return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

// ap_expr's reqenv()/env() see the SSI variables; everything else is the request's.
class SsiExprContext final : public expr::Context {
public:
    SsiExprContext(Processor& p, expr::Context& base) : p_(p), base_(base) {}
    std::string variable(expr::Var v) override { return base_.variable(v); }
    std::optional<std::string> request_header(std::string_view name, bool vary) override {
        return base_.request_header(name, vary);
    }
    std::optional<std::string> response_header(std::string_view name) override { return base_.response_header(name); }
    std::optional<std::string> request_env(std::string_view name) override { return p_.get_var(name); }
    std::optional<std::string> note(std::string_view name) override { return base_.note(name); }
    bool subrequest_allowed(std::string_view target, bool is_uri) override {
        return base_.subrequest_allowed(target, is_uri);
    }
    std::optional<std::string> os_env(std::string_view name) override { return base_.os_env(name); }
    std::optional<expr::FileInfo> stat_file(std::string_view path, bool follow) override {
        return base_.stat_file(path, follow);
    }
    std::optional<std::string> read_file(std::string_view path) override { return base_.read_file(path); }
    void report_error(std::string_view message) override {
        failed = true;
        error.assign(message);
    }

    bool failed = false;
    std::string error;

private:
    Processor& p_;
    expr::Context& base_;
};

class LegacyEnv final : public LegacyExprEnv {
public:
    LegacyEnv(Processor& p, SsiHost& host, std::string_view filename) : p_(p), host_(host), filename_(filename) {}
    std::string expand(std::string_view raw) override { return p_.substitute(raw); }
    int regex_match(std::string_view subject, std::string_view pattern) override {
        std::string error;
        const auto re = Regex::compile(pattern, Regex::kNone, &error);
        if (!re) {
            host_.log(LogLevel::Error, "SN02667", "unable to compile pattern \"" + std::string(pattern) + "\"");
            return -1;
        }
        Processor::Captures& c = p_.captures();
        c.exists = true;
        c.pattern = std::string(pattern);
        c.nsub = re->capture_count();
        std::vector<std::string_view> groups;
        c.have_match = re->match(subject, groups);
        c.group.fill(std::nullopt);
        for (std::size_t i = 0; c.have_match && i < groups.size() && i < c.group.size(); ++i) {
            // Regex::match gives empty views for groups that took no part.
            if (groups[i].data() != nullptr) {
                c.group[i] = std::string(groups[i]);
            }
        }
        return c.have_match ? 1 : 0;
    }
    bool uri_accessible(std::string_view uri) override {
        const bool ok = host_.uri_accessible(uri);
        if (!ok) {
            host_.log(LogLevel::Debug, "SN01336",
                      "mod_include: The tested subrequest -A \"" + std::string(uri) + "\" returned an error code.");
        }
        return ok;
    }

private:
    Processor& p_;
    SsiHost& host_;
    std::string_view filename_;
};

}  // namespace

Processor::Processor(Settings settings, Document document, SsiHost& host)
    : settings_(std::move(settings)),
      document_(std::move(document)),
      host_(host),
      source_(settings_.start_tag, settings_.end_tag) {
    seed_variables();
}

// httpd's add_include_vars (for the main document) and the query variables
// its filter sets for every parsed document.
void Processor::seed_variables() {
    if (!settings_.nested) {
        lazy_ = 0xf;
        const std::string_view slash_name =
            document_.filename.find('/') != std::string::npos
                ? std::string_view(document_.filename).substr(document_.filename.rfind('/') + 1)
                : std::string_view(document_.uri);
        host_.env_set("DATE_LOCAL", "");
        host_.env_set("DATE_GMT", "");
        host_.env_set("LAST_MODIFIED", "");
        host_.env_set("DOCUMENT_URI", document_.uri);
        host_.env_set("DOCUMENT_ARGS", document_.args.value_or(""));
        if (!document_.path_info.empty()) {
            host_.env_set("DOCUMENT_PATH_INFO", document_.path_info);
        }
        host_.env_set("USER_NAME", "");
        host_.env_set("DOCUMENT_NAME", slash_name);
    }
    if (document_.args) {
        host_.env_set("QUERY_STRING", *document_.args);
        host_.env_set("QUERY_STRING_UNESCAPED", escape_shell(unescape_url(*document_.args, false)));
    }
}

std::optional<std::string> Processor::get_var(std::string_view name) {
    if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
        const std::size_t idx = static_cast<std::size_t>(name[0] - '0');
        const std::string n = std::to_string(idx);
        if (!captures_.exists || !captures_.have_match) {
            log(LogLevel::Warn, "SN01329", "regex capture $" + n + " refers to no regex in " + document_.filename);
            return std::nullopt;
        }
        if (captures_.nsub < idx) {
            log(LogLevel::Warn, "SN01330",
                "regex capture $" + n + " is out of range (last regex was: '" +
                    captures_.pattern.value_or("(null)") + "') in " + document_.filename);
            return std::nullopt;
        }
        return captures_.group[idx];
    }
    const int lazy = lazy_index(name);
    if (lazy >= 0 && (lazy_ & (1u << lazy)) != 0) {
        lazy_ &= ~(1u << lazy);
        std::string value;
        switch (lazy) {
        case 0:
            value = format_time(document_.request_time, settings_.time_fmt, false);
            break;
        case 1:
            value = format_time(document_.request_time, settings_.time_fmt, true);
            break;
        case 2:
            value = format_time(document_.mtime, settings_.time_fmt, false);
            break;
        default:
            value = document_.owner.empty() ? "<unknown>" : document_.owner;
            break;
        }
        host_.env_set(kLazy[static_cast<std::size_t>(lazy)], value);
        return value;
    }
    return host_.env_get(name);
}

void Processor::forget_lazy(std::string_view name) {
    const int lazy = lazy_index(name);
    if (lazy >= 0) {
        lazy_ &= ~(1u << lazy);
    }
}

void Processor::materialize_lazy() {
    for (const std::string_view name : kLazy) {
        if (lazy_ != 0) {
            (void)get_var(name);
        }
    }
}

std::string Processor::substitute(std::string_view in, bool leave_name) {
    std::string out;
    std::size_t i = 0;
    while (i < in.size()) {
        const std::size_t special = in.find_first_of("\\$", i);
        if (special == std::string_view::npos) {
            out.append(in.substr(i));
            break;
        }
        out.append(in.substr(i, special - i));
        i = special;
        if (in[i] == '\\') {
            const bool dollar = i + 1 < in.size() && in[i + 1] == '$';
            out.push_back(dollar ? '$' : '\\');
            i += dollar ? 2 : 1;
            continue;
        }
        // '$': ${name} or $name (letters, digits, '_').
        std::string_view key;
        std::size_t after = 0;
        std::string_view written;
        if (i + 1 < in.size() && in[i + 1] == '{') {
            const std::size_t close = in.find('}', i + 2);
            if (close == std::string_view::npos) {
                log(LogLevel::Error, "SN01331",
                    "Missing '}' on variable \"" + std::string(in.substr(i + 2)) + "\" in " + document_.filename);
                break;
            }
            key = in.substr(i + 2, close - i - 2);
            after = close + 1;
            written = in.substr(i, after - i);
        } else {
            std::size_t e = i + 1;
            while (e < in.size() && is_name_char(in[e])) {
                ++e;
            }
            key = in.substr(i + 1, e - i - 1);
            after = e;
            written = in.substr(i, e - i);
        }
        if (key.empty()) {
            out.push_back('$');
            ++i;
            continue;
        }
        if (auto value = get_var(key)) {
            out.append(*value);
        } else if (leave_name) {
            out.append(written);
        }
        i = after;
    }
    return out;
}

bool Processor::evaluate_condition(std::string_view text, bool& error) {
    error = false;
    if (settings_.legacy_expr) {
        LegacyEnv env(*this, host_, document_.filename);
        const LegacyExprResult r = eval_legacy_expr(text, document_.filename, env);
        if (r.error) {
            log(LogLevel::Error, r.log_id, r.message);
            error = true;
            return false;
        }
        return r.value != 0;
    }
    expr::ParseOptions options;
    options.restricted = true;
    options.ssi_functions = true;
    auto parsed = expr::parse(text, options);
    if (!parsed) {
        log(LogLevel::Error, "SN01337",
            "Could not parse expr \"" + std::string(text) + "\" in " + document_.filename + ": " +
                parsed.error().message);
        error = true;
        return false;
    }
    captures_.exists = true;
    SsiExprContext ctx(*this, host_.expr_context());
    expr::Backrefs refs;
    const bool value = expr::evaluate(parsed.value(), ctx, &refs);
    if (ctx.failed) {
        log(LogLevel::Error, "SN01338",
            "Could not evaluate expr \"" + std::string(text) + "\" in " + document_.filename + ": " + ctx.error);
        error = true;
        return false;
    }
    // httpd hands ap_expr its match array but never its group count, so only
    // $0 of an ap_expr match can be echoed afterwards.
    if (refs.set[0]) {
        captures_.have_match = true;
        captures_.group[0] = refs.group[0];
    }
    return value;
}

void Processor::execute(const Element& e) {
    if (e.fault != Element::Fault::None) {
        switch (e.fault) {
        case Element::Fault::MissingName:
            log(LogLevel::Error, "SN01368", "missing directive name in parsed document " + document_.filename);
            break;
        case Element::Fault::ValueWithoutName:
            log(LogLevel::Error, "SN01369",
                "missing argument name for value to tag " + e.name + " in " + document_.filename);
            break;
        default:
            log(LogLevel::Error, "SN01370",
                "missing argument name for value to tag " + e.name + " in " + document_.filename);
            break;
        }
        if (printing_) {
            error_out();
        }
        return;
    }
    if (!Elements::run(*this, e)) {
        log(LogLevel::Error, "SN01371", "unknown directive \"" + e.name + "\" in parsed doc " + document_.filename);
        if (printing_) {
            error_out();
        }
    }
}

Action Processor::next() {
    if (out_sent_) {
        out_.clear();
        out_sent_ = false;
    }
    if (awaiting_) {
        return pending_;  // the driver has not resumed yet: nothing may move on
    }
    for (;;) {
        if (busy_ != Busy::No) {
            std::optional<Action> a = busy_ == Busy::Include ? continue_include() : continue_exec();
            if (a) {
                return *a;
            }
        }
        if (!out_.empty()) {
            out_sent_ = true;
            return Action::of(Action::Kind::Output, out_);
        }
        if (done_) {
            return Action::of(Action::Kind::Done);
        }
        switch (source_.next()) {
        case Scanner::Event::Text:
            if (printing_) {
                return Action::of(Action::Kind::Output, source_.text());
            }
            break;
        case Scanner::Event::Element:
            execute(source_.element());
            break;
        case Scanner::Event::NeedInput:
            return Action::of(Action::Kind::NeedInput);
        case Scanner::Event::Unterminated:
            log(LogLevel::Error, "SN01372",
                "SSI directive was not properly finished at the end of parsed document " + document_.filename);
            if (printing_) {
                error_out();
            }
            break;
        case Scanner::Event::End:
            if (!printing_) {
                log(LogLevel::Warn, "SN01373",
                    "missing closing endif directive in parsed document " + document_.filename);
            }
            done_ = true;
            break;
        }
    }
}

}  // namespace sonora::modules::filters::ssi
