// Fuzz target: arbitrary bytes as Accept-* header values and as a type map,
// through mod_negotiation's parsers and its variant selection. The first
// byte picks the LanguagePriority/ForceLanguagePriority shape; the rest is
// split on NUL into Accept, Accept-Language, Accept-Charset, Accept-Encoding,
// Negotiate and a type map. Any crash or sanitizer report is a bug; the
// chosen variant must be one of the candidates.

#include "modules/mappers/mod_negotiation_accept.h"
#include "modules/mappers/mod_negotiation_choose.h"
#include "modules/mappers/mod_negotiation_typemap.h"

#include <cstdint>
#include <cstdlib>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace sonora::modules::mappers::negotiation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const unsigned shape = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::optional<std::string_view> parts[6];
    for (auto& part : parts) {
        if (rest.empty()) {
            break;
        }
        std::size_t nul = rest.find('\0');
        part = rest.substr(0, nul);
        rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    }
    std::pmr::monotonic_buffer_resource arena;
    for (const auto& part : parts) {
        if (part) {
            for (const AcceptItem& item : parse_accept(*part, &arena)) {
                if (item.quality < 0.0f || item.quality > 1.0f) {
                    std::abort();  // a q-value is always within [0, 1]
                }
            }
        }
    }
    std::vector<Variant> variants = {};
    TypeMap map = parse_type_map(parts[5].value_or(std::string_view()), "/fuzz/map.var", &arena);
    variants.assign(map.variants.begin(), map.variants.end());
    AcceptItem html;
    parse_item("text/html; qs=0.9", html);
    Variant fixed;
    fixed.file_name = "fixed.html.en";
    fixed.set_content_type(html);
    fixed.languages = "en,en-gb";
    fixed.bytes = 3;
    variants.push_back(fixed);

    Negotiation neg(&arena);
    neg.read_headers(parts[0], parts[3], parts[2], parts[1]);
    const std::vector<std::string> priority = {"en", "fr", "de-ch"};
    neg.languages.priority = priority;
    neg.languages.prefer = (shape & 1) != 0;
    neg.languages.fallback = (shape & 2) != 0;
    neg.is_transparent = (shape & 4) != 0;
    if (neg.is_transparent) {
        neg.read_negotiate(parts[4], std::nullopt);
    }
    neg.add_default_accepts((shape & 8) != 0);
    Variant* best = nullptr;
    Outcome outcome = best_match(neg, variants, best);
    if (best != nullptr && (best < variants.data() || best >= variants.data() + variants.size())) {
        std::abort();
    }
    negotiated_headers(neg, variants, outcome);
    variant_list_html(variants);
    return 0;
}
