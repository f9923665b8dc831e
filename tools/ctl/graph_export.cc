#include "tools/ctl/graph_export.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/mac.h"
#include "tools/ctl/output.h"

namespace airfleet::ctl {
namespace {

struct Edge {
  std::string from_mac;
  std::string to_ssid;  // raw bytes
  std::string relation;
  uint64_t count = 0;  // probes_for
  std::string bssid;   // associated_with
};

struct Graph {
  std::vector<const v1::GraphDevice*> devices;
  std::map<std::string, bool> ssids;  // raw -> present
  std::vector<Edge> edges;
};

std::string MacText(uint64_t mac) { return Mac::FromU64(mac).ToString(); }

Graph Build(const v1::GraphResponse& response) {
  Graph g;
  std::map<uint64_t, std::string> announced;  // AP mac -> its SSID
  for (const auto& d : response.devices()) {
    if (!d.ap_ssid().empty()) announced[d.mac()] = d.ap_ssid();
  }
  for (const auto& d : response.devices()) {
    g.devices.push_back(&d);
    const std::string mac = MacText(d.mac());
    for (const auto& e : d.probes_for()) {
      g.ssids[e.ssid()] = true;
      g.edges.push_back({mac, e.ssid(), "probes_for", e.probes(), ""});
    }
    if (!d.ap_ssid().empty()) {
      g.ssids[d.ap_ssid()] = true;
      g.edges.push_back({mac, d.ap_ssid(), "announces", 0, ""});
    }
    if (auto it = announced.find(d.client_bssid());
        d.client_bssid() != 0 && it != announced.end() && it->first != d.mac()) {
      g.ssids[it->second] = true;
      g.edges.push_back({mac, it->second, "associated_with", 0, MacText(d.client_bssid())});
    }
  }
  return g;
}

std::string DeviceId(const std::string& mac) { return "dev_" + mac; }
std::string SsidId(const std::string& raw) { return "ssid_" + HexBytes(raw); }

std::string GraphMl(const Graph& g) {
  std::string o =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"mac\" for=\"node\" attr.name=\"mac\" attr.type=\"string\"/>\n"
      "  <key id=\"vendor\" for=\"node\" attr.name=\"vendor\" attr.type=\"string\"/>\n"
      "  <key id=\"randomised\" for=\"node\" attr.name=\"randomised\" attr.type=\"boolean\"/>\n"
      "  <key id=\"known\" for=\"node\" attr.name=\"known\" attr.type=\"string\"/>\n"
      "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"ssid\" for=\"node\" attr.name=\"ssid\" attr.type=\"string\"/>\n"
      "  <key id=\"ssid_hex\" for=\"node\" attr.name=\"ssid_hex\" attr.type=\"string\"/>\n"
      "  <key id=\"relation\" for=\"edge\" attr.name=\"relation\" attr.type=\"string\"/>\n"
      "  <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"long\"/>\n"
      "  <key id=\"bssid\" for=\"edge\" attr.name=\"bssid\" attr.type=\"string\"/>\n"
      "  <graph id=\"airfleet\" edgedefault=\"directed\">\n";
  auto data = [&](const char* key, std::string_view value) {
    absl::StrAppend(&o, "      <data key=\"", key, "\">", XmlEscape(value), "</data>\n");
  };
  for (const auto* d : g.devices) {
    const std::string mac = MacText(d->mac());
    absl::StrAppend(&o, "    <node id=\"", DeviceId(mac), "\">\n");
    data("kind", "device");
    data("mac", mac);
    if (!d->vendor().empty()) data("vendor", DisplayText(d->vendor()));
    data("randomised", d->randomised() ? "true" : "false");
    if (!d->known().empty()) data("known", d->known());
    if (!d->name().empty()) data("name", DisplayText(d->name()));
    o += "    </node>\n";
  }
  for (const auto& [raw, _] : g.ssids) {
    absl::StrAppend(&o, "    <node id=\"", SsidId(raw), "\">\n");
    data("kind", "ssid");
    data("ssid", DisplayText(raw));
    data("ssid_hex", HexBytes(raw));
    o += "    </node>\n";
  }
  int n = 0;
  for (const Edge& e : g.edges) {
    absl::StrAppend(&o, "    <edge id=\"e", n++, "\" source=\"", DeviceId(e.from_mac),
                    "\" target=\"", SsidId(e.to_ssid), "\">\n");
    data("relation", e.relation);
    if (e.relation == "probes_for") data("count", absl::StrCat(e.count));
    if (!e.bssid.empty()) data("bssid", e.bssid);
    o += "    </edge>\n";
  }
  o += "  </graph>\n</graphml>\n";
  return o;
}

std::string Dot(const Graph& g) {
  std::string o = "digraph airfleet {\n";
  for (const auto* d : g.devices) {
    const std::string mac = MacText(d->mac());
    std::string label = mac;
    if (!d->name().empty()) absl::StrAppend(&label, "\n", DisplayText(d->name()));
    if (!d->vendor().empty()) absl::StrAppend(&label, "\n", DisplayText(d->vendor()));
    absl::StrAppend(&o, "  ", DotQuote(DeviceId(mac)), " [shape=box, label=", DotQuote(label),
                    ", randomised=", d->randomised() ? "true" : "false",
                    d->known().empty() ? "" : ", known=" + DotQuote(d->known()), "];\n");
  }
  for (const auto& [raw, _] : g.ssids) {
    absl::StrAppend(&o, "  ", DotQuote(SsidId(raw)),
                    " [shape=ellipse, label=", DotQuote(DisplayText(raw)),
                    ", ssid_hex=", DotQuote(HexBytes(raw)), "];\n");
  }
  for (const Edge& e : g.edges) {
    absl::StrAppend(&o, "  ", DotQuote(DeviceId(e.from_mac)), " -> ", DotQuote(SsidId(e.to_ssid)),
                    " [relation=", DotQuote(e.relation));
    if (e.relation == "probes_for") absl::StrAppend(&o, ", count=", e.count, ", label=", e.count);
    if (!e.bssid.empty()) absl::StrAppend(&o, ", bssid=", DotQuote(e.bssid));
    o += "];\n";
  }
  o += "}\n";
  return o;
}

std::string Cypher(const Graph& g) {
  std::string o;
  for (const auto* d : g.devices) {
    absl::StrAppend(&o, "MERGE (d:Device {mac: ", CypherQuote(MacText(d->mac())),
                    "}) SET d.vendor = ", CypherQuote(DisplayText(d->vendor())),
                    ", d.randomised = ", d->randomised() ? "true" : "false",
                    ", d.known = ", CypherQuote(d->known()),
                    ", d.name = ", CypherQuote(DisplayText(d->name())), ";\n");
  }
  for (const auto& [raw, _] : g.ssids) {
    absl::StrAppend(&o, "MERGE (s:SSID {hex: ", CypherQuote(HexBytes(raw)),
                    "}) SET s.name = ", CypherQuote(DisplayText(raw)), ";\n");
  }
  for (const Edge& e : g.edges) {
    absl::StrAppend(&o, "MATCH (d:Device {mac: ", CypherQuote(e.from_mac),
                    "}), (s:SSID {hex: ", CypherQuote(HexBytes(e.to_ssid)), "}) MERGE (d)-[r:",
                    e.relation == "probes_for"  ? "PROBES_FOR"
                    : e.relation == "announces" ? "ANNOUNCES"
                                                : "ASSOCIATED_WITH",
                    "]->(s)");
    if (e.relation == "probes_for") absl::StrAppend(&o, " SET r.count = ", e.count);
    if (!e.bssid.empty()) absl::StrAppend(&o, " SET r.bssid = ", CypherQuote(e.bssid));
    o += ";\n";
  }
  return o;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string DotQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";  // a DOT label line break
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string CypherQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string HexBytes(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string RenderGraph(const v1::GraphResponse& response, GraphFormat format) {
  const Graph g = Build(response);
  switch (format) {
    case GraphFormat::kGraphml:
      return GraphMl(g);
    case GraphFormat::kDot:
      return Dot(g);
    case GraphFormat::kCypher:
      return Cypher(g);
  }
  return "";
}

}  // namespace airfleet::ctl
