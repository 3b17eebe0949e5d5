// tessera-storage-bench: builds a large synthetic history and times what the app does
// at start-up and while browsing it.
//
//   tessera-storage-bench [--dir DIR] [--reuse] [--keep] [--conversations N] [--messages N]
//                         [--long-paths N] [--reply-chars MIN-MAX] [--runs N] [--json]
//
// Messages are 50-200 characters from the user and --reply-chars (default 100-400) from
// the assistant.
//
// Without --dir a temporary folder is used and removed at the end (unless --keep). With
// --reuse an existing DIR/tessera.db is measured as it is. Timings are medians over --runs
// runs with the file in the OS page cache (warm); the first open after a reboot is slower.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "storage/conversation_store.h"
#include "storage/paths.h"
#include "storage/search.h"
#include "storage/storage.h"
#include "storage/transaction.h"

namespace fs = std::filesystem;
using namespace tessera::storage;

namespace {

constexpr const char* kRareWord = "quillwort";

struct Args {
    fs::path dir;
    bool reuse = false, keep = false, json = false;
    int conversations = 10'000;
    std::int64_t messages = 1'000'000;
    int long_paths = 3;  // conversations whose path is 1,000 messages
    int runs = 7;
    std::size_t reply_min = 100, reply_max = 400;
};

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "tessera-storage-bench: %s\n", what.c_str());
    std::exit(1);
}

template <typename T>
T must(DbResult<T> r, const char* what) {
    if (!r.ok()) die(std::string(what) + ": " + r.error().message);
    return std::move(r).value();
}
void must(DbStatus s, const char* what) {
    if (!s.ok()) die(std::string(what) + ": " + s.error().message);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::printf("usage: tessera-storage-bench [--dir DIR] [--reuse] [--keep] [--conversations N] [--messages N]\n"
                        "                             [--long-paths N] [--reply-chars MIN-MAX] [--runs N] [--json]\n"
                        "Builds a synthetic history (default 10,000 conversations, 1,000,000 messages), prints\n"
                        "the median time of each operation over --runs runs (default 7) against a 50 ms target,\n"
                        "and the database size as a ratio of the raw text (target 1.5).\n");
            std::exit(0);
        }
        if (arg == "--dir") a.dir = next();
        else if (arg == "--reuse") a.reuse = true;
        else if (arg == "--keep") a.keep = true;
        else if (arg == "--json") a.json = true;
        else if (arg == "--conversations") a.conversations = std::stoi(next());
        else if (arg == "--messages") a.messages = std::stoll(next());
        else if (arg == "--long-paths") a.long_paths = std::stoi(next());
        else if (arg == "--runs") a.runs = std::stoi(next());
        else if (arg == "--reply-chars") {
            std::string v = next();
            auto dash = v.find('-');
            if (dash == std::string::npos) die("--reply-chars takes MIN-MAX");
            a.reply_min = std::stoul(v.substr(0, dash));
            a.reply_max = std::stoul(v.substr(dash + 1));
            if (a.reply_min == 0 || a.reply_min > a.reply_max) die("--reply-chars: 0 < MIN <= MAX");
        }
        else die("unknown argument " + arg + " (see the comment at the top of storage_bench.cpp)");
    }
    if (a.conversations < a.long_paths + 1 || a.messages < std::int64_t{1000} * a.long_paths + a.conversations)
        die("too few messages for the conversations and long paths asked for");
    return a;
}

// Words: made-up syllable words with Zipf-like frequencies, so the FTS index sees a
// realistic mix of very common and rare terms.
class TextGen {
public:
    explicit TextGen(std::uint64_t seed) : rng_(seed) {
        const char* syllables[] = {"ka", "lo", "mi", "ne", "tor", "an", "el", "ris", "ut", "po", "qua", "sen",
                                   "dra", "vi", "mo", "ter", "in", "gal", "ber", "ox", "ly", "she", "tha", "ca"};
        std::uniform_int_distribution<int> syl(0, 23), count(1, 4);
        double total = 0;
        for (int i = 0; i < 20'000; ++i) {
            std::string w;
            int n = i < 100 ? 1 + i % 2 : count(rng_);
            for (int k = 0; k < n; ++k) w += syllables[syl(rng_)];
            words_.push_back(w);
            total += 1.0 / (i + 1.0);
            cumulative_.push_back(total);
        }
        for (double& c : cumulative_) c /= total;
    }
    const std::string& word(int rank) const { return words_[static_cast<std::size_t>(rank)]; }
    std::string text(std::size_t min_len, std::size_t max_len) {
        std::uniform_int_distribution<std::size_t> len(min_len, max_len);
        std::uniform_real_distribution<double> u(0, 1);
        const std::size_t target = len(rng_);
        std::string out;
        bool sentence_start = true;
        while (out.size() < target) {
            auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u(rng_));
            std::string w = words_[static_cast<std::size_t>(std::min<std::ptrdiff_t>(
                it - cumulative_.begin(), static_cast<std::ptrdiff_t>(words_.size()) - 1))];
            if (sentence_start) w[0] = static_cast<char>(w[0] - 'a' + 'A');
            if (!out.empty()) out += ' ';
            out += w;
            sentence_start = u(rng_) < 0.08;
            if (sentence_start) out += '.';
        }
        return out;
    }
    std::mt19937_64& rng() { return rng_; }

