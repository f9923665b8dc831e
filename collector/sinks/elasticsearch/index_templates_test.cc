#include "collector/sinks/elasticsearch/index_templates.h"

#include <map>

#include "collector/sinks/elasticsearch/bulk_request.h"
#include "collector/sinks/elasticsearch/test_records.h"
#include "gtest/gtest.h"

namespace airfleet::collector::sinks::elasticsearch {
namespace {

using nlohmann::json;

// With `dynamic: strict`, a document field missing from the template is a mapping error in
// production. Walk every field of a fully populated document of each kind and find its mapping.
void ExpectMapped(const json& doc, const json& properties, const std::string& path) {
  for (const auto& [name, value] : doc.items()) {
    ASSERT_TRUE(properties.contains(name)) << path << name << " is not in the template";
    const json& mapping = properties[name];
    if (value.is_object() && mapping.contains("properties")) {
      ExpectMapped(value, mapping["properties"], path + name + ".");
    } else if (value.is_array() && !value.empty() && value[0].is_object()) {
      ExpectMapped(value[0], mapping["properties"], path + name + ".");
    } else if (value.is_object() && mapping.value("type", "") != "geo_point") {
      EXPECT_EQ(mapping.value("dynamic", false), true) << path << name;
    }
  }
}

TEST(IndexTemplates, EveryDocumentFieldIsMapped) {
  std::map<std::string, json> by_name;
  for (auto& t : IndexTemplates("airfleet", 0)) by_name[t.name] = t.body;
  ASSERT_EQ(by_name.size(), 5u);
  for (const Record& r : testing::OneOfEachKind()) {
    std::string index = IndexName(r, "airfleet");
    std::string kind = index.substr(0, index.find('-', 9));  // "airfleet-windows"
    ASSERT_TRUE(by_name.count(kind)) << kind;
    const json& mappings = by_name[kind]["template"]["mappings"];
    EXPECT_EQ(mappings["dynamic"], "strict");
    SCOPED_TRACE(kind);
    ExpectMapped(Document(r), mappings["properties"], "");
  }
}

TEST(IndexTemplates, PatternsReplicasAndTypes) {
  for (auto& t : IndexTemplates("fleet", 2)) {
    EXPECT_EQ(t.body["template"]["settings"]["number_of_replicas"], 2);
    std::string pattern = t.body["index_patterns"][0];
    if (t.name == "fleet-agents") {
      EXPECT_EQ(pattern, "fleet-agents");
    } else {
      EXPECT_EQ(pattern, t.name + "-*");
    }
    const json& props = t.body["template"]["mappings"]["properties"];
    if (props.contains("mac")) {
      EXPECT_EQ(props["mac"]["type"], "keyword");
    }
    if (props.contains("location")) {
      EXPECT_EQ(props["location"]["type"], "geo_point");
    }
    if (props.contains("last_seen")) {
      EXPECT_EQ(props["last_seen"]["type"], "date");
    }
  }
}

}  // namespace
}  // namespace airfleet::collector::sinks::elasticsearch
