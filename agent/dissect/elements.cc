#include "agent/dissect/elements.h"

namespace airfleet::dissect {
namespace {

// Element ids.
constexpr uint8_t kIdSsid = 0;
constexpr uint8_t kIdRates = 1;
constexpr uint8_t kIdDs = 3;
constexpr uint8_t kIdTim = 5;
constexpr uint8_t kIdCountry = 7;
constexpr uint8_t kIdHtCaps = 45;
constexpr uint8_t kIdRsn = 48;
constexpr uint8_t kIdExtRates = 50;
constexpr uint8_t kIdInterworking = 107;
constexpr uint8_t kIdMeshId = 114;
constexpr uint8_t kIdExtCaps = 127;
constexpr uint8_t kIdVhtCaps = 191;
constexpr uint8_t kIdVendor = 221;
constexpr uint8_t kIdExtension = 255;
constexpr uint8_t kExtHeCaps = 35;
constexpr uint8_t kExtEhtCaps = 108;

// Minimum lengths of the fixed parts we read.
constexpr size_t kHtCapsLen = 26;
constexpr size_t kVhtCapsLen = 12;
constexpr size_t kHeCapsMinLen = 1 + 6 + 11 + 4;  // ext id, MAC caps, PHY caps, <=80 MHz MCS map
constexpr size_t kEhtCapsMinLen = 1 + 2 + 9;      // ext id, MAC caps, PHY caps

inline uint16_t Le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (static_cast<uint16_t>(p[1]) << 8));
}
inline uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t Le64(const uint8_t* p) {
  return static_cast<uint64_t>(Le32(p)) | (static_cast<uint64_t>(Le32(p + 4)) << 32);
}
inline uint32_t Suite(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Streaming form of H(D) from elements.h: consumes the descriptor in pieces without buffering
// more than one 8-byte word, so it needs no allocation and hashes 8 bytes per step.
class FingerprintHasher {
 public:
  void Byte(uint8_t b) {
    ++total_;
    pending_ |= static_cast<uint64_t>(b) << (8 * npending_);
    if (++npending_ == 8) {
      Mix(pending_);
      pending_ = 0;
      npending_ = 0;
    }
  }
  void Bytes(const uint8_t* p, size_t n) {
    total_ += n;
    // Whole 8-byte chunks: shift-merge them with the pending bytes, one Mix per chunk.
    while (n >= 8) {
      const uint64_t w = Le64(p);
      if (npending_ == 0) {
        Mix(w);
      } else {
        const int used = 8 * npending_;
        Mix(pending_ | (w << used));
        pending_ = w >> (64 - used);
      }
      p += 8;
      n -= 8;
    }
    total_ -= n;  // Byte() counts the tail itself
    while (n > 0) {
      Byte(*p++);
      --n;
    }
  }
  uint64_t Finish() {
    if (npending_ != 0) Mix(pending_);  // the last word, zero-padded
    uint64_t h = h_ ^ total_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h == 0 ? 1 : h;
  }

 private:
  static constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  static constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  void Mix(uint64_t w) { h_ = Rotl(h_ ^ (w * kP2), 31) * kP1; }

  uint64_t h_ = 0x27D4EB2F165667C5ULL;
  uint64_t pending_ = 0;
  int npending_ = 0;
  uint64_t total_ = 0;
};

inline uint8_t Saturating(uint8_t n) { return n == 255 ? n : static_cast<uint8_t>(n + 1); }

// RSN element: version, then optional group cipher, pairwise list, AKM list (a shorter element
// may stop at any field boundary). Returns false when a field is cut in the middle.
bool ParseRsn(const uint8_t* v, size_t n, Elements* out) {
  if (n < 2) return false;
  out->has_rsn = true;
  size_t off = 2;
  if (off == n) return true;
  if (n - off < 4) return false;
  out->rsn_group_cipher = Suite(v + off);
  off += 4;
  for (int list = 0; list < 2; ++list) {
    if (off == n) return true;
    if (n - off < 2) return false;
    const size_t claimed = Le16(v + off);
    off += 2;
    const size_t present = (n - off) / 4;
    const size_t count = claimed < present ? claimed : present;
    uint32_t* suites = list == 0 ? out->rsn_pairwise : out->rsn_akm;
    for (size_t i = 0; i < count && i < 4; ++i) suites[i] = Suite(v + off + 4 * i);
    (list == 0 ? out->rsn_pairwise_count : out->rsn_akm_count) =
        static_cast<uint8_t>(count > 255 ? 255 : count);
    if (claimed > present) return false;
    off += 4 * count;
  }
  // RSN capabilities, PMKIDs and group management cipher follow; nothing we keep.
  return true;
}

void AddRates(const uint8_t* v, size_t n, Elements* out) {
  for (size_t i = 0; i < n && out->num_rates < 16; ++i) out->rates[out->num_rates++] = v[i];
}

}  // namespace