private:
    std::mt19937_64 rng_;
    std::vector<std::string> words_;
    std::vector<double> cumulative_;
};

struct Generated {
    std::int64_t raw_text_bytes = 0;
    std::int64_t messages = 0;
    std::int64_t long_leaf = 0;
    double seconds = 0;
};

Generated generate(const Args& a, Database& db, TextGen& gen) {
    auto start = std::chrono::steady_clock::now();
    Generated g;
    must(db.exec("PRAGMA synchronous=OFF; PRAGMA cache_size=-262144"), "pragmas");
    // Conversation sizes: long_paths of exactly 1,000 messages, the rest random around the mean.
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(a.conversations));
    const std::int64_t rest = a.messages - std::int64_t{1000} * a.long_paths;
    const int short_count = a.conversations - a.long_paths;
    const std::int64_t mean = rest / short_count;
    std::uniform_int_distribution<std::int64_t> around(std::max<std::int64_t>(1, mean / 10), 2 * mean - mean / 10);
    std::int64_t sum = 0;
    for (int i = 0; i < short_count; ++i) sum += sizes[static_cast<std::size_t>(i)] = around(gen.rng());
    std::uniform_int_distribution<int> pick(0, short_count - 1);
    while (sum != rest) {  // nudge to the exact total
        auto& s = sizes[static_cast<std::size_t>(pick(gen.rng()))];
        if (sum < rest) { ++s; ++sum; } else if (s > 1) { --s; --sum; }
    }
    // The long ones spread through the list.
    for (int i = 0; i < a.long_paths; ++i) {
        auto at = static_cast<std::size_t>((i + 1) * a.conversations / (a.long_paths + 1));
        sizes.insert(sizes.begin() + static_cast<std::ptrdiff_t>(at), 1000);
        sizes.pop_back();
    }
    std::int64_t check = 0;
    for (auto s : sizes) check += s;
    if (check != a.messages) {  // pop_back removed a short one: put its messages back on another
        sizes[0] += a.messages - check;
    }

    auto conv = must(db.prepare("INSERT INTO conversations (title, created_at, updated_at, model) VALUES (?, ?, ?, ?)"),
                     "prepare");
    auto msg = must(db.prepare("INSERT INTO messages (conversation_id, parent_id, sibling_index, role, content, "
                               "state, model, completion_tokens, tokens_per_second, created_at) "
                               "VALUES (?, ?, ?, ?, tessera_pack(?), 'complete', ?, ?, ?, ?)"),  // as the store does
                    "prepare");
    auto leaf = must(db.prepare("UPDATE conversations SET current_leaf_id = ? WHERE id = ?"), "prepare");
    std::uniform_real_distribution<double> u(0, 1);
    const std::int64_t year_ms = std::int64_t{365} * 24 * 3600 * 1000;
    const std::int64_t base = 1'700'000'000'000;
    std::int64_t in_batch = 0;
    std::optional<Transaction> tx;
    int rare_left = 5;
    for (std::size_t c = 0; c < sizes.size(); ++c) {
        if (!tx) tx.emplace(must(Transaction::begin(db), "begin"));
        const std::int64_t created = base + static_cast<std::int64_t>(u(gen.rng()) * year_ms);
        std::string title = gen.text(15, 45);
        g.raw_text_bytes += static_cast<std::int64_t>(title.size());
        const bool is_long = sizes[c] == 1000;
        const std::int64_t n = sizes[c];
        must(conv.bind_all(title, created, created + n * 30'000, "nemotron-51b-q4"), "bind");
        must(conv.run(), "insert conversation");
        conv.reset();
        const std::int64_t cid = db.last_insert_rowid();
        std::optional<std::int64_t> parent, previous, previous_parent;
        std::int64_t previous_index = 0;
        for (std::int64_t k = 0; k < n; ++k) {
            // 3% of replies are regenerations: a sibling of the previous message.
            const bool sibling = !is_long && previous && k % 2 == 0 && u(gen.rng()) < 0.03;
            std::optional<std::int64_t> p = sibling ? previous_parent : parent;
            const std::int64_t index = sibling ? previous_index + 1 : 0;
            const bool user = k % 2 == 0;
            std::string text = user ? gen.text(50, 200) : gen.text(a.reply_min, a.reply_max);
            if (rare_left > 0 && c % 1999 == 7 && k == 3) {
                text += std::string(" ") + kRareWord;
                --rare_left;
            }
            g.raw_text_bytes += static_cast<std::int64_t>(text.size());
            must(msg.bind_all(cid, p, index, user ? "user" : "assistant", text,
                              user ? std::optional<std::string>() : std::optional<std::string>("nemotron-51b-q4"),
                              user ? std::optional<std::int64_t>() : std::optional<std::int64_t>(80),
                              user ? std::optional<double>() : std::optional<double>(23.5), created + k * 30'000),
                 "bind");
            must(msg.run(), "insert message");
            msg.reset();
            const std::int64_t id = db.last_insert_rowid();
            previous_parent = p;
            previous_index = index;
            previous = id;
            parent = id;
            ++g.messages;
        }
        must(leaf.bind_all(*parent, cid), "bind");
        must(leaf.run(), "set leaf");
        leaf.reset();
        if (is_long && g.long_leaf == 0) g.long_leaf = *parent;
        in_batch += n;
        if (in_batch >= 50'000 || c + 1 == sizes.size()) {
            must(tx->commit(), "commit");
            tx.reset();
            in_batch = 0;
            std::fprintf(stderr, "\r  generated %lld / %lld messages", static_cast<long long>(g.messages),
                         static_cast<long long>(a.messages));
        }
    }
    std::fprintf(stderr, "\n");
    must(db.exec("INSERT INTO messages_fts(messages_fts) VALUES ('optimize'); PRAGMA wal_checkpoint(TRUNCATE)"),
         "optimize");
    g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return g;
}

struct Timing {
    std::string name;
    std::vector<double> ms;
    std::string note;
    double median() const {
        auto v = ms;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

double time_ms(const std::function<void()>& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    Args a = parse(argc, argv);
    const bool temporary = a.dir.empty();
    if (temporary) a.dir = fs::temp_directory_path() / ("tessera-storage-bench-" + std::to_string(::getpid()));
    fs::create_directories(a.dir);
    const fs::path db_path = database_path(a.dir);
    StorageOptions options;
    options.data_dir = a.dir;

    TextGen gen(42);
    Generated g;
    if (!(a.reuse && fs::exists(db_path))) {
        fs::remove(db_path);
        options.startup_check = StartupCheck::skip;
        auto opened = must(open_storage(options), "create");
        std::fprintf(stderr, "generating %d conversations, %lld messages into %s\n", a.conversations,
                     static_cast<long long>(a.messages), db_path.c_str());
        g = generate(a, opened.db, gen);
        must(close_storage(opened), "close");
    }

    std::vector<Timing> timings;
    auto open_runs = [&](StartupCheck check, const char* name) {
        Timing t{name, {}, {}};
        bool checked = false;
        for (int r = 0; r < a.runs; ++r) {
            options.startup_check = check;
            OpenedStorage opened;
            t.ms.push_back(time_ms([&] { opened = must(open_storage(options), "open"); }));
            checked = opened.report.integrity_checked;
            must(close_storage(opened), "close");
        }
        t.note = checked ? "quick_check ran" : "quick_check skipped (clean exit marker)";
        timings.push_back(std::move(t));
    };
    open_runs(StartupCheck::quick_check, "open, quick_check always");
    open_runs(StartupCheck::after_unclean_shutdown, "open, check after unclean exit (default)");

    options.startup_check = StartupCheck::skip;
    auto opened = must(open_storage(options), "open");
    ConversationStore store(opened.db);
    if (g.long_leaf == 0) {
        g.long_leaf = must(opened.db.query_int("SELECT m.id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM messages c "
                                               "WHERE c.parent_id = m.id) AND (SELECT count(*) FROM messages x WHERE "
                                               "x.conversation_id = m.conversation_id) = 1000 LIMIT 1"),
                           "find a long path");
    }
    auto run = [&](const std::string& name, const std::function<std::string()>& f) {
        Timing t{name, {}, {}};
        for (int r = 0; r < a.runs; ++r) {
            std::string note;
            t.ms.push_back(time_ms([&] { note = f(); }));
            t.note = note;
        }
        timings.push_back(std::move(t));
    };
    run("list 200 most recent conversations", [&] {
        return std::to_string(must(store.recent_conversations(200), "list").size()) + " rows";
    });
    run("load a 1,000-message path", [&] {
        return std::to_string(must(store.path_to(g.long_leaf), "path").size()) + " messages";
    });
    const std::string common = gen.word(0), medium = gen.word(60);
    auto matches = [&](const std::string& w) {
        return must(opened.db.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", w), "count");
    };
    const auto common_n = matches(common), medium_n = matches(medium), rare_n = matches(kRareWord);
    for (auto [word, n, label] : {std::tuple{common, common_n, "common"}, std::tuple{medium, medium_n, "medium"},
                                  std::tuple{std::string(kRareWord), rare_n, "rare"}}) {
        run(std::string("search, ") + label + " word \"" + word + "\"", [&, w = word, n = n] {
            return std::to_string(must(search(opened.db, w), "search").size()) + " hits of " + std::to_string(n) +
                   " matching messages";
        });
    }
    // Search as you type: the last word is a prefix. Three letters use the index's prefix
    // index; longer prefixes are expanded term by term by FTS5; shorter ones are words.
    std::string long_common;
    for (int rank = 0; rank < 1000 && long_common.empty(); ++rank)
        if (gen.word(rank).size() >= 6) long_common = gen.word(rank);
    for (auto [prefix, label] : {std::pair{long_common.substr(0, 3), "3-letter prefix of a frequent word"},
                                 std::pair{long_common.substr(0, 4), "4-letter prefix of a frequent word"}}) {
        const auto n = must(opened.db.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?",
                                                "\"" + prefix + "\"*"),
                            "count");
        run(std::string("  search_messages only, ") + label + " \"" + prefix + "\"", [&, p = prefix, n = n] {
            return std::to_string(must(search_messages(opened.db, p), "search").size()) + " hits of " +
                   std::to_string(n) + " matching messages";
        });
    }
    // search() lists title hits first and fills up with messages only when fewer than 50
    // titles match; search_messages() is that message part alone (the expensive one).
    for (auto [word, n, label] : {std::tuple{common, common_n, "common"}, std::tuple{medium, medium_n, "medium"},
                                  std::tuple{std::string(kRareWord), rare_n, "rare"}}) {
        run(std::string("  search_messages only, ") + label + " word \"" + word + "\"", [&, w = word, n = n] {
            return std::to_string(must(search_messages(opened.db, w), "search").size()) + " hits of " +
                   std::to_string(n) + " matching messages";
        });
    }
    must(close_storage(opened), "close");

    const auto db_bytes = static_cast<std::int64_t>(fs::file_size(db_path));
    if (g.raw_text_bytes == 0) {
        auto o = must(open_storage(options), "open");
        g.raw_text_bytes = must(o.db.query_int("SELECT (SELECT sum(length(CAST(tessera_text(content) AS BLOB))) FROM messages) + "
                                               "(SELECT sum(length(CAST(title AS BLOB))) FROM conversations)"),
                                "sum");
        must(close_storage(o), "close");
    }
    const double ratio = static_cast<double>(db_bytes) / static_cast<double>(g.raw_text_bytes);

    std::printf("\nTessera storage benchmark: %s\n", db_path.c_str());
    if (g.seconds > 0)
        std::printf("generated %lld messages in %.1f s\n", static_cast<long long>(g.messages), g.seconds);
    std::printf("%-58s %10s %10s %10s  %s\n", "operation (target < 50 ms)", "median ms", "min ms", "max ms", "");
    for (const Timing& t : timings) {
        auto v = t.ms;
        std::sort(v.begin(), v.end());
        std::printf("%-58s %10.2f %10.2f %10.2f  %s %s\n", t.name.c_str(), t.median(), v.front(), v.back(),
                    t.median() < 50 ? "ok  " : "MISS", t.note.c_str());
    }
    std::printf("database %.1f MiB, raw text %.1f MiB, ratio %.2f (target <= 1.5) %s\n", db_bytes / 1048576.0,
                g.raw_text_bytes / 1048576.0, ratio, ratio <= 1.5 ? "ok" : "MISS");
    if (a.json) {
        nlohmann::json out = {{"database", db_path.string()}, {"database_bytes", db_bytes},
                              {"raw_text_bytes", g.raw_text_bytes}, {"size_ratio", ratio},
                              {"generation_seconds", g.seconds}, {"runs", a.runs}};
        for (const Timing& t : timings)
            out["timings"].push_back({{"name", t.name}, {"median_ms", t.median()}, {"runs_ms", t.ms}, {"note", t.note}});
        std::printf("%s\n", out.dump(1).c_str());
    }
    if (temporary && !a.keep) fs::remove_all(a.dir);
    return 0;
}
