// One function per `pmiflow` command. Each returns an exit code (cli.h) and writes its output
// to `out`, its messages to `err`.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/instance_state.h"

namespace pmiflow::cli {

struct Common {
  std::string db;  // --db
  bool json = false;
};

int cmd_validate(const std::vector<std::string>& files, bool json, std::ostream& out,
                 std::ostream& err);
int cmd_deploy(const Common& c, const std::vector<std::string>& files, std::ostream& out,
               std::ostream& err);
int cmd_definitions(const Common& c, std::ostream& out, std::ostream& err);

struct StartArgs {
  std::string process;
  std::string business_id;        // the generic business key...
  std::vector<std::string> tags;  // ... with its tags, name=value
  std::string school;             // or D02.03's shorthand: código DANE and period
  std::string period;
  std::string from_csv;  // start --from-csv FILE: one instance per row (d02_03_commands.h)
  std::vector<std::string> vars;
  std::vector<std::string> var_files;
  std::string user;
};
int cmd_start(const Common& c, const StartArgs& a, std::ostream& out, std::ostream& err);

// --school and --period are D02.03's tags (handlers/d02_03/business_key.h); --tag any tag.
struct InstanceFilter {
  std::optional<std::string> school;
  std::optional<std::string> period;
  std::vector<std::string> tags;  // name=value
  std::optional<std::string> state;
  std::optional<std::string> process;
  std::optional<std::int64_t> parent;  // the children of this instance
};
int cmd_instances(const Common& c, const InstanceFilter& f, std::ostream& out, std::ostream& err);
int cmd_show(const Common& c, const std::string& instance, std::ostream& out, std::ostream& err);

struct TaskFilter {
  std::optional<std::string> role;
  std::optional<std::string> school;
  std::optional<std::string> period;
  std::vector<std::string> tags;  // name=value
};
int cmd_tasks(const Common& c, const TaskFilter& f, std::ostream& out, std::ostream& err);

struct CompleteArgs {
  std::string task;
  std::string role;
  std::string user;
  std::vector<std::string> vars;
  std::vector<std::string> var_files;
};
int cmd_complete(const Common& c, const CompleteArgs& a, std::ostream& out, std::ostream& err);

// Prints the form-js JSON of an open task's form, exactly as deployed with its definition.
int cmd_form(const Common& c, const std::string& task, std::ostream& out, std::ostream& err);

struct DemoArgs {
  std::string db;  // empty: a temporary database, removed at the end
  std::string school = "105001000123";
  std::string period = "2026";
};
int cmd_demo(const DemoArgs& a, std::ostream& out, std::ostream& err);

struct BenchArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int schools = 1000;
  int threads = 128;  // schools in progress at once
  bool fast = false;  // --durability fast
  std::string period = "2026";
};
int cmd_bench(const BenchArgs& a, std::ostream& out, std::ostream& err);

struct BenchTimersArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int timers = 100000;
  int threads = 16;  // starting and firing workers
  bool fast = false;
};
int cmd_bench_timers(const BenchTimersArgs& a, std::ostream& out, std::ostream& err);

struct BenchJobsArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int jobs = 100000;
  int threads = 64;  // starting threads and in-process workers
  bool fast = false;
};
int cmd_bench_jobs(const BenchJobsArgs& a, std::ostream& out, std::ostream& err);

struct BenchCallsArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int calls = 20000;
  int each = 1;      // children per parent; over 1, a parallel multi-instance call activity
  int threads = 64;  // client threads
  bool fast = false;
};
int cmd_bench_calls(const BenchCallsArgs& a, std::ostream& out, std::ostream& err);

struct BenchSeArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int schools = 3000;
  int etcs = 1;      // SE instances; the schools are shared out among that many ETCs
  int threads = 16;  // client threads
  bool fast = false;
};
int cmd_bench_se(const BenchSeArgs& a, std::ostream& out, std::ostream& err);

struct BenchMessagesArgs {
  std::string db;  // empty: a fresh temporary database, removed at the end
  int messages = 100000;
  int threads = 16;  // starting and publishing threads
  bool fast = false;
};
int cmd_bench_messages(const BenchMessagesArgs& a, std::ostream& out, std::ostream& err);

// $USER, else "cli": who acts when --user is not given.
std::string default_user();

// Prints `error: message` and returns the exit code for the error.
int fail(std::ostream& err, const Error& e);

// The tags a filter selects: --tag name=value, with D02.03's --school and --period.
// kInvalidArgument for a --tag without '='.
Result<runtime::Tags> selected_tags(const std::vector<std::string>& tag_args,
                                    const std::optional<std::string>& school,
                                    const std::optional<std::string>& period);

}  // namespace pmiflow::cli
