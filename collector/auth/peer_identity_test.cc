#include "collector/auth/peer_identity.h"

#include <filesystem>

#include "collector/testing/test_pki.h"
#include "gtest/gtest.h"

namespace airfleet::collector {
namespace {

TEST(PeerIdentityTest, ReadsCnAndRoleFromCertificatesMadeByOpenssl) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "peer_identity_pki";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto pki = testing::TestPki::Create(dir.string());
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto agent = pki->Issue("agent", "pi-kitchen", "agent");
  ASSERT_TRUE(agent.ok()) << agent.status();
  auto identity = PeerIdentityFromPem(agent->cert_pem);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->common_name, "pi-kitchen");
  EXPECT_TRUE(identity->HasRole("agent"));
  EXPECT_FALSE(identity->HasRole("operator"));

  auto no_ou = pki->Issue("plain", "someone", "");
  ASSERT_TRUE(no_ou.ok());
  auto plain = PeerIdentityFromPem(no_ou->cert_pem);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->organizational_units.empty());
  std::filesystem::remove_all(dir);
}

TEST(PeerIdentityTest, RejectsGarbage) {
  EXPECT_EQ(PeerIdentityFromPem("not a certificate").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PeerIdentityFromAuthContext(nullptr).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace airfleet::collector
