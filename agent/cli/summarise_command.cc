#include "agent/cli/commands.h"
namespace airfleet::cli {
int RunSummarise(const SummariseOptions&) { return 1; }
}  // namespace airfleet::cli
