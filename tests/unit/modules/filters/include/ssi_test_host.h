#pragma once
// A fake request for the SSI engine's tests: variables in a table, files and
// URLs in maps, log lines collected, and a driver that feeds a document in
// chunks and answers Include/Exec actions (an included name ending in .shtml
// is parsed by a nested processor, as a subrequest through INCLUDES would be).

#include "core/strings.h"
#include "modules/filters/include/ssi_processor.h"

#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sonora::modules::filters::ssi::test {

class NullExprContext final : public expr::Context {
public:
    std::string variable(expr::Var) override { return ""; }
    std::optional<std::string> request_header(std::string_view, bool) override { return std::nullopt; }
    std::optional<std::string> response_header(std::string_view) override { return std::nullopt; }
    std::optional<std::string> request_env(std::string_view) override { return std::nullopt; }
    std::optional<std::string> note(std::string_view) override { return std::nullopt; }
    bool subrequest_allowed(std::string_view, bool) override { return true; }
};

class FakeHost final : public SsiHost {
public:
    std::optional<std::string> env_get(std::string_view name) override {
        for (const auto& [k, v] : env) {
            if (equals_nocase(k, name)) {
                return v;
            }
        }
        return std::nullopt;
    }
    void env_set(std::string_view name, std::string_view value) override {
        for (auto& [k, v] : env) {
            if (equals_nocase(k, name)) {
                v = std::string(value);
                return;
            }
        }
        env.emplace_back(std::string(name), std::string(value));
    }
    std::vector<std::pair<std::string, std::string>> env_list() override { return env; }
    std::optional<FileFacts> stat_file(FileRef ref, std::string_view path) override {
        const auto it = files.find((ref == FileRef::File ? "f:" : "v:") + std::string(path));
        if (it == files.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    bool uri_accessible(std::string_view uri) override { return !uri.starts_with("/private"); }
    expr::Context& expr_context() override { return expr_ctx; }
    void log(LogLevel, std::string_view id, std::string_view message) override {
        logs.push_back(std::string(id) + " " + std::string(message));
    }

    std::vector<std::pair<std::string, std::string>> env;
    std::map<std::string, FileFacts> files;  // "f:path" / "v:/url"
    // Included resources: "f:path" / "v:/url" -> body; absent means 404.
    std::map<std::string, std::string> bodies;
    std::map<std::string, std::string> commands;  // exec cmd -> output; absent means failure
    std::vector<std::string> logs;
    std::vector<std::string> requests;  // every Include/Exec target, in order
    NullExprContext expr_ctx;
};

inline Document test_document() {
    Document d;
    d.uri = "/dir/page.shtml";
    d.filename = "/srv/htdocs/dir/page.shtml";
    d.request_time = 1583298367;  // 2020-03-04 05:06:07 UTC
    d.mtime = 1583298367;
    d.owner = "www";
    return d;
}

inline std::string run_document(FakeHost& host, const std::vector<std::string_view>& chunks, Settings settings,
                                Document doc = test_document());

// Answers one Include: the included body, parsed when it is .shtml.
inline IncludeOutcome include_into(FakeHost& host, const Action& a, std::string& out, const Settings& parent) {
    const std::string key = (a.ref == FileRef::File ? "f:" : "v:") + std::string(a.target);
    host.requests.push_back(key);
    const auto it = host.bodies.find(key);
    if (it == host.bodies.end()) {
        return {IncludeOutcome::Status::RunFailed, 404};
    }
    if (a.no_exec && key.ends_with(".cgi")) {
        return {IncludeOutcome::Status::NotText, 0};
    }
    if (key.ends_with(".shtml")) {
        Settings nested = parent;
        nested.nested = true;
        Document d = test_document();
        d.uri = std::string(a.target);
        d.filename = "/srv/htdocs/" + std::string(a.target);
        out += run_document(host, {it->second}, nested, d);
    } else {
        out += it->second;
    }
    return {};
}

// Feeds `chunks` to `p` (none when it replays a scan) and answers its actions.
inline std::string drive(Processor& p, FakeHost& host, const std::vector<std::string_view>& chunks,
                         const Settings& settings) {
    std::string out;
    auto drain = [&](Action::Kind stop) {
        for (;;) {
            const Action a = p.next();
            if (a.kind == stop) {
                return;
            }
            switch (a.kind) {
            case Action::Kind::Output:
                out.append(a.output);
                break;
            case Action::Kind::Include:
                p.resume(include_into(host, a, out, settings));
                break;
            case Action::Kind::Exec: {
                host.requests.push_back("x:" + std::string(a.target));
                const auto it = host.commands.find(std::string(a.target));
                if (it == host.commands.end()) {
                    p.resume({IncludeOutcome::Status::RunFailed, 500});
                } else {
                    out += it->second;
                    p.resume({});
                }
                break;
            }
            default:
                return;
            }
        }
    };
    for (const std::string_view c : chunks) {
        p.feed(c);
        drain(Action::Kind::NeedInput);
    }
    p.finish();
    drain(Action::Kind::Done);
    return out;
}

inline std::string run_document(FakeHost& host, const std::vector<std::string_view>& chunks, Settings settings,
                                Document doc) {
    Processor p(settings, std::move(doc), host);
    return drive(p, host, chunks, settings);
}

// The whole document as one chunk, default settings (ap_expr conditions).
inline std::string run1(FakeHost& host, std::string_view doc, Settings settings = {}) {
    return run_document(host, {doc}, std::move(settings));
}

inline Settings legacy() {
    Settings s;
    s.legacy_expr = true;
    return s;
}

// flastmod and DATE_LOCAL use local time: pin it.
inline void utc() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
}

inline constexpr std::string_view kErr = "[an error occurred while processing this directive]";

}  // namespace sonora::modules::filters::ssi::test
