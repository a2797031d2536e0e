#include "engine/engine/audit.h"

#include <openssl/evp.h>

#include "engine/runtime/event_codec.h"

namespace pmiflow::audit {

namespace {

// SHA-256, fetched once: EVP_Digest with EVP_sha256() looks the algorithm up in the provider on
// every call (OpenSSL 3), which costs more than hashing a typical event.
const EVP_MD* sha256_md() {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256 != nullptr ? kSha256 : EVP_sha256();
}

std::string hex_of(const unsigned char* digest, unsigned int length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xF];
  }
  return hex;
}

}  // namespace

// With one digest context per thread, reused: creating and freeing one per event cost more
// than hashing the event.
std::string sha256_hex(std::string_view data) {
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(c.ctx, sha256_md(), nullptr);
  EVP_DigestUpdate(c.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(c.ctx, digest, &length);
  return hex_of(digest, length);
}

namespace {

// json_text(actor.to_json()), written without making the Json: {"id":..,"kind":..,"role":..}
// in key order, id and role only when not empty.
std::string actor_text(const runtime::Actor& actor) {
  std::string out = "{";
  if (!actor.id.empty()) {
    out += "\"id\":";
    append_json_string(out, actor.id);
    out += ',';
  }
  out += "\"kind\":";
  append_json_string(out, actor.kind);
  if (!actor.role.empty()) {
    out += ",\"role\":";
    append_json_string(out, actor.role);
  }
  out += '}';
  return out;
}

// Appends the canonical bytes (format v1, audit.h) to `out`.
void canonical_to(std::string& out, std::int64_t instance_id, const runtime::Event& e,
                  std::string_view actor, std::string_view payload) {
  out += "pmiflow-event-v1\n";
  for (std::int64_t v : {instance_id, e.seq, static_cast<std::int64_t>(e.type()),
                         static_cast<std::int64_t>(e.type_version), e.time_ms,
                         static_cast<std::int64_t>(e.definition_version)}) {
    out += std::to_string(v);
    out += "\n";
  }
  out += std::to_string(actor.size());
  out += ":";
  out += actor;
  out += "\n";
  out += std::to_string(payload.size());
  out += ":";
  out += payload;
}

// The start of the bytes a chain hash covers, `prev_hash` "\n", in a per-thread buffer: the
// caller appends the canonical bytes and hashes the buffer in one call.
std::string& chain_bytes(std::string_view prev_hash) {
  thread_local std::string bytes;
  bytes.clear();
  bytes += prev_hash;
  bytes += '\n';
  return bytes;
}

std::string event_hash(std::string_view prev_hash, std::int64_t instance_id,
                       const runtime::Event& e, std::string_view actor, std::string_view payload) {
  std::string& bytes = chain_bytes(prev_hash);
  canonical_to(bytes, instance_id, e, actor, payload);
  return sha256_hex(bytes);
}

}  // namespace

std::string canonical_bytes(std::int64_t instance_id, const runtime::Event& e) {
  std::string out;
  canonical_to(out, instance_id, e, actor_text(e.actor), runtime::payload_text(e));
  return out;
}

std::string chain_hash(std::string_view prev_hash, std::string_view canonical) {
  std::string& bytes = chain_bytes(prev_hash);
  bytes += canonical;
  return sha256_hex(bytes);
}

EncodedEvent encode(std::int64_t instance_id, std::string prev_hash, const runtime::Event& e) {
  EncodedEvent out{actor_text(e.actor), runtime::payload_text(e), std::move(prev_hash), {}};
  out.hash = event_hash(out.prev_hash, instance_id, e, out.actor, out.payload);
  return out;
}

std::vector<EncodedEvent> encode_all(std::int64_t instance_id, std::string prev_hash,
                                     const std::vector<runtime::Event>& events) {
  std::vector<EncodedEvent> out;
  out.reserve(events.size());
  for (const auto& e : events) {
    out.push_back(encode(instance_id, std::move(prev_hash), e));
    prev_hash = out.back().hash;
  }
  return out;
}

std::string seal(std::int64_t instance_id, std::string prev_hash,
                 std::vector<runtime::Event>& events) {
  for (auto& e : events) {
    e.hash = encode(instance_id, prev_hash, e).hash;
    e.prev_hash = std::move(prev_hash);
    prev_hash = e.hash;
  }
  return prev_hash;
}

ChainCheck verify_chain(std::int64_t instance_id, const std::vector<runtime::Event>& events,
                        std::string_view head_hash) {
  ChainCheck check;
  std::string prev = kGenesisHash;
  std::int64_t expected_seq = 1;
  for (const auto& e : events) {
    ++check.events;
    auto bad = [&](std::string problem) {
      check.intact = false;
      check.first_bad = e.seq;
      check.problem = std::move(problem);
      return check;
    };
    if (e.seq != expected_seq) {
      if (e.seq > expected_seq) {
        return bad(
            "event " + std::to_string(expected_seq) +
            (e.seq == expected_seq + 1 ? " is" : " to " + std::to_string(e.seq - 1) + " are") +
            " missing (deleted)");
      }
      return bad("event " + std::to_string(e.seq) + " appears after event " +
                 std::to_string(expected_seq - 1) + " (inserted or reordered)");
    }
    if (e.prev_hash != prev) {
      return bad("event " + std::to_string(e.seq) +
                 " does not link to the event before it (prev_hash differs: an event was "
                 "inserted, deleted or reordered before it)");
    }
    if (encode(instance_id, prev, e).hash != e.hash) {
      return bad("event " + std::to_string(e.seq) + " (" + runtime::event_type_name(e.type()) +
                 ") was changed: its content does not match its hash");
    }
    prev = e.hash;
    ++expected_seq;
  }
  if (!head_hash.empty() && head_hash != prev) {
    check.intact = false;
    check.first_bad = expected_seq;
    check.problem = events.empty() ? "the instance has no events but its chain head is set"
                                   : "the chain head does not match the last event " +
                                         std::to_string(expected_seq - 1) +
                                         " (events deleted at the end, or the head was changed)";
  }
  return check;
}

}  // namespace pmiflow::audit
