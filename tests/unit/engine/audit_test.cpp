// The hash chain's byte format (docs/audit.md, "Canonical bytes, format v1") is pinned: the
// expected hashes were computed outside pmiflow (Python's hashlib over the bytes the format
// describes), so a change to how events are hashed cannot pass unnoticed, and databases and
// archives written before it keep verifying.
#include <gtest/gtest.h>

#include "engine/engine/audit.h"

namespace pmiflow::audit {
namespace {

runtime::Event sample_event() {
  runtime::Event e;
  e.instance_id = 7;
  e.seq = 3;
  e.type = runtime::EventType::kVariablesSet;
  e.type_version = 1;
  e.time_ms = 1700000000000;
  e.definition_version = 2;
  e.actor = runtime::Actor::user("ana", "rector");
  e.payload = {{"element", "A04"},
               {"changes", Json::array({{{"name", "x"}, {"old", nullptr}, {"new", 1}}})}};
  return e;
}

TEST(AuditFormat, CanonicalBytesAndChainHashAreFormatV1) {
  const runtime::Event e = sample_event();
  EXPECT_EQ(canonical_bytes(7, e),
            "pmiflow-event-v1\n7\n3\n8\n1\n1700000000000\n2\n"
            "42:{\"id\":\"ana\",\"kind\":\"user\",\"role\":\"rector\"}\n"
            "61:{\"changes\":[{\"name\":\"x\",\"new\":1,\"old\":null}],\"element\":\"A04\"}");
  const std::string first = "fba4c65acc05d33b2fa979c46e5480077671bf0230b4cdfe93be97800579c85c";
  EXPECT_EQ(chain_hash(kGenesisHash, canonical_bytes(7, e)), first);
  EXPECT_EQ(encode(7, kGenesisHash, e).hash, first);

  std::vector<runtime::Event> two = {e, e};
  two[1].seq = 4;
  EXPECT_EQ(seal(7, kGenesisHash, two),
            "f8d054e90d82e92c2b7a84cd3cee58285f79211d210e978fe1fbddd087f9a35e");
  EXPECT_EQ(two[0].hash, first);
  EXPECT_EQ(two[1].prev_hash, first);
}

}  // namespace
}  // namespace pmiflow::audit
