// Tamper-evident history: one SHA-256 hash chain per instance (docs/storage-format.md,
// "Hash chain"). Each event's hash covers its canonical bytes and the previous event's hash;
// the instance row keeps the chain head. Stores seal events when they append them; `verify`
// recomputes the chain from the events alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runtime/event.h"

namespace pmiflow::audit {

// The prev_hash of an instance's first event.
inline const std::string kGenesisHash(64, '0');

// SHA-256 of `data` as lowercase hex (OpenSSL libcrypto).
std::string sha256_hex(std::string_view data);

// The bytes an event's hash covers, format v1:
//   "pmiflow-event-v1\n" instance_id "\n" seq "\n" type "\n" type_version "\n" time_ms "\n"
//   definition_version "\n" len(actor) ":" actor "\n" len(payload) ":" payload
// where actor and payload are their compact JSON text (object keys sorted).
std::string canonical_bytes(std::int64_t instance_id, const runtime::Event& event);

// hash = SHA-256(prev_hash "\n" canonical_bytes), hex.
std::string chain_hash(std::string_view prev_hash, std::string_view canonical);

// An event as a store writes it: its actor and payload as the compact JSON text that
// canonical_bytes covers, and its place in the chain. Computing it is most of the CPU an append
// costs, so the engine does it before taking its turn at the store (AppendRequest::encoded).
struct EncodedEvent {
  std::string actor;
  std::string payload;
  std::string prev_hash;
  std::string hash;
};
EncodedEvent encode(std::int64_t instance_id, std::string prev_hash, const runtime::Event& event);

// encode() for each of `events` (seq order), continuing the chain from `prev_hash`.
std::vector<EncodedEvent> encode_all(std::int64_t instance_id, std::string prev_hash,
                                     const std::vector<runtime::Event>& events);

// Sets prev_hash and hash on `events` (seq order), continuing the chain from `prev_hash`.
// Returns the new head.
std::string seal(std::int64_t instance_id, std::string prev_hash,
                 std::vector<runtime::Event>& events);

// What verify found for one instance.
struct ChainCheck {
  bool intact = true;
  std::int64_t events = 0;     // events checked
  std::int64_t first_bad = 0;  // seq of the first event that does not verify (0: none/head)
  std::string problem;         // why, in words: changed, deleted, inserted or reordered
};

// Recomputes the chain of one instance's events (as read, in storage order) and compares the
// last hash with `head_hash` (the instance row's head; empty: not compared).
ChainCheck verify_chain(std::int64_t instance_id, const std::vector<runtime::Event>& events,
                        std::string_view head_hash);

}  // namespace pmiflow::audit
