// SqliteStore as the event log: instance ids, appends through the group commit, events.
#include <algorithm>
#include <exception>
#include <new>

#include "engine/engine/audit.h"
#include "persistence/sqlite/sqlite_event_batch.h"
#include "persistence/sqlite/sqlite_store_impl.h"

namespace pmiflow::persistence {

using detail::PendingAppend;
using detail::Query;

namespace {

// The largest block of keys one reservation takes: reservations double from one key (a CLI
// process that starts one instance takes one) up to this (a bulk start takes few).
constexpr std::int64_t kMaxIdBlock = 1024;

Status check_request(const AppendRequest& req) {
  if (req.new_state == nullptr || req.changes == nullptr) {
    return make_error(ErrorCode::kInternal, "append request for instance " +
                                                std::to_string(req.instance_id) +
                                                " without its state or changes");
  }
  if (req.instance_id <= 0) {
    return make_error(ErrorCode::kInternal, "append request without an instance id");
  }
  if (req.create && (req.business_key.process.empty() || req.events.empty() ||
                     req.events.front().type() != runtime::EventType::kInstanceCreated)) {
    return make_error(ErrorCode::kInternal, "creation request for instance " +
                                                std::to_string(req.instance_id) +
                                                " without a process key or InstanceCreated");
  }
  std::int64_t expected = req.expected_seq + 1;
  for (const runtime::Event& e : req.events) {
    if (e.seq != expected) {
      return make_error(ErrorCode::kInternal,
                        "events for instance " + std::to_string(req.instance_id) +
                            " are not dense: expected seq " + std::to_string(expected) +
                            ", found " + std::to_string(e.seq));
    }
    ++expected;
  }
  return {};
}

// Plans a request on the caller's thread (nothing when it is malformed or its head unknown:
// the group writer plans it in its turn, or reports why it cannot be written).
PendingAppend prepare(AppendRequest& req) {
  PendingAppend pending;
  pending.request = &req;
  if (req.message != nullptr) {
    auto publish = detail::prepare_publish(*req.message);
    if (publish.ok()) pending.publish = std::move(*publish);
  }
  if (req.head_hash.empty() || !check_request(req).ok()) return pending;
  try {
    pending.plan = detail::plan_request(req, req.head_hash);
  } catch (const std::exception&) {
    pending.plan.reset();
  }
  return pending;
}

}  // namespace

Result<std::int64_t> SqliteStore::reserve_instance_id() {
  MutexLock lock(impl_->keys_mu);
  return impl_->reserve_key(impl_->instance_ids);
}

Result<std::int64_t> SqliteStore::Impl::reserve_key(KeyBlock& block) {
  if (block.next < block.end) return block.next++;
  try {
    MutexLock lock(mu);
    detail::WriteContext ctx{db, path};
    PMIFLOW_TRY(ctx.run("BEGIN IMMEDIATE"));
    std::optional<std::int64_t> first;
    const std::int64_t size = block.size;
    Status read = each(
        "UPDATE sequences SET next = next + ?1 WHERE name = ?2 RETURNING next - ?1",
        [&](Query& q) { q.bind(1, size).bind(2, block.sequence); },
        [&](const Query& q) { first = q.int64(0); });
    if (read.ok() && !first) {
      read = make_error(ErrorCode::kInternal, "sqlite database '" + path + "': the " +
                                                  block.sequence + " sequence is missing");
    }
    if (read.ok()) read = ctx.run("COMMIT");
    if (!read.ok()) {
      if (db.in_transaction()) db.exec("ROLLBACK");
      return read.error();
    }
    // Not synced: a reservation that a crash loses was used by nothing durable (a later commit
    // never becomes durable before it).
    block.next = *first + 1;
    block.end = *first + size;
    block.size = std::min(size * 2, kMaxIdBlock);
    return *first;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      std::string("reserve a key of ") + block.sequence + ": " + e.what());
  }
}

