// Messages: publishing one (`pmiflow message publish`) and what is buffered (`pmiflow messages`).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

struct PublishArgs {
  std::string name;
  std::string key;           // --key: the correlation key
  std::string id;            // --id: the message id (deduplication)
  std::string ttl = "PT1H";  // --ttl: an ISO 8601 duration (PT0S: not buffered)
  std::string dedup_window;  // --dedup-window: default, the engine's (PT24H)
  std::vector<std::string> vars;
  std::vector<std::string> var_files;
};
int cmd_message_publish(const Common& c, const PublishArgs& a, std::ostream& out,
                        std::ostream& err);

// `messages`: the buffered messages, oldest first; with `all`, also those kept only for their
// id's deduplication window.
int cmd_messages(const Common& c, bool all, std::ostream& out, std::ostream& err);

}  // namespace pmiflow::cli
