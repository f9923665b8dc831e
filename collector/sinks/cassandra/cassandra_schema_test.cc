// The embedded schema is deploy/cassandra/schema.cql: checked against the file itself (read at test
// time), so the build-time embedding can never drift from the source.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "collector/sinks/cassandra/cassandra_sink.h"
#include "collector/sinks/cassandra/cql_session.h"

namespace airfleet::collector::sinks {
namespace {

using ::testing::HasSubstr;

TEST(CassandraSchemaTest, StatementsComeFromTheCqlFileWithPlaceholdersFilled) {
  CassandraConfig c;
  c.keyspace = "fleet_a";
  c.replication = "{'class': 'NetworkTopologyStrategy', 'dc1': 3}";
  auto statements = SchemaStatements(c);
  ASSERT_TRUE(statements.ok()) << statements.status();
  ASSERT_EQ(statements->size(), 7u);  // keyspace + 5 tables + 1 migration
  EXPECT_THAT((*statements)[0], HasSubstr("CREATE KEYSPACE IF NOT EXISTS fleet_a"));
  EXPECT_THAT((*statements)[0], HasSubstr("'dc1': 3"));
  for (const auto& s : *statements) {
    EXPECT_THAT(s, ::testing::Not(HasSubstr("{{")));
    EXPECT_THAT(s, ::testing::Not(HasSubstr(";")));
  }
  // Every CREATE and ALTER in the source file made it into the embedded copy, migrations last.
  EXPECT_THAT(statements->back(), HasSubstr("ALTER TABLE fleet_a.device_windows ADD"));
  std::ifstream in(std::string(std::getenv("AIRFLEET_SOURCE_DIR")) +
                   "/deploy/cassandra/schema.cql");
  std::stringstream file;
  file << in.rdbuf();
  size_t creates = 0;
  for (const char* what : {"\nCREATE ", "\nALTER "}) {
    for (size_t pos = 0; (pos = file.str().find(what, pos)) != std::string::npos; ++pos) {
      ++creates;
    }
  }
  EXPECT_EQ(creates, statements->size());
}

TEST(CassandraSchemaTest, BadSettingsAreRejectedWithReasons) {
  CassandraConfig c;
  c.keyspace = "drop table x";
  EXPECT_THAT(SchemaStatements(c).status().message(), HasSubstr("keyspace"));
  c = CassandraConfig{};
  c.consistency = "SOMETIMES";
  EXPECT_THAT(MakeCassandraSink(c).status().message(), HasSubstr("SOMETIMES"));
  c = CassandraConfig{};
  c.contact_points = {"host:99999"};
  EXPECT_THAT(MakeCassandraSink(c).status().message(), HasSubstr("bad port"));
  c = CassandraConfig{};
  c.password_file = "/nonexistent/password";
  EXPECT_THAT(MakeCassandraSink(c).status().message(), HasSubstr("/nonexistent/password"));
}

TEST(CassandraSchemaTest, ContactPointForms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(cql::ParseContactPoint("db1", &host, &port).ok());
  EXPECT_EQ(port, 9042);
  ASSERT_TRUE(cql::ParseContactPoint("10.0.0.1:19042", &host, &port).ok());
  EXPECT_EQ(host, "10.0.0.1");
  EXPECT_EQ(port, 19042);
  ASSERT_TRUE(cql::ParseContactPoint("[::1]:9043", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9043);
}

}  // namespace
}  // namespace airfleet::collector::sinks
