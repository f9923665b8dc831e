#include "agent/uplink/cert_identity.h"

#include <filesystem>

#include "collector/testing/test_pki.h"
#include "gtest/gtest.h"

namespace airfleet::uplink {
namespace {

TEST(CertIdentityTest, ReadsSubjectCommonName) {
  std::string dir = ::testing::TempDir() + "/cert_identity_test";
  std::filesystem::create_directories(dir);
  auto pki = airfleet::testing::TestPki::Create(dir);
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto cert = pki->Issue("agent", "pi-kitchen-07", "agent");
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto cn = CommonNameFromCertificateFile(cert->cert_path);
  ASSERT_TRUE(cn.ok()) << cn.status();
  EXPECT_EQ(*cn, "pi-kitchen-07");
  EXPECT_EQ(CommonNameFromCertificateFile(dir + "/missing.crt").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CommonNameFromCertificateFile(cert->key_path).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace airfleet::uplink
