// The outbox: messages the process queued for other subprocesses, and their acknowledgement.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

// The queued messages (with `all`, the acknowledged ones too): a table in Spanish, a CSV for
// spreadsheets (`csv`, the message's content through the vocabulary) or JSON (c.json).
int cmd_outbox(const Common& c, const std::optional<std::string>& subprocess, bool all, bool csv,
               std::ostream& out, std::ostream& err);
int cmd_outbox_ack(const Common& c, const std::string& id, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
