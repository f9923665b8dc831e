#pragma once

// Wi-Fi channel numbers <-> centre frequencies (IEEE 802.11-2020 clauses 15-19 and 27, Annex E;
// the same rules as Linux's ieee80211_channel_to_freq_khz):
//   2.4 GHz: ch 1-13 = 2407 + 5*ch, ch 14 = 2484
//   5 GHz:   ch 1-181 = 5000 + 5*ch; ch 182-196 = 4000 + 5*ch (4.9 GHz, Japan)
//   6 GHz:   ch 1-233 = 5950 + 5*ch; ch 2 = 5935 (the one channel below the band start)
//   60 GHz:  ch 1-6 = 56160 + 2160*ch
// Pure functions, no I/O.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace airfleet::capture {

enum class Band { k2400, k5000, k6000, k60000 };

struct Channel {
  Band band = Band::k2400;
  int number = 0;
  int freq_mhz = 0;
};

absl::StatusOr<int> ChannelToFrequency(Band band, int number);
// Errors for frequencies off every band's raster.
absl::StatusOr<Channel> FrequencyToChannel(int freq_mhz);

// One entry of a channel plan:
//   "6" (1-14: 2.4 GHz), "36" (15-196: 5 GHz), "2437" (>= 1000: MHz),
//   or an explicit band: "2g:6", "5g:36", "6g:37", "60g:2".
absl::StatusOr<Channel> ParseChannel(std::string_view spec);

// "2g:6 (2437 MHz)"
std::string ChannelName(const Channel& channel);

}  // namespace airfleet::capture
