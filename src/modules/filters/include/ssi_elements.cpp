// mod_include's elements (see ssi_elements.h). Each follows httpd's order of
// checks, since which error wins and whether an error prints inside a false
// branch is observable.

#include "modules/filters/include/ssi_elements.h"

#include "core/strings.h"
#include "modules/filters/include/ssi_text.h"

namespace sonora::modules::filters::ssi {

namespace {

// apr_filepath_merge with SECUREROOTTEST | NOTABSOLUTE against no root: a
// relative path that never climbs above its start, normalised.
std::optional<std::string> secure_relative(std::string_view path) {
    if (path.empty() || path[0] == '/') {
        return std::nullopt;
    }
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        std::size_t slash = path.find('/', i);
        slash = slash == std::string_view::npos ? path.size() : slash;
        const std::string_view seg = path.substr(i, slash - i);
        if (seg == "..") {
            if (parts.empty()) {
                return std::nullopt;
            }
            parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        i = slash + 1;
    }
    std::string out;
    for (const std::string_view seg : parts) {
        out.append(out.empty() ? "" : "/").append(seg);
    }
    if (!path.empty() && path.back() == '/' && !out.empty()) {
        out.push_back('/');
    }
    return out;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

bool Elements::run(Processor& p, const Element& e) {
    const std::string& n = e.name;
    if (n == "echo") {
        echo(p, e);
    } else if (n == "set") {
        set(p, e);
    } else if (n == "if" || n == "elif") {
        if_(p, e, n == "elif");
    } else if (n == "else" || n == "endif") {
        else_(p, e, n == "endif");
    } else if (n == "config") {
        config(p, e);
    } else if (n == "fsize" || n == "flastmod") {
        file_fact(p, e, n == "fsize");
    } else if (n == "printenv") {
        printenv(p, e);
    } else if (n == "include") {
        include(p, e);
    } else if (n == "exec" && p.settings_.exec_available) {
        exec(p, e);
    } else if (n != "comment") {
        return false;
    }
    return true;
}

void Elements::echo(Processor& p, const Element& e) {
    const std::string& file = p.document_.filename;
    if (e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN01343",
              "missing argument for echo element in " + file);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.empty()) {
        p.error_out();
        return;
    }
    std::string encoding = "entity";
    std::string decoding = "none";
    for (const TagArg& a : e.args) {
        if (!a.value) {
            return;
        }
        const std::string value = decode_entities(*a.value);
        if (a.name == "var") {
            std::optional<std::string> v = p.get_var(p.substitute(value));
            if (!v) {
                p.out_.append(p.settings_.undefined_echo);
                continue;
            }
            std::string bad;
            if (!apply_codings(false, decoding, *v, &bad)) {
                p.log(LogLevel::Error, "SN01344",
                      "unknown value " + quoted(bad) + " to parameter \"decoding\" of tag echo in " + file);
                p.error_out();
                return;
            }
            if (!apply_codings(true, encoding, *v, &bad)) {
                p.log(LogLevel::Error, "SN01345",
                      "unknown value " + quoted(bad) + " to parameter \"encoding\" of tag echo in " + file);
                p.error_out();
                return;
            }
            p.out_.append(*v);
        } else if (a.name == "decoding") {
            decoding = value;
        } else if (a.name == "encoding") {
            encoding = value;
        } else {
            p.log(LogLevel::Error, "SN01346", "unknown parameter " + quoted(a.name) + " in tag echo of " + file);
            p.error_out();
            return;
        }
    }
}

void Elements::set(Processor& p, const Element& e) {
    const std::string& file = p.document_.filename;
    if (e.args.size() < 2) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN01362", "missing argument for set element in " + file);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.size() < 2) {
        p.error_out();
        return;
    }
    std::optional<std::string> var;
    std::string encoding = "none";
    std::string decoding = "none";
    for (const TagArg& a : e.args) {
        if (!a.value) {
            return;
        }
        if (a.name == "var") {
            var = p.substitute(decode_entities(*a.value));
        } else if (a.name == "decoding") {
            decoding = *a.value;
        } else if (a.name == "encoding") {
            encoding = *a.value;
        } else if (a.name == "value") {
            if (!var) {
                p.log(LogLevel::Error, "SN01363", "variable must precede value in set directive in " + file);
                p.error_out();
                return;
            }
            std::string v = p.substitute(*a.value);
            std::string bad;
            if (!apply_codings(false, decoding, v, &bad)) {
                p.log(LogLevel::Error, "SN01364",
                      "unknown value " + quoted(bad) + " to parameter \"decoding\" of tag set in " + file);
                p.error_out();
                return;
            }
            if (!apply_codings(true, encoding, v, &bad)) {
                p.log(LogLevel::Error, "SN01365",
                      "unknown value " + quoted(bad) + " to parameter \"encoding\" of tag set in " + file);
                p.error_out();
                return;
            }
            p.forget_lazy(*var);
            p.host_.env_set(*var, v);
        } else {
            p.log(LogLevel::Error, "SN01366", "Invalid tag for set directive in " + file);
            p.error_out();
            return;
        }
    }
}

void Elements::config(Processor& p, const Element& e) {
    const std::string& file = p.document_.filename;
    if (e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN01347",
              "missing argument for config element in " + file);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.empty()) {
        p.error_out();
        return;
    }
    for (const TagArg& a : e.args) {
        if (!a.value) {
            return;
        }
        if (a.name == "errmsg") {
            p.settings_.error_msg = p.substitute(*a.value);
        } else if (a.name == "echomsg") {
            p.settings_.undefined_echo = p.substitute(*a.value);
        } else if (a.name == "timefmt") {
            p.settings_.time_fmt = p.substitute(*a.value);
            const Document& d = p.document_;
            p.forget_lazy("DATE_LOCAL");
            p.forget_lazy("DATE_GMT");
            p.forget_lazy("LAST_MODIFIED");
            p.host_.env_set("DATE_LOCAL", format_time(d.request_time, p.settings_.time_fmt, false));
            p.host_.env_set("DATE_GMT", format_time(d.request_time, p.settings_.time_fmt, true));
            p.host_.env_set("LAST_MODIFIED", format_time(d.mtime, p.settings_.time_fmt, false));
        } else if (a.name == "sizefmt") {
            const std::string fmt = p.substitute(*a.value);
            if (fmt == "bytes") {
                p.size_bytes_ = true;
            } else if (fmt == "abbrev") {
                p.size_bytes_ = false;
            } else {
                p.log(LogLevel::Error, "SN01348",
                      "unknown value " + quoted(fmt) + " to parameter \"sizefmt\" of tag config in " + file);
                p.error_out();
                return;
            }
        } else {
            p.log(LogLevel::Error, "SN01349", "unknown parameter " + quoted(a.name) + " to tag config in " + file);
            p.error_out();
            return;
        }
    }
}

