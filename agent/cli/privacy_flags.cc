#include "absl/strings/str_cat.h"
#include "agent/cli/commands.h"
#include "common/key_file.h"
#include "common/pseudonym.h"

namespace airfleet::cli {

absl::StatusOr<privacy::PrivacyOptions> PrivacyFromFlags(const PrivacyFlags& flags) {
  privacy::PrivacyOptions o;
  if (flags.mode == "off") {
    o.mode = privacy::PrivacyMode::kOff;
  } else if (flags.mode == "pseudonymise" || flags.mode == "pseudonymize") {
    o.mode = privacy::PrivacyMode::kPseudonymise;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--privacy '", flags.mode, "' is not one of off, pseudonymise"));
  }
  if (flags.ssids == "keep") {
    o.ssids = privacy::SsidMode::kKeep;
  } else if (flags.ssids == "hash") {
    o.ssids = privacy::SsidMode::kHash;
  } else if (flags.ssids == "drop") {
    o.ssids = privacy::SsidMode::kDrop;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--privacy-ssids '", flags.ssids, "' is not one of keep, hash, drop"));
  }
  o.keep_vendor_prefix = flags.keep_vendor;
  auto period = pseudonym::ParseRotation(flags.rotate);
  if (!period.ok()) return period.status();
  o.rotation_period_ns = *period;
  if (o.mode == privacy::PrivacyMode::kPseudonymise) {
    if (flags.key_file.empty()) {
      return absl::InvalidArgumentError(
          "--privacy pseudonymise needs --privacy-key-file FILE (create one with: "
          "head -c 32 /dev/urandom > FILE; chmod 600 FILE)");
    }
    auto key = pseudonym::ReadKeyFile(flags.key_file);
    if (!key.ok()) return key.status();
    o.key = std::move(*key);
  }
  // Checks the remaining combinations (e.g. SSID hashing without pseudonymisation).
  if (auto check = privacy::EdgePrivacy::Create(o); !check.ok()) return check.status();
  return o;
}

}  // namespace airfleet::cli
