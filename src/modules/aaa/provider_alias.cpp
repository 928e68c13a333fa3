#include "modules/aaa/provider_alias.h"

#include "config/engine.h"
#include "config/words.h"
#include "core/strings.h"

namespace sonora::modules::aaa {

CmdResult parse_provider_alias_head(const Cmd& cmd, std::string_view raw, ProviderAliasHead& out) {
    const std::string_view name = cmd.spec().name;
    std::string_view text = trim(raw);
    std::size_t gt = text.rfind('>');
    if (gt == std::string_view::npos) {
        return std::string(name) + "> directive missing closing '>'";
    }
    std::string_view rest = text.substr(0, gt);
    out.base = config::next_word(rest);
    out.alias = config::next_word(rest);
    if (out.base.empty() || out.alias.empty()) {
        return std::string(name) + "> directive requires additional arguments";
    }
    while (!rest.empty()) {
        out.rest.push_back(config::next_word(rest));
    }
    return std::nullopt;
}

std::shared_ptr<ConfigVector> apply_provider_alias_body(Cmd& cmd) {
    auto dir = std::make_shared<ConfigVector>(cmd.engine().generation().new_dir_vector());
    config::Scope body = cmd.scope();
    body.parent = &cmd.scope();
    body.section = &cmd.node();
    body.dir = dir.get();
    body.override = kOrAuthCfg | kAccessConf;
    cmd.engine().process(cmd.node().children, body);
    return dir;
}

}  // namespace sonora::modules::aaa