void Elements::printenv(Processor& p, const Element& e) {
    if (!e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN01367",
              "printenv directive does not take tags in " + p.document_.filename);
    }
    if (!p.printing_) {
        return;
    }
    if (!e.args.empty()) {
        p.error_out();
        return;
    }
    p.materialize_lazy();
    for (const auto& [key, value] : p.host_.env_list()) {
        append_html_escaped(p.out_, key);
        p.out_.push_back('=');
        append_html_escaped(p.out_, value);
        p.out_.push_back('\n');
    }
}

void Elements::file_fact(Processor& p, const Element& e, bool size) {
    const std::string& file = p.document_.filename;
    const std::string tag = size ? "fsize" : "flastmod";
    if (e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, size ? "SN01350" : "SN01351",
              "missing argument for " + tag + " element in " + file);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.empty()) {
        p.error_out();
        return;
    }
    for (const TagArg& a : e.args) {
        if (!a.value) {
            return;
        }
        const std::string path = p.substitute(decode_entities(*a.value));
        std::optional<FileFacts> facts;
        if (a.name == "file") {
            if (const auto safe = secure_relative(path)) {
                facts = p.host_.stat_file(FileRef::File, *safe);
                if (!facts) {
                    p.log(LogLevel::Error, "SN02670",
                          "unable to lookup information about " + quoted(path) + " in parsed file " + file);
                }
            } else {
                p.log(LogLevel::Error, "SN02668", "unable to access file " + quoted(path) + " in parsed file " + file);
            }
        } else if (a.name == "virtual") {
            facts = p.host_.stat_file(FileRef::Virtual, path);
            if (!facts) {
                p.log(LogLevel::Error, "SN01339",
                      "unable to get information about " + quoted(path) + " in parsed file " + file);
            }
        } else {
            p.log(LogLevel::Error, "SN01340", "unknown parameter " + quoted(a.name) + " to tag " + tag + " in " + file);
        }
        if (!facts) {
            p.error_out();
            return;
        }
        if (!size) {
            p.out_.append(format_time(facts->mtime, p.settings_.time_fmt, false));
        } else if (p.size_bytes_) {
            p.out_.append(grouped_size(facts->size));
        } else {
            p.out_.append(strfsize(facts->size));
        }
    }
}