std::vector<AppendResult> SqliteStore::append_all(std::vector<AppendRequest>& requests) {
  std::vector<AppendResult> results(requests.size());
  if (requests.empty()) return results;
  PendingAppend unit = prepare(requests.front());
  for (std::size_t i = 1; i < requests.size(); ++i) unit.linked.push_back(prepare(requests[i]));
  AppendResult first =
      !impl_->group_commit
          ? AppendResult{make_error(ErrorCode::kIo,
                                    "sqlite database '" + impl_->path + "' was opened read-only"),
                         requests.front().instance_id,
                         false,
                         {}}
          : impl_->group_commit->append(unit);
  results.front() = first;
  for (std::size_t i = 1; i < requests.size(); ++i) {
    if (first.status.ok() && i - 1 < unit.linked_results.size()) {
      results[i] = unit.linked_results[i - 1];
    } else {
      results[i] = AppendResult{first.status.ok()
                                    ? make_error(ErrorCode::kInternal, "linked request not written")
                                    : first.status,
                                requests[i].instance_id,
                                false,
                                {}};
    }
  }
  return results;
}

AppendResult SqliteStore::append(AppendRequest& request) {
  PendingAppend pending = prepare(request);
  if (!impl_->group_commit) {
    return AppendResult{
        make_error(ErrorCode::kIo, "sqlite database '" + impl_->path + "' was opened read-only"),
        request.instance_id,
        false,
        {}};
  }
  return impl_->group_commit->append(pending);
}

std::vector<AppendResult> SqliteStore::append_batch(std::vector<AppendRequest*>& batch,
                                                    const std::function<void()>& committed) {
  std::vector<PendingAppend> pending;
  pending.reserve(batch.size());
  for (AppendRequest* r : batch) pending.push_back(prepare(*r));
  std::vector<PendingAppend*> group;
  group.reserve(pending.size());
  for (PendingAppend& p : pending) group.push_back(&p);
  return impl_->write_group(group, committed);
}

std::vector<AppendResult> SqliteStore::Impl::write_group(std::vector<PendingAppend*>& group,
                                                         const std::function<void()>& committed) {
  std::vector<AppendResult> results(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    results[i].instance_id = group[i]->request->instance_id;
  }
  if (group.empty()) return results;
  // The whole group fails with `e`: acknowledge nothing.
  auto fail_all = [&](const Error& e) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      results[i] = AppendResult{e, group[i]->request->instance_id, false, {}};
    }
    return results;
  };

  std::uint64_t ticket = 0;  // of the commit, when wal_sync makes it durable
  {
    MutexLock lock(mu);
    detail::WriteContext ctx{db, path};
    auto rollback_all = [&](const Error& e) {
      if (ctx.db.in_transaction()) ctx.db.exec("ROLLBACK");
      return fail_all(e);
    };
    try {
      // No SAVEPOINT per request (each would copy every page the request touches into the
      // statement journal): a request that fails before writing anything (a conflict, an
      // unknown instance, an existing business key) simply writes nothing; one that fails
      // after writing (an engine bug: a constraint) makes the transaction roll back and the
      // group be written again without it.
      std::vector<bool> failed(group.size(), false);
      for (bool again = true; again;) {
        again = false;
        if (Status begin = ctx.run("BEGIN IMMEDIATE"); !begin.ok()) {
          return rollback_all(begin.error());
        }
        for (std::size_t i = 0; i < group.size() && !again; ++i) {
          if (failed[i]) continue;
          const auto changes = sqlite3_total_changes64(db.raw());
          Status st;
          try {
            st = apply_unit(ctx, *group[i], results[i]);
          } catch (const std::bad_alloc&) {
            throw;
          } catch (const std::exception& e) {
            st = make_error(
                ErrorCode::kInternal,
                "instance " + std::to_string(group[i]->request->instance_id) + ": " + e.what());
          }
          if (st.ok()) continue;
          if (ctx.fatal) return rollback_all(st.error());
          failed[i] = true;
          results[i] = AppendResult{st, group[i]->request->instance_id, false, {}};
          if (sqlite3_total_changes64(db.raw()) != changes) {
            if (Status undo = ctx.run("ROLLBACK"); !undo.ok()) return rollback_all(undo.error());
            again = true;
          }
        }
      }
      if (Status commit = ctx.run("COMMIT"); !commit.ok()) return rollback_all(commit.error());
    } catch (const std::exception& e) {
      return rollback_all(
          make_error(ErrorCode::kInternal, "sqlite database '" + path + "': append: " + e.what()));
    }
    if (wal_sync) ticket = wal_sync->note_commit();
  }
  if (ticket == 0) return results;
  if (committed) committed();
  if (Status durable = wal_sync->wait_durable(ticket); !durable.ok()) {
    // Committed but not known to be durable: the outcome is unknown, so nothing is reported
    // done (a retried start is idempotent by business key; a retried command finds its task
    // completed or gets kConflict).
    return fail_all(durable.error());
  }
  return results;
}

