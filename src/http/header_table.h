#pragma once
// The parsed request headers: offsets into the connection buffer, read back as views.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "http/header_id.h"

namespace sonora::http {

// One header line as the parser stores it: offsets relative to the start of the buffer
// that was parsed, so the caller may move its buffer between parser calls.
struct HeaderSlot {
    std::uint32_t name_offset = 0;
    std::uint32_t name_length = 0;
    std::uint32_t value_offset = 0;
    std::uint32_t value_length = 0;
    HeaderId id = HeaderId::kOther;
};

// A header as the request path sees it. Views into the caller's buffer.
struct HeaderField {
    std::string_view name;
    std::string_view value;  // OWS trimmed; obs-folds joined with one SP
    HeaderId id = HeaderId::kOther;
};

// Read-only access to the headers of one request head.
//
// Ownership: refers to caller-provided HeaderSlot storage and to the buffer the head
// was parsed from; both must outlive the table, and the buffer must hold the same bytes
// at `base`. Copying the table is cheap (a few pointers and the first-index array).
// Lookups by HeaderId are O(1) for the first occurrence; by name they are linear.
class HeaderTable {
  public:
    static constexpr std::uint16_t kAbsent = 0xffff;

    HeaderTable() { first_.fill(kAbsent); }

    std::size_t size() const { return count_; }
    HeaderField at(std::size_t index) const;

    // First header with this id (or name), or nullptr when absent.
    // Repeated headers are not combined: walk them with next().
    const HeaderSlot* find(HeaderId id) const;
    const HeaderSlot* find(std::string_view name) const;
    // The occurrence of `id` after `previous` (a pointer returned by find/next), or null.
    const HeaderSlot* next(HeaderId id, const HeaderSlot* previous) const;
    std::size_t count(HeaderId id) const;

    // Convenience: the value of the first occurrence, or empty if absent. Use has() to
    // tell an absent header from an empty one.
    std::string_view value(HeaderId id) const;
    bool has(HeaderId id) const { return first_[static_cast<std::size_t>(id)] != kAbsent; }

    std::string_view name_of(const HeaderSlot& slot) const {
        return {base_ + slot.name_offset, slot.name_length};
    }
    std::string_view value_of(const HeaderSlot& slot) const {
        return {base_ + slot.value_offset, slot.value_length};
    }

    // Used by the parser. `base` is the start of the parsed buffer.
    void reset(std::span<HeaderSlot> storage);
    void rebase(const char* base) { base_ = base; }
    bool push(const HeaderSlot& slot);
    HeaderSlot& back() { return storage_[count_ - 1]; }
    std::size_t capacity() const { return storage_.size(); }

  private:
    const char* base_ = nullptr;
    std::span<HeaderSlot> storage_;
    std::size_t count_ = 0;
    std::array<std::uint16_t, kHeaderIdCount> first_{};
};

}  // namespace sonora::http
