#pragma once

// The seam every capture backend sits behind: a capture file being replayed (FileReplaySource)
// or a live monitor-mode interface (LivePcapSource). The run loop pulls packets one at a time and
// hands their bytes to the dissector.
//
// Threading: a PacketSource is used from one thread. Packet::data is owned by the source.

#include <cstdint>

#include "absl/status/statusor.h"

namespace airfleet::capture {

struct Packet {
  int64_t timestamp_ns = 0;   // capture time, unix epoch, nanoseconds
  uint32_t captured_len = 0;  // bytes at `data`
  uint32_t original_len = 0;  // length on the air (>= captured_len unless the file lies)
  int linktype = 0;           // DLT / LINKTYPE_* of this packet's interface
  uint32_t interface_id = 0;  // pcapng interface index within its section; 0 for pcap and live
  // FCS length in bytes at the end of every packet of this interface when the capture says so
  // (pcap linktype field "P" bit, pcapng if_fcslen), or -1 when unknown. 802.11 radio headers
  // usually say more precisely; this is only a hint for headerless linktypes (105, 119).
  int fcs_len = -1;
  const uint8_t* data = nullptr;  // valid until the next Next() on the same source
  // Resume token: file byte offset of the NEXT record, to pass to a file reader's Seek() after a
  // restart. 0 for live sources.
  uint64_t position = 0;
};

struct CaptureCounters {
  uint64_t received = 0;           // packets delivered (file) / pcap_stats ps_recv (live)
  uint64_t dropped_kernel = 0;     // live: ps_drop, no buffer space in the kernel/libpcap ring
  uint64_t dropped_interface = 0;  // live: ps_ifdrop, dropped by the driver / interface
  uint64_t truncated_records = 0;  // records whose captured_len < original_len (snaplen cut)
};

// Sees every packet the capture loop reads, before any filtering or dissection (capture rings).
// Called on the capture thread; must not block.
class PacketTap {
 public:
  virtual ~PacketTap() = default;
  virtual void OnPacket(const Packet& packet) = 0;
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;

  // OK(true): a packet is in *out.
  // OK(false): no packet now. AtEnd() then says why: true = clean end of input (the file is
  //   finished), false = nothing available yet (live capture; call WaitForPacket or do idle work,
  //   e.g. seal windows by wall clock, then call Next again).
  // Error: the source cannot continue. A file cut short mid-record first delivers every whole
  //   record before the cut, then returns DataLossError saying at which byte the file is cut
  //   and how many bytes are missing.
  virtual absl::StatusOr<bool> Next(Packet* out) = 0;

  // True once Next() has returned OK(false) because the input is exhausted. Never true for live.
  virtual bool AtEnd() const = 0;

  // Blocks up to `timeout_ns` until Next() may have a packet. Returns at once for file sources.
  // Spurious wake-ups are allowed; the caller just calls Next() again.
  virtual void WaitForPacket(int64_t timeout_ns) {}

  virtual CaptureCounters Counters() const = 0;
};

}  // namespace airfleet::capture