Status SqliteStore::Impl::apply_unit(detail::WriteContext& ctx, PendingAppend& pending,
                                     AppendResult& out) {
  pending.linked_results.resize(pending.linked.size());
  for (std::size_t i = 0; i <= pending.linked.size(); ++i) {
    PendingAppend& p = i == 0 ? pending : pending.linked[i - 1];
    AppendResult& r = i == 0 ? out : pending.linked_results[i - 1];
    PMIFLOW_TRY(apply_request(ctx, p, r));
    if (!pending.linked.empty() && p.request->create && !r.created) {
      return business_key_taken(p.request->business_key, r.instance_id);
    }
  }
  return {};
}

Status SqliteStore::Impl::apply_request(detail::WriteContext& ctx, PendingAppend& pending,
                                        AppendResult& out) {
  if (pending.request->instance_id == 0 && pending.publish) {
    return apply_publish(ctx, *pending.publish);  // SqliteStore::publish
  }
  const AppendRequest& req = *pending.request;
  PMIFLOW_TRY(check_request(req));
  const std::int64_t id = req.instance_id;
  std::string head = audit::kGenesisHash;  // the chain head the request continues
  if (req.create) {
    constexpr std::string_view sql =
        "SELECT id FROM instances WHERE process = ?1 AND business_id = ?2";
    sqlite3_stmt* stmt = nullptr;
    int rc = db.prepare(sql, stmt);
    if (rc != SQLITE_OK) return ctx.fail(rc, sql);
    Query q(stmt);
    q.bind(1, req.business_key.process).bind(2, req.business_key.id);
    rc = q.step();
    if (rc == SQLITE_ROW) {  // idempotent start: name the existing instance, write nothing
      out.instance_id = q.int64(0);
      out.created = false;
      return {};
    }
    if (rc != SQLITE_DONE) return ctx.fail(rc, sql);
    out.created = true;
  } else {
    constexpr std::string_view sql = "SELECT last_seq, head_hash FROM instances WHERE id = ?1";
    sqlite3_stmt* stmt = nullptr;
    int rc = db.prepare(sql, stmt);
    if (rc != SQLITE_OK) return ctx.fail(rc, sql);
    Query q(stmt);
    q.bind(1, id);
    rc = q.step();
    if (rc == SQLITE_DONE) {
      return make_error(ErrorCode::kNotFound, "instance " + std::to_string(id) + " not found");
    }
    if (rc != SQLITE_ROW) return ctx.fail(rc, sql);
    const std::int64_t last_seq = q.int64(0);
    if (last_seq != req.expected_seq) {
      return make_error(ErrorCode::kConflict, "instance " + std::to_string(id) +
                                                  " changed concurrently (expected seq " +
                                                  std::to_string(req.expected_seq) + ", found " +
                                                  std::to_string(last_seq) + ")");
    }
    head = q.text(1);
  }
  // One correlation per message and process: a message another request correlated to an
  // instance of this process first is a conflict, found before anything is written.
  for (std::int64_t seq : req.changes->correlations) {
    const auto& m = req.events.at(static_cast<std::size_t>(seq - req.events.front().seq))
                        .as<runtime::MessageCorrelated>();
    constexpr std::string_view sql =
        "SELECT instance_id FROM message_correlations WHERE message_key = ?1 AND process = ?2";
    sqlite3_stmt* stmt = nullptr;
    int rc = db.prepare(sql, stmt);
    if (rc != SQLITE_OK) return ctx.fail(rc, sql);
    Query q(stmt);
    q.bind(1, m.message_key).bind(2, req.business_key.process);
    rc = q.step();
    if (rc == SQLITE_ROW) {
      if (req.create) out.created = false;
      return make_error(ErrorCode::kInvalidState,
                        "message " + std::to_string(m.message_key) + " already reached instance " +
                            std::to_string(q.int64(0)) + " of " + req.business_key.process);
    }
    if (rc != SQLITE_DONE) return ctx.fail(rc, sql);
  }
  // The request's message, unless it is a duplicate: then nothing is written.
  if (req.message != nullptr) {
    if (!pending.publish) {
      auto publish = detail::prepare_publish(*req.message);
      if (!publish.ok()) return publish.error();
      pending.publish = std::move(*publish);
    }
    PMIFLOW_TRY(apply_publish(ctx, *pending.publish));
    if (const PublishResult& p = pending.publish->result; !p.created) {
      if (req.create) out.created = false;
      return make_error(ErrorCode::kInvalidState, "message id '" + p.message.message_id +
                                                      "' was already published (message " +
                                                      std::to_string(p.message.key) + ")");
    }
  }
  // The plan made before the store's turn holds when it continues the real head.
  const detail::RequestPlan* plan = pending.plan ? &*pending.plan : nullptr;
  std::optional<detail::RequestPlan> planned;
  if (plan == nullptr || plan->head_before != head) {
    planned = detail::plan_request(req, head);
    plan = &*planned;
  }
  PMIFLOW_TRY(detail::execute(ctx, *plan));
  out.instance_id = id;
  out.head_hash = plan->head_after;
  return {};
}

