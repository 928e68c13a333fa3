#include "http/header_table.h"

namespace sonora::http {

void HeaderTable::reset(std::span<HeaderSlot> storage) {
    storage_ = storage;
    count_ = 0;
    base_ = nullptr;
    first_.fill(kAbsent);
}

bool HeaderTable::push(const HeaderSlot& slot) {
    if (count_ >= storage_.size() || count_ >= kAbsent) {
        return false;
    }
    storage_[count_] = slot;
    auto& first = first_[static_cast<std::size_t>(slot.id)];
    if (first == kAbsent) {
        first = static_cast<std::uint16_t>(count_);
    }
    ++count_;
    return true;
}

HeaderField HeaderTable::at(std::size_t index) const {
    const HeaderSlot& s = storage_[index];
    return {name_of(s), value_of(s), s.id};
}

const HeaderSlot* HeaderTable::find(HeaderId id) const {
    const auto i = first_[static_cast<std::size_t>(id)];
    return i == kAbsent ? nullptr : &storage_[i];
}

const HeaderSlot* HeaderTable::find(std::string_view name) const {
    const HeaderId id = classify_header(name);
    if (id != HeaderId::kOther) {
        return find(id);
    }
    for (std::size_t i = 0; i < count_; ++i) {
        if (storage_[i].id == HeaderId::kOther && equals_token(name_of(storage_[i]), name)) {
            return &storage_[i];
        }
    }
    return nullptr;
}

const HeaderSlot* HeaderTable::next(HeaderId id, const HeaderSlot* previous) const {
    const HeaderSlot* end = storage_.data() + count_;
    for (const HeaderSlot* p = previous + 1; p < end; ++p) {
        if (p->id == id) {
            return p;
        }
    }
    return nullptr;
}

std::size_t HeaderTable::count(HeaderId id) const {
    std::size_t n = 0;
    for (const HeaderSlot* p = find(id); p != nullptr; p = next(id, p)) {
        ++n;
    }
    return n;
}

std::string_view HeaderTable::value(HeaderId id) const {
    const HeaderSlot* s = find(id);
    return s == nullptr ? std::string_view{} : value_of(*s);
}

}  // namespace sonora::http
