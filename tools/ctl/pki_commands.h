#pragma once

// `airfleetctl pki ...`: thin wrappers over tools/pki that print results and return exit codes
// (exit_codes.h). Messages go to `out`, errors to `err` prefixed "airfleetctl: ".

#include <cstdint>
#include <ostream>
#include <string>

#include "tools/ctl/output.h"

namespace airfleet::ctl {

int RunPkiInit(const std::string& dir, bool force, std::ostream& out, std::ostream& err);

int RunPkiIssue(const std::string& dir, const std::string& role, const std::string& name, int days,
                bool force, std::ostream& out, std::ostream& err);

// Prints CN, role (OU), validity, issuer, serial and SANs of a certificate file. `now_ns` is
// used for "expires in N days" / "EXPIRED".
int RunPkiShow(const std::string& file, Format format, int64_t now_ns, std::ostream& out,
               std::ostream& err);

}  // namespace airfleet::ctl
