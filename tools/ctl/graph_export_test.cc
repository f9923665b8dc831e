// Graph rendering: escaping of hostile SSIDs and the edges' shape. Validity against real parsers
// (python xml, graphviz dot) is checked by tests/e2e/test_analytics.py.
#include "tools/ctl/graph_export.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace airfleet::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(GraphEscape, Xml) { EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;"); }

TEST(GraphEscape, DotQuotesQuotesAndBackslashes) {
  EXPECT_EQ(DotQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(DotQuote("x\ny"), "\"x\\ny\"");
}

TEST(GraphEscape, CypherQuotesQuotesAndBackslashes) {
  EXPECT_EQ(CypherQuote("it's\\"), "'it\\'s\\\\'");
}

TEST(GraphEscape, Hex) {
  EXPECT_EQ(HexBytes(std::string("\x00\xff"
                                 "a",
                                 3)),
            "00ff61");
}

v1::GraphResponse Sample() {
  v1::GraphResponse g;
  v1::GraphDevice* ap = g.add_devices();
  ap->set_mac(0x001122334455);
  ap->set_vendor("Acme & Sons <\"x\">");
  ap->set_ap_ssid("corp");
  v1::GraphDevice* phone = g.add_devices();
  phone->set_mac(0x021122334466);
  phone->set_randomised(true);
  phone->set_known("guest");
  phone->set_name("o'brien's \\ phone");
  phone->set_client_bssid(0x001122334455);
  auto* e = phone->add_probes_for();
  e->set_ssid(std::string("bad\xff\x01\"'\\<", 9));
  e->set_probes(3);
  e = phone->add_probes_for();
  e->set_ssid("corp");
  e->set_probes(1);
  return g;
}

TEST(Graph, GraphmlHasNodesEdgesAndNoRawHostileBytes) {
  std::string out = RenderGraph(Sample(), GraphFormat::kGraphml);
  EXPECT_THAT(out, HasSubstr("<node id=\"dev_00:11:22:33:44:55\">"));
  EXPECT_THAT(out, HasSubstr("Acme &amp; Sons &lt;&quot;x&quot;&gt;"));
  EXPECT_THAT(out, HasSubstr("<data key=\"ssid_hex\">626164ff0122275c3c</data>"));
  EXPECT_THAT(out, Not(HasSubstr("\xff")));
  EXPECT_THAT(out, Not(HasSubstr("\x01")));
  EXPECT_THAT(out, HasSubstr("<data key=\"relation\">associated_with</data>"));
  EXPECT_THAT(out, HasSubstr("<data key=\"relation\">announces</data>"));
  EXPECT_THAT(out, HasSubstr("<data key=\"count\">3</data>"));
}

TEST(Graph, DotAndCypherEscapeSsidsAndNames) {
  std::string dot = RenderGraph(Sample(), GraphFormat::kDot);
  // DisplayText: bad\xff\x01"'\\< ; DOT then escapes the quote and both backslash sequences.
  EXPECT_THAT(dot, HasSubstr("label=\"bad\\\\xff\\\\x01\\\"'\\\\\\\\<\""));
  EXPECT_THAT(dot, HasSubstr("-> \"ssid_636f7270\" [relation=\"associated_with\""));
  std::string cypher = RenderGraph(Sample(), GraphFormat::kCypher);
  EXPECT_THAT(cypher, HasSubstr("d.name = 'o\\'brien\\'s \\\\\\\\ phone'"));
  EXPECT_THAT(cypher, HasSubstr("MERGE (d)-[r:PROBES_FOR]->(s) SET r.count = 3;"));
  EXPECT_THAT(cypher,
              HasSubstr("MERGE (d)-[r:ASSOCIATED_WITH]->(s) SET r.bssid = '00:11:22:33:44:55';"));
}

}  // namespace
}  // namespace airfleet::ctl
