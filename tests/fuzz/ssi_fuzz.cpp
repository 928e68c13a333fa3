// libFuzzer target for the SSI engine: the input is split in two at a point
// chosen by its first byte and fed as two chunks, under the legacy or the
// ap_expr condition language (second byte); includes and execs answer with
// fixed text. Checks that the engine neither crashes nor loops, that
// splitting never changes the output, and that replaying the recorded scan
// (the document cache's path) gives the output of the live scan.

#include "modules/filters/include/ssi_processor.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace sonora::modules::filters::ssi;

class NullContext final : public sonora::expr::Context {
public:
    std::string variable(sonora::expr::Var) override { return "v"; }
    std::optional<std::string> request_header(std::string_view, bool) override { return std::nullopt; }
    std::optional<std::string> response_header(std::string_view) override { return std::nullopt; }
    std::optional<std::string> request_env(std::string_view) override { return std::nullopt; }
    std::optional<std::string> note(std::string_view) override { return std::nullopt; }
    bool subrequest_allowed(std::string_view, bool) override { return true; }
    std::optional<sonora::expr::FileInfo> stat_file(std::string_view, bool) override { return std::nullopt; }
    std::optional<std::string> read_file(std::string_view) override { return std::nullopt; }
    std::optional<std::string> os_env(std::string_view) override { return std::nullopt; }
};

class Host final : public SsiHost {
public:
    std::optional<std::string> env_get(std::string_view name) override {
        for (const auto& [k, v] : env) {
            if (k == name) {
                return v;
            }
        }
        return std::nullopt;
    }
    void env_set(std::string_view name, std::string_view value) override {
        for (auto& [k, v] : env) {
            if (k == name) {
                v = std::string(value);
                return;
            }
        }
        env.emplace_back(std::string(name), std::string(value));
    }
    std::vector<std::pair<std::string, std::string>> env_list() override { return env; }
    std::optional<FileFacts> stat_file(FileRef, std::string_view path) override {
        if (path.size() % 2 == 0) {
            return std::nullopt;
        }
        return FileFacts{static_cast<std::int64_t>(path.size()) * 1234567, 0};
    }
    bool uri_accessible(std::string_view uri) override { return uri.size() % 2 == 0; }
    sonora::expr::Context& expr_context() override { return ctx; }
    void log(sonora::LogLevel, std::string_view, std::string_view) override {}

    std::vector<std::pair<std::string, std::string>> env;
    NullContext ctx;
};

// With `record`, the scan is recorded into it; with `replay`, it is replayed
// instead of feeding a and b.
std::string run(std::string_view a, std::string_view b, bool legacy,
                std::shared_ptr<const ScannedDocument>* record = nullptr,
                std::shared_ptr<const ScannedDocument> replay = nullptr) {
    Host host;
    Settings settings;
    settings.legacy_expr = legacy;
    settings.exec_available = true;
    Document doc;
    doc.uri = "/f.shtml";
    doc.filename = "/srv/f.shtml";
    Processor p(settings, doc, host);
    std::string out;
    std::size_t steps = 0;
    auto drain = [&](Action::Kind stop) {
        for (;;) {
            if (++steps > 10'000'000) {
                std::abort();  // no progress
            }
            const Action act = p.next();
            if (act.kind == stop) {
                return;
            }
            switch (act.kind) {
            case Action::Kind::Output:
                out.append(act.output);
                break;
            case Action::Kind::Include:
            case Action::Kind::Exec:
                if (act.target.size() % 3 == 0) {
                    p.resume({IncludeOutcome::Status::RunFailed, 404});
                } else {
                    out.append("<inc>");
                    p.resume({});
                }
                break;
            default:
                return;
            }
        }
    };
    if (replay) {
        p.replay(std::move(replay));
    } else {
        if (record != nullptr) {
            p.record(a.size() + b.size());
        }
        p.feed(a);
        drain(Action::Kind::NeedInput);
        p.feed(b);
        drain(Action::Kind::NeedInput);
        p.finish();
    }
    drain(Action::Kind::Done);
    if (record != nullptr) {
        *record = p.take_scan();
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2 || size > 4096) {
        return 0;
    }
    const bool legacy = (data[1] & 1) != 0;
    const std::string_view doc(reinterpret_cast<const char*>(data + 2), size - 2);
    const std::size_t cut = doc.empty() ? 0 : data[0] % (doc.size() + 1);
    const std::string whole = run(doc, {}, legacy);
    std::shared_ptr<const ScannedDocument> scan;
    if (run(doc.substr(0, cut), doc.substr(cut), legacy, &scan) != whole) {
        std::abort();  // chunking changed the output
    }
    if (scan == nullptr || run({}, {}, legacy, nullptr, scan) != whole) {
        std::abort();  // the replay is not the live scan
    }
    return 0;
}
