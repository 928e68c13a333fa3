// libFuzzer target for the ap_expr parser and evaluator. The first input byte
// selects the parse mode (odd: String); the rest is the expression. Inputs
// that parse are evaluated against a fixed fake context whose filesystem and
// environment are in memory, so the fuzzer never touches the real machine.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "expr/eval.h"
#include "expr/parser.h"

namespace {

using sonora::expr::FileInfo;
using sonora::expr::Var;

class FuzzContext : public sonora::expr::Context {
public:
    std::string variable(Var v) override {
        return v == Var::RemoteAddr ? "10.0.0.1" : "/x/y.html";
    }
    std::optional<std::string> request_header(std::string_view name, bool) override {
        if (name.empty()) {
            return std::nullopt;
        }
        return std::string(name) + "-value";
    }
    std::optional<std::string> response_header(std::string_view) override { return "text/html"; }
    std::optional<std::string> request_env(std::string_view name) override {
        return std::string(name);
    }
    std::optional<std::string> note(std::string_view) override { return std::nullopt; }
    bool subrequest_allowed(std::string_view target, bool) override {
        return target.size() % 2 == 0;
    }
    std::optional<std::string> os_env(std::string_view) override { return std::nullopt; }
    std::optional<FileInfo> stat_file(std::string_view path, bool) override {
        if (path.empty()) {
            return std::nullopt;
        }
        FileInfo info;
        info.type = path.back() == '/' ? FileInfo::Type::Directory : FileInfo::Type::Regular;
        info.size = path.size();
        return info;
    }
    std::optional<std::string> read_file(std::string_view path) override {
        return std::string(path);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 4096) {
        return 0;
    }
    auto mode = (data[0] & 1) != 0 ? sonora::expr::ParseMode::String
                                   : sonora::expr::ParseMode::Condition;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto result = sonora::expr::parse(text, mode);
    if (!result.ok()) {
        return 0;
    }
    const auto& expr = result.value();
    (void)expr.dump();
    FuzzContext ctx;
    if (mode == sonora::expr::ParseMode::String) {
        (void)sonora::expr::evaluate_string(expr, ctx);
    } else {
        (void)sonora::expr::evaluate(expr, ctx);
    }
    return 0;
}
