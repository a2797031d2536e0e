// The hash chain's byte format (docs/audit.md, "Canonical bytes, format v1") is pinned: the
// expected hashes were computed outside pmiflow (Python's hashlib over the bytes the format
// describes), so a change to how events are hashed cannot pass unnoticed, and databases and
// archives written before it keep verifying.
#include <gtest/gtest.h>

#include "engine/engine/audit.h"
#include "engine/runtime/event_codec.h"

namespace pmiflow::audit {
namespace {

runtime::Event sample_event() {
  runtime::Event e;
  e.instance_id = 7;
  e.seq = 3;
  e.type_version = 1;
  e.time_ms = 1700000000000;
  e.definition_version = 2;
  e.actor = runtime::Actor::user("ana", "rector");
  e.body = runtime::VariablesSet{{{"x", 1, Json()}}, "A04"};
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

// The actor's text is written without nlohmann; it must stay the bytes nlohmann's compact dump
// gives, for every kind of actor and whatever its strings hold, or old events stop verifying.
TEST(AuditFormat, ActorTextIsNlohmannsCompactDump) {
  const std::vector<runtime::Actor> actors = {
      runtime::Actor::engine(),
      runtime::Actor::handler("d02_03.consolidar"),
      runtime::Actor::user("ana", "rector"),
      runtime::Actor::user("ana", ""),
      runtime::Actor::user("", "rector"),
      runtime::Actor{"", "", ""},
      runtime::Actor::user("Nuñez \"el\" \\ jefe\n\t\x01", "Secretaría de Educación"),
      runtime::Actor::user("bad\xff\xfeutf8", "\xc3"),
  };
  for (const runtime::Actor& actor : actors) {
    runtime::Event e = sample_event();
    e.actor = actor;
    const std::string expected =
        e.actor.to_json().dump(-1, ' ', false, Json::error_handler_t::replace);
    EXPECT_EQ(encode(7, kGenesisHash, e).actor, expected) << expected;
    EXPECT_NE(canonical_bytes(7, e).find(std::to_string(expected.size()) + ":" + expected + "\n"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace pmiflow::audit
