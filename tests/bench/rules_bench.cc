// bench_rules: rule evaluation time per query for 1, 100 and 1,000 rules, the matching rule
// last, with the prefilter and with a plain scan. Not a test (timing is never asserted); run it
// from a Release build and report the table.
//
//   bench_rules [iterations-per-run]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/runtime.h"
#include "rules/rule_set.h"

namespace {

using rwproxy::config::QueryRuleRow;
using rwproxy::rules::CompileOptions;
using rwproxy::rules::EvalScratch;
using rwproxy::rules::QueryContext;
using rwproxy::rules::RuleSet;

constexpr int kRuns = 50;

// count-1 rules that do not match the query, then the one that does. The non-matching rules
// look like a real routing table: one pattern per table, some per user.
std::vector<QueryRuleRow> ruleSet(int count) {
  std::vector<QueryRuleRow> rows;
  for (int i = 1; i < count; ++i) {
    QueryRuleRow r;
    r.ruleId = i;
    r.active = true;
    r.matchPattern = "^SELECT .* FROM table_" + std::to_string(i) + "\\b";
    if (i % 10 == 0) r.username = "user" + std::to_string(i);
    r.destinationHostgroup = 100 + i;
    r.apply = true;
    rows.push_back(std::move(r));
  }
  QueryRuleRow last;
  last.ruleId = count;
  last.active = true;
  last.matchPattern = "^SELECT .* FROM orders\\b";
  last.destinationHostgroup = 20;
  last.apply = true;
  rows.push_back(std::move(last));
  return rows;
}

QueryContext typicalContext(std::string_view query) {
  QueryContext ctx;
  ctx.query = query;
  ctx.username = "app";
  ctx.schemaname = "shop";
  ctx.clientAddr = "10.0.0.7";
  ctx.proxyAddr = "127.0.0.1";
  ctx.proxyPort = 6033;
  return ctx;
}

// Nanoseconds per evaluate() over one batch.
double batchNs(const RuleSet& set, const QueryContext& ctx, EvalScratch& scratch, int iterations) {
  long sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    sink += set.evaluate(ctx, scratch).destinationHostgroup.value_or(0);
  }
  const auto ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (sink == 42) std::puts("");  // keeps the loop from being optimized away
  return ns / iterations;
}

std::shared_ptr<const RuleSet> compileOrDie(int count, bool prefilter) {
  auto result = RuleSet::compile(ruleSet(count), CompileOptions{.prefilter = prefilter});
  if (!result.ok()) {
    std::fprintf(stderr, "compile failed: %s\n", result.error().message().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

struct Subject {
  int rules;
  bool prefilter;
  std::shared_ptr<const RuleSet> set;
  EvalScratch scratch;
  double best = 1e300;
};

// Runs are interleaved across subjects, and the best batch of each is kept, so that load
// from other processes (shared machines) biases every subject alike.
void measure(std::vector<Subject*>& subjects, const QueryContext& ctx, int iterations, int runs) {
  for (Subject* s : subjects) {
    if (s->set->evaluate(ctx, s->scratch).destinationHostgroup.value_or(-1) != 20) {
      std::fprintf(stderr, "wrong decision with %d rules\n", s->rules);
      std::exit(1);
    }
  }
  for (int run = 0; run < runs; ++run) {
    for (Subject* s : subjects) {
      const int n = s->prefilter ? iterations : std::max(200, iterations / s->rules);
      s->best = std::min(s->best, batchNs(*s->set, ctx, s->scratch, n));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  const std::string_view query =
      "SELECT o.id, o.total, o.created_at FROM orders o WHERE o.customer_id = 4711 "
      "AND o.status = 'open' ORDER BY o.created_at DESC LIMIT 20";
  const QueryContext ctx = typicalContext(query);
  constexpr int kCounts[] = {1, 100, 1000};
  std::vector<Subject> fast;
  std::vector<Subject> plain;
  for (const int count : kCounts) {
    fast.push_back({count, true, compileOrDie(count, true), {}});
    plain.push_back({count, false, compileOrDie(count, false), {}});
  }
  std::vector<Subject*> fastPtrs;
  std::vector<Subject*> plainPtrs;
  for (auto& s : fast) fastPtrs.push_back(&s);
  for (auto& s : plain) plainPtrs.push_back(&s);
  measure(fastPtrs, ctx, iterations, kRuns);
  measure(plainPtrs, ctx, iterations, 3);

  std::printf("query: %zu bytes; best of %d interleaved batches of %d evaluations\n\n",
              query.size(), kRuns, iterations);
  std::printf("%8s  %16s  %16s\n", "rules", "prefilter ns/op", "plain scan ns/op");
  for (size_t i = 0; i < fast.size(); ++i) {
    std::printf("%8d  %16.1f  %16.1f\n", fast[i].rules, fast[i].best, plain[i].best);
  }
  std::printf("\nprefilter 1000/1 ratio: %.2f\n", fast.back().best / fast.front().best);
  return 0;
}