void Elements::if_(Processor& p, const Element& e, bool elif) {
    const std::string& file = p.document_.filename;
    const bool at_level = elif ? p.if_nesting_ == 0 : p.printing_;
    if (e.args.size() != 1) {
        const bool many = !e.args.empty();
        p.log(at_level ? LogLevel::Error : LogLevel::Warn,
              elif ? (many ? "SN01356" : "SN01357") : (many ? "SN01352" : "SN01353"),
              (many ? "too many arguments for if element in " : "missing expr argument for if element in ") + file);
    }
    if (!elif && !p.printing_) {
        ++p.if_nesting_;
        return;
    }
    if (elif && p.if_nesting_ > 0) {
        return;
    }
    // Apache 2.4.71 prints the error message for a broken if or elif and
    // then prints nothing up to the endif but what a later elif selects: its
    // else is ignored (observed; the 2.4.62 sources left the branch state
    // unchanged instead).
    auto broken = [&p, elif] {
        p.error_out();
        p.printing_ = p.cond_true_ = false;
        p.branch_error_ = true;
        if (!elif) {
            p.if_nesting_ = 0;
        }
    };
    if (e.args.size() != 1) {
        broken();
        return;
    }
    const TagArg& a = e.args[0];
    if (a.name != "expr") {
        p.log(LogLevel::Error, elif ? "SN01358" : "SN01354",
              "unknown parameter " + quoted(a.name) + " to tag if in " + file);
        broken();
        return;
    }
    if (!a.value) {
        if (elif) {
            p.log(LogLevel::Error, "SN01359", "missing expr in elif statement: " + file);
        } else {
            p.log(LogLevel::Error, "SN01355", "missing expr value for if element in " + file);
        }
        broken();
        return;
    }
    if (elif && p.cond_true_) {
        p.printing_ = false;
        return;
    }
    bool error = false;
    const bool value = p.evaluate_condition(*a.value, error);
    if (error) {
        broken();
        return;
    }
    p.printing_ = p.cond_true_ = value;
    if (!elif) {
        p.if_nesting_ = 0;
        p.branch_error_ = false;
    }
}

void Elements::else_(Processor& p, const Element& e, bool endif) {
    if (!e.args.empty()) {
        p.log(p.if_nesting_ == 0 ? LogLevel::Error : LogLevel::Warn, endif ? "SN01361" : "SN01360",
              std::string(endif ? "endif" : "else") + " directive does not take tags in " + p.document_.filename);
    }
    if (p.if_nesting_ > 0) {
        if (endif) {
            --p.if_nesting_;
        }
        return;
    }
    if (!e.args.empty()) {
        // httpd prints this error for an else only where output is printed,
        // for an endif always.
        if (endif || p.printing_) {
            p.error_out();
        }
        return;
    }
    if (endif) {
        p.printing_ = p.cond_true_ = true;
        p.branch_error_ = false;
    } else if (p.branch_error_) {
        return;
    } else if (!p.cond_true_) {
        p.printing_ = p.cond_true_ = true;
    } else {
        p.printing_ = false;
    }
}

void Elements::include(Processor& p, const Element& e) {
    if (e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN01341",
              "missing argument for include element in " + p.document_.filename);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.empty()) {
        p.error_out();
        return;
    }
    p.busy_ = Processor::Busy::Include;
    p.arg_ = 0;
    p.last_error_ = false;
}

void Elements::exec(Processor& p, const Element& e) {
    if (e.args.empty()) {
        p.log(p.printing_ ? LogLevel::Error : LogLevel::Warn, "SN03195",
              "missing argument for exec element in " + p.document_.filename);
    }
    if (!p.printing_) {
        return;
    }
    if (e.args.empty()) {
        p.error_out();
        return;
    }
    if (p.settings_.no_exec) {
        p.log(LogLevel::Error, "SN01228", "exec used but not allowed in " + p.document_.filename);
        p.error_out();
        return;
    }
    p.busy_ = Processor::Busy::Exec;
    p.arg_ = 0;
    p.last_error_ = false;
}

