#pragma once

// Turns dissected frames into one DeviceWindow per device per window plus ProbeObservations
// (proto/airfleet/v1/summary.proto is the contract for every field).
//
// Time. Windows are aligned: window_start = floor(ts / window) * window, ts being the frame's
// capture timestamp, so replaying a file gives the same output as capturing it live. The
// summariser's clock is its watermark: the largest timestamp seen, or the time given to
// AdvanceTo() (live capture calls it periodically so quiet periods still seal windows). A window
// [s, s + window) is sealed once watermark >= s + window + grace. A frame for a sealed window is
// counted in late_frames and dropped (its window has already been emitted); it is never silently
// lost. Flush() seals every open window (end of a replay, shutdown); afterwards frames for those
// windows are late too.
//
// Attribution (docs/architecture.md "A device"):
//  - The device of a frame is its transmitter, dissect::Frame::Transmitter() (TA, else SA; never
//    a group address).
//  - A control frame with only a receiver address (ACK, CTS) adds to received_only_frames of its
//    receiver, unless that is a group address. A device may thus appear in a window with
//    frames == 0: it is emitted (its presence is information), with offsets 0 and no signal.
//  - Not attributed (counted, never dropped silently): frames whose FCS is bad (bad_fcs), whose
//    MAC header is truncated, whose frame type is reserved, whose radio header is malformed
//    beyond an unknown field, and frames with no attributable address (unattributed).
//    Element anomalies (overrun, malformed) do not stop a frame from counting.
//  counters: frames_in == frames_attributed + late_frames + bad_fcs + unattributed +
//  devices_overflow, always.
//
// Memory is bounded: at most max_devices_per_window devices per open window (frames of further
// new devices are counted in devices_overflow), at most max_probed_ssids directed SSIDs per
// device (further distinct ones raise DeviceWindow.probed_ssids_overflow and get no
// ProbeObservation), and at most grace / window + 2 windows open. Tables are reused from window
// to window, so steady state allocates nothing per frame; only sealing builds protos.
//
// Output order is deterministic: windows by start; within a window DeviceWindows by MAC and
// ProbeObservations by (MAC, SSID bytes).
//
// Threading: not thread-safe; one capture thread owns an instance.

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/dissect/frame.h"
#include "agent/summarise/chunked_vector.h"
#include "agent/summarise/device_state.h"
#include "agent/summarise/slot_index.h"
#include "airfleet/v1/summary.pb.h"

namespace airfleet::summarise {

struct SummariserOptions {
  // Window length; a positive multiple of 1 ms, at most 4294 s (offsets are uint32 us).
  int64_t window_ms = 60'000;
  // How long after its end a window stays open for frames with earlier timestamps (>= 0).
  // Timestamps of one live capture are nearly monotonic, and the budget for capture-to-queryable
  // latency beyond the window is 2 s (docs/architecture.md), so the default is short. Live
  // callers of AdvanceTo(now) should pass now minus their capture buffering delay.
  int64_t grace_ms = 1000;
  uint32_t max_devices_per_window = 50'000;
  uint32_t max_probed_ssids = 16;  // at most 254
  // Devices to make room for up front in each window's tables.
  uint32_t initial_devices = 1024;
};

struct SummariserCounters {
  uint64_t frames_in = 0;
  uint64_t frames_attributed = 0;  // counted towards a device (transmitted or received-only)
  uint64_t late_frames = 0;        // their window was already sealed
  uint64_t bad_fcs = 0;
  uint64_t unattributed = 0;      // truncated header, reserved type, no device address, ...
  uint64_t devices_overflow = 0;  // frames of devices beyond max_devices_per_window
  uint64_t windows_sealed = 0;
  uint64_t device_windows = 0;  // DeviceWindows emitted
  uint64_t probe_observations = 0;

  // Sums (a runner that replaces its summariser on a new window length keeps one total).
  SummariserCounters& operator+=(const SummariserCounters& o) {
    frames_in += o.frames_in;
    frames_attributed += o.frames_attributed;
    late_frames += o.late_frames;
    bad_fcs += o.bad_fcs;
    unattributed += o.unattributed;
    devices_overflow += o.devices_overflow;
    windows_sealed += o.windows_sealed;
    device_windows += o.device_windows;
    probe_observations += o.probe_observations;
    return *this;
  }
};

// One sealed window's output.
struct SealedWindow {
  int64_t window_start_ns = 0;
  uint32_t window_ms = 0;
  std::vector<v1::DeviceWindow> devices;     // ascending MAC
  std::vector<v1::ProbeObservation> probes;  // ascending (MAC, SSID)
};

class WindowSummariser {
 public:
  // Fails with InvalidArgument on options out of range.
  static absl::StatusOr<std::unique_ptr<WindowSummariser>> Create(const SummariserOptions& options);

  // Adds one dissected frame (its timestamp_ns is the capture time). May seal windows.
  void Add(const dissect::Frame& frame);
  // Moves the watermark to now_ns (unix ns) if later, sealing windows whose grace has passed.
  void AdvanceTo(int64_t now_ns);
  // Seals every open window.
  void Flush();

  // Windows sealed since the last call, oldest first.
  std::vector<SealedWindow> TakeSealed();

  const SummariserCounters& counters() const { return counters_; }
  // Open windows right now.
  size_t open_windows() const { return open_.size(); }
  // Heap bytes held by the tables (open windows and the recycled pool), for memory budgets.
  size_t MemoryBytes() const;

  int64_t window_ns() const { return window_ns_; }

 private:
  // (device, subtype key) counts that did not fit in DeviceState's inline slots.
  struct SubtypeSpill {
    uint64_t key;  // mac << 8 | subtype key
    uint32_t count;
  };

  struct Window {
    int64_t start_ns = 0;
    ChunkedVector<DeviceState> devices;
    SlotIndex device_index;
    ChunkedVector<ProbeState> probes;
    SlotIndex probe_index;
    std::vector<SubtypeSpill> spill;
    SlotIndex spill_index;
    // Hashes of (device, SSID) pairs that were over the device's SSID cap, so each distinct
    // one raises the overflow count once. Bounded by max_devices_per_window entries; past that
    // every further over-cap probe counts as new.
    std::vector<uint64_t> overflow_hashes;
    SlotIndex overflow_index;
  };

  WindowSummariser(const SummariserOptions& options, int64_t grace_ns);

  int64_t AlignDown(int64_t ts) const;
  void RaiseWatermark(int64_t ts);
  void SealBefore(int64_t limit_ns);
  Window* OpenWindow(int64_t start_ns);
  DeviceState* FindOrAddDevice(Window* w, uint64_t mac);
  void AddProbeRequest(Window* w, const dissect::Frame& f, DeviceState* d);
  void SpillSubtype(Window* w, uint64_t mac, const dissect::Frame& f);
  void Seal(Window* w);

  SummariserOptions options_;
  int64_t window_ns_;
  int64_t grace_ns_;
  bool any_time_ = false;
  int64_t watermark_ns_ = 0;
  bool any_sealed_ = false;
  int64_t sealed_before_ns_ = 0;               // every window starting before this is sealed
  std::vector<std::unique_ptr<Window>> open_;  // ascending start
  Window* current_ = nullptr;                  // the open window of the last attributed frame
  std::vector<std::unique_ptr<Window>> pool_;  // recycled tables
  std::vector<SealedWindow> sealed_;
  SummariserCounters counters_;
  // Scratch for sealing, kept to reuse its capacity.
  std::vector<uint32_t> order_, probe_order_, spill_order_;
};

}  // namespace airfleet::summarise
