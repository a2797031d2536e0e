// Commands over what the process produces: its records (reports) and its outbox.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "tools/cli/commands.h"

namespace pmiflow::cli {

int cmd_outbox(const Common& c, const std::optional<std::string>& subprocess, bool all,
               std::ostream& out, std::ostream& err);
int cmd_outbox_ack(const Common& c, const std::string& id, std::ostream& out, std::ostream& err);

struct ReportArgs {
  std::string kind;  // programacion|revision|seguimiento|evaluacion|irregularidades|caracterizacion
  std::string period;
  std::optional<std::string> etc;
  std::string format = "csv";  // csv|json
};
int cmd_report(const Common& c, const ReportArgs& a, std::ostream& out, std::ostream& err);

// RFC 4180 field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& value);

}  // namespace pmiflow::cli
