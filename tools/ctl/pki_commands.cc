#include "tools/ctl/pki_commands.h"

#include "tools/ctl/exit_codes.h"
#include "tools/pki/pki.h"

namespace airfleet::ctl {
namespace {

constexpr int64_t kNsPerSecond = 1000000000;

int Fail(const absl::Status& status, std::ostream& err) {
  err << "airfleetctl: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunPkiInit(const std::string& dir, bool force, std::ostream& out, std::ostream& err) {
  pki::InitCaOptions options;
  options.force = force;
  auto files = pki::InitCa(dir, options);
  if (!files.ok()) return Fail(files.status(), err);
  out << "created the fleet CA\n"
      << "  certificate: " << files->cert_path
      << " (give it to every agent, collector and operator)\n"
      << "  private key: " << files->key_path << " (mode 0600; keep it off the fleet)\n";
  return kExitOk;
}

int RunPkiIssue(const std::string& dir, const std::string& role, const std::string& name, int days,
                bool force, std::ostream& out, std::ostream& err) {
  auto parsed = pki::ParseRole(role);
  if (!parsed.ok()) return Fail(parsed.status(), err);
  pki::IssueOptions options;
  options.days = days;
  options.force = force;
  auto files = pki::Issue(dir, *parsed, name, options);
  if (!files.ok()) return Fail(files.status(), err);
  out << "issued " << (role == "agent" || role == "operator" ? "an " : "a ") << role
      << " certificate for " << name << " valid for " << days << " days\n"
      << "  certificate: " << files->cert_path << "\n"
      << "  private key: " << files->key_path << " (mode 0600)\n";
  return kExitOk;
}

int RunPkiShow(const std::string& file, Format format, int64_t now_ns, std::ostream& out,
               std::ostream& err) {
  auto id = pki::ReadIdentityFile(file);
  if (!id.ok()) return Fail(id.status(), err);
  int64_t not_after_ns = id->not_after_unix * kNsPerSecond;
  int64_t left_s = id->not_after_unix - now_ns / kNsPerSecond;
  std::string expiry = left_s < 0 ? "EXPIRED " + FormatAge(-left_s * kNsPerSecond) + " ago"
                                  : "in " + FormatAge(left_s * kNsPerSecond);
  nlohmann::ordered_json sans = nlohmann::ordered_json::array();
  for (const auto& dns : id->dns_names) sans.push_back("DNS:" + dns);
  for (const auto& ip : id->ip_addresses) sans.push_back("IP:" + ip);

  Table t;
  t.columns = {{"cn", "CN"},
               {"role", "Role (OU)"},
               {"not_before", "Not before"},
               {"not_after", "Not after"},
               {"expires", "Expires"},
               {"issuer", "Issuer"},
               {"serial", "Serial"},
               {"san", "SAN"}};
  t.rows.push_back(
      {Cell(id->common_name),
       Cell(id->organizational_unit.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(id->organizational_unit)),
       Cell(id->not_before_unix * kNsPerSecond, FormatTime(id->not_before_unix * kNsPerSecond)),
       Cell(not_after_ns, FormatTime(not_after_ns)), Cell(expiry), Cell(id->issuer),
       Cell(id->serial_hex), Cell(sans)});
  WriteRecord(t, format, out);
  return kExitOk;
}

}  // namespace airfleet::ctl
