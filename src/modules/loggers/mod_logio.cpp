// httpd's mod_logio: LogIOTrackTTFB. The byte counters and the time-to-first-byte
// measurement are request-time work that comes with the connection pipeline.

#include "modules/loggers/mod_logio.h"

namespace sonora::modules::loggers {

namespace {

const DirectiveSpec kDirectives[] = {
    {"LogIOTrackTTFB", ArgForm::Flag, kOrAll, 0, ConfLevel::Dir, set_flag<&LogioDirConfig::track_ttfb>,
     "On to measure the time until the first byte of the response is sent (%^FB)"},
};

}  // namespace

Module logio_module{
    .name = "logio_module",
    .source = "mod_logio.c",
    .directives = kDirectives,
    .dir_config = config_ops<LogioDirConfig>(),
    .is_static = true,
};

}  // namespace sonora::modules::loggers
