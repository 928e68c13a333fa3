#pragma once
// Clock reads outside the event loop (which caches its own per turn): both
// through the vDSO, no system call.

#include <time.h>

#include <cstdint>

namespace sonora {

// Milliseconds on CLOCK_MONOTONIC: for deadlines and intervals.
inline std::int64_t monotonic_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Microseconds on CLOCK_REALTIME: the time of day requests and logs carry.
inline std::int64_t wall_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace sonora
