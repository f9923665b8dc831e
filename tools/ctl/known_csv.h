#pragma once

// `airfleetctl known import FILE.csv`: the file format, parsed without I/O.
//
//   mac,name,owner,kind,tags
//   00:11:22:33:44:55,alice-laptop,alice,known,staff;laptop
//   02:aa:bb:cc:dd:ee,visitor phone,,guest,
//
// The header names the columns (any order; mac and name required, owner/kind/tags optional;
// unknown columns are an error so a typo is not silently ignored; "updated" is accepted and
// ignored). kind is "known" (default when
// empty) or "guest"; tags are ';'-separated. Every bad line is reported, not just the first:
// "line 7: 'zz:11:22:33:44:55' is not a MAC address".
//
// `known list -o csv` prints these columns plus "updated", so a listing can be edited and imported.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "airfleet/v1/ingest.pb.h"
#include "common/known_kind.h"

namespace airfleet::ctl {

// INVALID_ARGUMENT with one "line N: ..." per problem (newline-separated, at most 20 then
// "... and K more") when any line is bad; nothing is returned partially.
absl::StatusOr<std::vector<v1::KnownDevice>> ParseKnownCsv(std::string_view text);

// KnownKindName (the inverse of ParseKnownKind) is common/known_kind.h.
// "known" or "" -> KNOWN, "guest" -> GUEST; false otherwise.
bool ParseKnownKind(std::string_view text, v1::KnownKind* kind);

}  // namespace airfleet::ctl
