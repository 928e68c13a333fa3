#pragma once
// Per-module configuration objects and their merge, the C++ form of httpd's
// ap_conf_vector_t + create/merge callbacks.
//
// Every module may own two configuration types:
//   - a per-server type (one per server: the main server and each <VirtualHost>),
//   - a per-directory type (one per section: server defaults, <Directory>,
//     <Location>, <Files>, <If>, and later each .htaccess).
// A ConfigVector holds one object of one level for every module, indexed by the
// module's index (Module::index). Objects are immutable once configuration has
// been read; they are shared between vectors (a merge that changes nothing reuses
// its input), so they are held by shared_ptr<const void>.
//
// Merge contract: a config type T declares every field with an explicit "unset"
// state (std::optional, or an Unset enum value) and provides
//     static T merge(const T& base, const T& add);
// returning "add's field if set, else base's" field by field; list fields say in
// the module's header comment whether they replace or append. The merge of a
// type without that function is "add wins whole".

#include <concepts>
#include <cstddef>
#include <memory>
#include <vector>

namespace sonora {

// How to create and merge one module's configuration type, type-erased so that
// the registry can handle every module alike. Produced by config_ops<T>().
struct ConfigOps {
    std::shared_ptr<void> (*create)() = nullptr;
    std::shared_ptr<void> (*merge)(const void* base, const void* add) = nullptr;
    explicit operator bool() const { return create != nullptr; }
};

template <class T>
concept MergeableConfig = requires(const T& a, const T& b) {
    { T::merge(a, b) } -> std::convertible_to<T>;
};

template <class T>
ConfigOps config_ops() {
    ConfigOps ops;
    ops.create = []() -> std::shared_ptr<void> { return std::make_shared<T>(); };
    ops.merge = [](const void* base, const void* add) -> std::shared_ptr<void> {
        if constexpr (MergeableConfig<T>) {
            return std::make_shared<T>(T::merge(*static_cast<const T*>(base),
                                                *static_cast<const T*>(add)));
        } else {
            (void)base;
            return std::make_shared<T>(*static_cast<const T*>(add));
        }
    };
    return ops;
}

// One configuration object per module for one level (server or directory).
// Slots of modules without a config type of that level are null.
class ConfigVector {
public:
    ConfigVector() = default;
    explicit ConfigVector(std::size_t modules) : slots_(modules) {}

    std::size_t size() const { return slots_.size(); }

    // Typed O(1) access; T must be the type the module registered for this level.
    template <class T>
    const T* get(std::size_t module_index) const {
        return static_cast<const T*>(slots_[module_index].get());
    }
    // Mutable access, only while configuration is being read.
    template <class T>
    T* get_mutable(std::size_t module_index) {
        return static_cast<T*>(slots_[module_index].get());
    }
    void* raw(std::size_t module_index) const { return slots_[module_index].get(); }
    const std::shared_ptr<void>& slot(std::size_t module_index) const { return slots_[module_index]; }
    void set(std::size_t module_index, std::shared_ptr<void> value) {
        slots_[module_index] = std::move(value);
    }

private:
    std::vector<std::shared_ptr<void>> slots_;
};

}  // namespace sonora