Result<std::vector<runtime::Event>> SqliteStore::events(std::int64_t instance_id,
                                                        std::int64_t from_seq,
                                                        std::int64_t to_seq) {
  try {
    // On the reader connection: an engine folding an instance it does not cache does not wait
    // for the group writer.
    return impl_->with_reader([&](detail::Connection& c) -> Result<std::vector<runtime::Event>> {
      Impl::ReadTransaction tx(c, impl_->path);
      PMIFLOW_TRY(tx.status());
      bool exists = false;
      PMIFLOW_TRY(impl_->each_on(
          c, "SELECT 1 FROM instances WHERE id = ?1", [&](Query& q) { q.bind(1, instance_id); },
          [&](const Query&) { exists = true; }));
      if (!exists) {
        return make_error(ErrorCode::kNotFound,
                          "instance " + std::to_string(instance_id) + " not found");
      }
      std::vector<runtime::Event> out;
      std::optional<Error> corrupt;
      PMIFLOW_TRY(impl_->each_on(
          c,
          "SELECT first_seq, last_seq, prev_hash, events FROM event_batches "
          "WHERE instance_id = ?1 AND first_seq <= ?3 AND last_seq >= ?2 ORDER BY first_seq",
          [&](Query& q) { q.bind(1, instance_id).bind(2, from_seq).bind(3, to_seq); },
          [&](const Query& q) {
            if (corrupt) return;
            std::string prev_hash = q.text(2);
            if (auto bad =
                    detail::read_batch(instance_id, q.text(3), from_seq, to_seq, prev_hash, out)) {
              corrupt =
                  make_error(ErrorCode::kIo, "sqlite database '" + impl_->path + "': events " +
                                                 std::to_string(q.int64(0)) + " to " +
                                                 std::to_string(q.int64(1)) + " of instance " +
                                                 std::to_string(instance_id) + ": " + *bad);
            }
          }));
      if (corrupt) return *corrupt;
      return out;
    });
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "events of instance " + std::to_string(instance_id) + ": " + e.what());
  }
}

Result<std::optional<std::int64_t>> SqliteStore::find_instance(const runtime::BusinessKey& key) {
  try {
    MutexLock lock(impl_->mu);
    std::optional<std::int64_t> id;
    PMIFLOW_TRY(impl_->each(
        "SELECT id FROM instances WHERE process = ?1 AND business_id = ?2",
        [&](Query& q) { q.bind(1, key.process).bind(2, key.id); },
        [&](const Query& q) { id = q.int64(0); }));
    return id;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("find_instance: ") + e.what());
  }
}

}  // namespace pmiflow::persistence
