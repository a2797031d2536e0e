#include "engine/engine/audit.h"

#include <openssl/evp.h>

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
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xF];
  }
  return hex;
}

// An incremental SHA-256: the chain hash of an event is fed its parts instead of a copy of
// them joined.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, sha256_md(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& operator+=(std::string_view data) {
    EVP_DigestUpdate(ctx_, data.data(), data.size());
    return *this;
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest, &length);
    return hex_of(digest, length);
  }

 private:
  EVP_MD_CTX* ctx_;
};

// Appends the canonical bytes (format v1, audit.h) to `out`: a std::string or a Sha256.
template <typename Sink>
void canonical_to(Sink& out, std::int64_t instance_id, const runtime::Event& e,
                  std::string_view actor, std::string_view payload) {
  out += "pmiflow-event-v1\n";
  for (std::int64_t v : {instance_id, e.seq, static_cast<std::int64_t>(e.type),
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

std::string event_hash(std::string_view prev_hash, std::int64_t instance_id,
                       const runtime::Event& e, std::string_view actor, std::string_view payload) {
  Sha256 h;
  h += prev_hash;
  h += "\n";
  canonical_to(h, instance_id, e, actor, payload);
  return h.hex();
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, sha256_md(), nullptr);
  return hex_of(digest, length);
}

std::string canonical_bytes(std::int64_t instance_id, const runtime::Event& e) {
  std::string out;
  canonical_to(out, instance_id, e, json_text(e.actor.to_json()), json_text(e.payload));
  return out;
}

std::string chain_hash(std::string_view prev_hash, std::string_view canonical) {
  Sha256 h;
  h += prev_hash;
  h += "\n";
  h += canonical;
  return h.hex();
}

EncodedEvent encode(std::int64_t instance_id, std::string prev_hash, const runtime::Event& e) {
  EncodedEvent out{json_text(e.actor.to_json()), json_text(e.payload), std::move(prev_hash), {}};
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
      return bad("event " + std::to_string(e.seq) + " (" + runtime::event_type_name(e.type) +
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
