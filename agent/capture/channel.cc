#include "agent/capture/channel.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace airfleet::capture {
namespace {

const char* BandPrefix(Band band) {
  switch (band) {
    case Band::k2400:
      return "2g";
    case Band::k5000:
      return "5g";
    case Band::k6000:
      return "6g";
    case Band::k60000:
      return "60g";
  }
  return "?";
}

}  // namespace

absl::StatusOr<int> ChannelToFrequency(Band band, int n) {
  switch (band) {
    case Band::k2400:
      if (n == 14) return 2484;
      if (n >= 1 && n <= 13) return 2407 + 5 * n;
      break;
    case Band::k5000:
      if (n >= 182 && n <= 196) return 4000 + 5 * n;
      if (n >= 1 && n <= 181) return 5000 + 5 * n;
      break;
    case Band::k6000:
      if (n == 2) return 5935;
      if (n >= 1 && n <= 233) return 5950 + 5 * n;
      break;
    case Band::k60000:
      if (n >= 1 && n <= 6) return 56160 + 2160 * n;
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("channel ", n, " does not exist in the ", BandPrefix(band), " band"));
}

absl::StatusOr<Channel> FrequencyToChannel(int f) {
  Channel c;
  c.freq_mhz = f;
  if (f == 2484) {
    c.band = Band::k2400;
    c.number = 14;
  } else if (f >= 2412 && f <= 2472 && (f - 2407) % 5 == 0) {
    c.band = Band::k2400;
    c.number = (f - 2407) / 5;
  } else if (f >= 4910 && f <= 4980 && f % 5 == 0) {
    c.band = Band::k5000;
    c.number = (f - 4000) / 5;
  } else if (f >= 5005 && f <= 5905 && f % 5 == 0) {
    c.band = Band::k5000;
    c.number = (f - 5000) / 5;
  } else if (f == 5935) {
    c.band = Band::k6000;
    c.number = 2;
  } else if (f >= 5955 && f <= 7115 && f % 5 == 0) {
    c.band = Band::k6000;
    c.number = (f - 5950) / 5;
  } else if (f >= 58320 && f <= 69120 && (f - 56160) % 2160 == 0) {
    c.band = Band::k60000;
    c.number = (f - 56160) / 2160;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(f, " MHz is not the centre frequency of a Wi-Fi channel"));
  }
  return c;
}

absl::StatusOr<Channel> ParseChannel(std::string_view spec_in) {
  absl::string_view spec(spec_in.data(), spec_in.size());
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("channel '", spec, "' is not valid: ", why));
  };
  absl::string_view num = spec;
  bool explicit_band = false;
  Band band = Band::k2400;
  if (auto colon = spec.find(':'); colon != absl::string_view::npos) {
    absl::string_view prefix = spec.substr(0, colon);
    num = spec.substr(colon + 1);
    explicit_band = true;
    if (prefix == "2g") {
      band = Band::k2400;
    } else if (prefix == "5g") {
      band = Band::k5000;
    } else if (prefix == "6g") {
      band = Band::k6000;
    } else if (prefix == "60g") {
      band = Band::k60000;
    } else {
      return bad("the band must be 2g, 5g, 6g or 60g");
    }
  }
  int n = 0;
  if (!absl::SimpleAtoi(num, &n) || n <= 0) {
    return bad("use a channel number (6, 36, 6g:37) or a frequency in MHz (2437)");
  }
  if (!explicit_band) {
    if (n >= 1000) {
      auto c = FrequencyToChannel(n);
      if (!c.ok()) return bad(c.status().message());
      return c;
    }
    band = n <= 14 ? Band::k2400 : Band::k5000;
  }
  auto f = ChannelToFrequency(band, n);
  if (!f.ok()) return bad(f.status().message());
  return Channel{band, n, *f};
}

std::string ChannelName(const Channel& c) {
  return absl::StrCat(BandPrefix(c.band), ":", c.number, " (", c.freq_mhz, " MHz)");
}

}  // namespace airfleet::capture