Anomaly ParseElements(const uint8_t* data, size_t len, Elements* out) {
  *out = Elements{};
  Anomaly anomaly = Anomaly::kNone;
  auto note = [&anomaly](Anomaly a) {
    if (anomaly == Anomaly::kNone) anomaly = a;
  };
  if (data == nullptr) return len == 0 ? Anomaly::kNone : Anomaly::kElementOverrun;

  FingerprintHasher hasher;
  size_t off = 0;
  while (off < len) {
    if (len - off < 2) {
      note(Anomaly::kElementOverrun);
      break;
    }
    const uint8_t id = data[off];
    const size_t n = data[off + 1];
    if (len - off - 2 < n) {
      note(Anomaly::kElementOverrun);
      break;
    }
    const uint8_t* v = data + off + 2;
    off += 2 + n;
    if (out->element_count != UINT16_MAX) ++out->element_count;

    hasher.Byte(id);
    switch (id) {
      case kIdSsid:
        if (!out->has_ssid) {
          out->has_ssid = true;
          out->ssid = v;
          out->ssid_len = static_cast<uint8_t>(n);
        }
        if (n > 32) note(Anomaly::kElementMalformed);
        hasher.Byte(0);
        break;
      case kIdRates:
      case kIdExtRates:
        AddRates(v, n, out);
        hasher.Byte(static_cast<uint8_t>(n));
        hasher.Bytes(v, n);
        break;
      case kIdDs:
        if (n >= 1) {
          out->has_ds = true;
          out->ds_channel = v[0];
        } else {
          note(Anomaly::kElementMalformed);
        }
        hasher.Byte(0);
        break;
      case kIdTim:
        if (n >= 4) {
          out->has_tim = true;
        } else {
          note(Anomaly::kElementMalformed);
        }
        hasher.Byte(0);
        break;
      case kIdCountry:
        if (n >= 2) {
          out->has_country = true;
          out->country[0] = static_cast<char>(v[0]);
          out->country[1] = static_cast<char>(v[1]);
        }
        if (n < 3) note(Anomaly::kElementMalformed);
        hasher.Byte(0);
        break;
      case kIdRsn:
        if (!ParseRsn(v, n, out)) note(Anomaly::kElementMalformed);
        hasher.Byte(0);
        break;
      case kIdHtCaps:
      case kIdVhtCaps:
      case kIdExtCaps: {
        hasher.Byte(static_cast<uint8_t>(n));
        hasher.Bytes(v, n);
        if (id == kIdHtCaps && n >= kHtCapsLen) {
          out->has_ht_caps = true;
          out->ht_caps_info = Le16(v);
        } else if (id == kIdVhtCaps && n >= kVhtCapsLen) {
          out->has_vht_caps = true;
          out->vht_caps_info = Le32(v);
        } else if (id == kIdExtCaps && n >= 1) {
          out->has_ext_caps = true;
        } else {
          note(Anomaly::kElementMalformed);
        }
        break;
      }
      case kIdInterworking:
        if (n >= 1) {
          out->has_interworking = true;
          out->interworking_access_network = v[0] & 0x0f;
        } else {
          note(Anomaly::kElementMalformed);
        }
        hasher.Byte(0);
        break;
      case kIdMeshId:
        if (!out->has_mesh_id) {
          out->has_mesh_id = true;
          out->mesh_id = v;
          out->mesh_id_len = static_cast<uint8_t>(n);
        }
        if (n > 32) note(Anomaly::kElementMalformed);
        hasher.Byte(0);
        break;
      case kIdVendor: {
        const size_t k = n < 4 ? n : 4;
        hasher.Byte(static_cast<uint8_t>(k));
        hasher.Bytes(v, k);
        if (n < 3) {
          note(Anomaly::kElementMalformed);
          break;
        }
        if (out->num_vendor < kMaxVendorElements) {
          VendorElement& e = out->vendor[out->num_vendor];
          e.oui = (static_cast<uint32_t>(v[0]) << 16) | (static_cast<uint32_t>(v[1]) << 8) | v[2];
          e.type = n >= 4 ? v[3] : 0;
        }
        out->num_vendor = Saturating(out->num_vendor);
        break;
      }
      case kIdExtension: {
        if (n == 0) {
          hasher.Byte(0);
          note(Anomaly::kElementMalformed);
          break;
        }
        const uint8_t ext = v[0];
        if (ext == kExtHeCaps || ext == kExtEhtCaps) {
          hasher.Byte(static_cast<uint8_t>(n));
          hasher.Bytes(v, n);
          const size_t min_len = ext == kExtHeCaps ? kHeCapsMinLen : kEhtCapsMinLen;
          if (n < min_len) {
            note(Anomaly::kElementMalformed);
          } else if (ext == kExtHeCaps) {
            out->has_he_caps = true;
          } else {
            out->has_eht_caps = true;
          }
        } else {
          hasher.Byte(1);
          hasher.Byte(ext);
        }
        break;
      }
      default:
        hasher.Byte(0);
        break;
    }
  }
  out->fingerprint = out->element_count == 0 ? 0 : hasher.Finish();
  return anomaly;
}

}  // namespace airfleet::dissect
