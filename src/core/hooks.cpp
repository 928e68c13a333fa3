#include <sonora/hooks.h>

#include <algorithm>

namespace sonora {

void HookRegistry::add(Phase phase, HookFn fn, HookOrder order) {
    entries_[static_cast<std::size_t>(phase)].push_back(Entry{fn, order, sequence_++});
}

std::vector<HookFn> HookRegistry::frozen(Phase phase) const {
    std::vector<Entry> sorted = entries_[static_cast<std::size_t>(phase)];
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Entry& a, const Entry& b) { return a.order < b.order; });
    std::vector<HookFn> out;
    out.reserve(sorted.size());
    for (const Entry& e : sorted) {
        out.push_back(e.fn);
    }
    return out;
}

}  // namespace sonora
