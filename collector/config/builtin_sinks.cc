// The sink engines compiled into this collector, by their configuration key under `sinks:`.
#include "collector/config/collector_config.h"

namespace airfleet::collector {

SinkParsers BuiltinSinkParsers() { return {}; }

}  // namespace airfleet::collector