// The include element's attributes, one subrequest at a time: file and
// virtual in turn until one fails, then only onerror ones until one works.
std::optional<Action> Processor::continue_include() {
    const Element& e = source_.element();
    const std::string& file = document_.filename;
    while (!awaiting_ && arg_ < e.args.size()) {
        const TagArg& a = e.args[arg_];
        if (!a.value) {
            break;
        }
        if (a.name != "virtual" && a.name != "file" && a.name != "onerror") {
            log(LogLevel::Error, "SN01342", "unknown parameter " + quoted(a.name) + " to tag include in " + file);
            error_out();
            break;
        }
        raw_value_ = decode_entities(*a.value);
        const std::string parsed = substitute(raw_value_);
        Action act = Action::of(Action::Kind::Include);
        act.no_exec = settings_.no_exec;
        if (a.name == "file") {
            const auto safe = secure_relative(parsed);
            if (!safe) {
                log(LogLevel::Error, "SN90010",
                    "unable to include file " + quoted(raw_value_) + " in parsed file " + file);
                if (last_error_) {
                    break;
                }
                last_error_ = true;
                ++arg_;
                continue;
            }
            target_ = *safe;
            act.ref = FileRef::File;
        } else if ((a.name == "virtual" && !last_error_) || (a.name == "onerror" && last_error_)) {
            target_ = parsed;
            act.ref = FileRef::Virtual;
        } else {
            ++arg_;
            continue;
        }
        act.target = target_;
        awaiting_ = true;
        pending_ = act;
        return act;
    }
    if (awaiting_) {
        return std::nullopt;
    }
    if (last_error_) {
        error_out();
    }
    busy_ = Busy::No;
    return std::nullopt;
}

std::optional<Action> Processor::continue_exec() {
    const Element& e = source_.element();
    while (!awaiting_ && arg_ < e.args.size()) {
        const TagArg& a = e.args[arg_];
        if (!a.value) {
            break;
        }
        raw_value_ = decode_entities(*a.value);
        Action act = Action::of(Action::Kind::Exec);
        if (a.name == "cmd") {
            // httpd expands into a MAX_STRING_LEN buffer, leaving unknown names.
            target_ = substitute(raw_value_, true).substr(0, 8191);
            act.exec = ExecKind::Cmd;
        } else if (a.name == "cgi") {
            target_ = substitute(raw_value_).substr(0, 8191);
            act.exec = ExecKind::Cgi;
        } else {
            log(LogLevel::Error, "SN01231",
                "unknown parameter " + quoted(a.name) + " to tag exec in " + document_.filename);
            error_out();
            break;
        }
        act.target = target_;
        awaiting_ = true;
        pending_ = act;
        return act;
    }
    if (awaiting_) {
        return std::nullopt;
    }
    busy_ = Busy::No;
    return std::nullopt;
}

void Processor::resume(const IncludeOutcome& outcome) {
    if (!awaiting_) {
        return;
    }
    awaiting_ = false;
    const Element& e = source_.element();
    const std::string& file = document_.filename;
    const std::string& name = e.args[arg_].name;
    ++arg_;
    if (busy_ == Busy::Exec) {
        if (outcome.status == IncludeOutcome::Status::Ok) {
            return;
        }
        if (name == "cmd") {
            log(LogLevel::Error, "SN01229", "execution failure for parameter \"cmd\" to tag exec in file " + file);
        } else {
            log(LogLevel::Error, "SN01230", "invalid CGI ref " + quoted(raw_value_) + " in " + file);
        }
        error_out();
        busy_ = Busy::No;
        return;
    }
    if (outcome.status == IncludeOutcome::Status::Ok) {
        last_error_ = false;
        return;
    }
    const std::string code = std::to_string(outcome.code);
    switch (outcome.status) {
    case IncludeOutcome::Status::SetupFailed:
        log(LogLevel::Error, "SN90011",
            "unable to include " + quoted(raw_value_) + " in parsed file " + file + ", subrequest setup returned " +
                code);
        break;
    case IncludeOutcome::Status::NotText:
        log(LogLevel::Error, "SN90012",
            "unable to include potential exec " + quoted(raw_value_) + " in parsed file " + file +
                ", content type not text/*");
        break;
    default:
        log(LogLevel::Error, "SN90013",
            "unable to include " + quoted(raw_value_) + " in parsed file " + file + ", subrequest returned " + code);
        break;
    }
    if (last_error_) {
        // An onerror target failed too: give up on the element.
        error_out();
        busy_ = Busy::No;
        return;
    }
    last_error_ = true;
}

}  // namespace sonora::modules::filters::ssi
