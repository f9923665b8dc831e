#pragma once

// The device-to-SSID graph (Admin DeviceGraph answer) as GraphML, Graphviz DOT or Cypher.
// Pure functions of the response.
//
// Graph: device nodes (mac, vendor, randomised, known, name) and SSID nodes; edges
//   device -[probes_for {count}]-> ssid          directed probe requests for that SSID
//   device -[announces]-> ssid                   an access point's beacon / probe-response SSID
//   device -[associated_with {bssid}]-> ssid     a client's BSSID, when that BSSID is a device in
//                                                the graph announcing an SSID
// SSIDs are arbitrary bytes. Each SSID node is identified by the hex of its bytes (`ssid_hex`,
// exact and safe everywhere) and labelled with DisplayText (printable ASCII, others as \xNN), so
// every format stays valid whatever the air carried: XML-escaped in GraphML, quote/backslash
// escaped in DOT and in Cypher string literals.

#include <string>
#include <string_view>

#include "airfleet/v1/analytics.pb.h"

namespace airfleet::ctl {

enum class GraphFormat { kGraphml, kDot, kCypher };

std::string RenderGraph(const v1::GraphResponse& graph, GraphFormat format);

// Escapers, exposed for tests.
std::string XmlEscape(std::string_view text);
std::string DotQuote(std::string_view text);     // with the surrounding double quotes
std::string CypherQuote(std::string_view text);  // with the surrounding single quotes
std::string HexBytes(std::string_view raw);

}  // namespace airfleet::ctl
