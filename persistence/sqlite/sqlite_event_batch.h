// Private to persistence/sqlite: the text of an event_batches row, the events of one request
// (docs/storage-format.md, "Event rows"):
//   [{"seq":..,"type":..,"type_version":..,"time_ms":..,"actor":{..},"definition_version":..,
//     "payload":{..},"hash":".."}, ...]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine/audit.h"
#include "engine/runtime/event.h"

namespace pmiflow::persistence::detail {

// Appends one event to a row's text (`row` empty: the first). `encoded` is the event's
// audit::encode(), which gives its actor and payload text and its hash. Close the row with
// "]".
void append_event_to_row(std::string& row, const runtime::Event& event,
                         const audit::EncodedEvent& encoded);

// Appends to `out` the events of one row (`text`) whose seq is within [from_seq, to_seq], in
// stored order, each with its body decoded from the stored payload (runtime::decode_payload)
// and that payload kept (Event::stored_payload). `prev_hash` is the row's prev_hash: each
// event's prev_hash is the hash of the event stored before it. Returns why the row does not
// read as events (it was changed by hand), naming the event, or nothing.
std::optional<std::string> read_batch(std::int64_t instance_id, std::string_view text,
                                      std::int64_t from_seq, std::int64_t to_seq,
                                      std::string prev_hash, std::vector<runtime::Event>& out);

}  // namespace pmiflow::persistence::detail
