#pragma once
// httpd's mod_logio (compiled in): counts the bytes read and written on each
// connection and, when asked, the time to the first byte of the response; its
// values are logged with %I, %O, %S and %^FB (letters known to log_format.cpp).
//
// Directive: LogIOTrackTTFB On|Off (anywhere; .htaccess when AllowOverride is
// not None). Merge: the nearest section that sets it wins (httpd has no merge
// function for this module: a section that uses the directive replaces the
// parent's record whole, and the record has this one field).

#include <sonora/module.h>

#include <optional>

namespace sonora::modules::loggers {

extern Module logio_module;

struct LogioDirConfig {
    std::optional<bool> track_ttfb;  // unset: Off

    static LogioDirConfig merge(const LogioDirConfig& base, const LogioDirConfig& add) {
        return LogioDirConfig{add.track_ttfb ? add.track_ttfb : base.track_ttfb};
    }
};

}  // namespace sonora::modules::loggers
