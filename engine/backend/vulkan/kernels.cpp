#include "backend/vulkan/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tessera::vulkan {
namespace {

template <typename Params>
std::span<const std::byte> bytes_of(const Params& p) {
    return std::as_bytes(std::span(&p, 1));
}

// The shaders index with 32-bit integers: element counts and byte offsets must fit.
Status fits_u32(int64_t v, const char* what) {
    if (v < 0 || v > std::numeric_limits<uint32_t>::max())
        return Error{std::string(what) + " = " + std::to_string(v) + " is outside what one Vulkan dispatch handles (0 .. 2^32-1)"};
    return Status::success();
}

Status holds(const Buffer& b, uint64_t bytes, const char* what) {
    if (b.size() < bytes)
        return Error{std::string(what) + " needs " + std::to_string(bytes) + " bytes; its buffer has " + std::to_string(b.size())};
    return Status::success();
}

// Checks a table of `rows` rows of K elements of `type` in `b` (shape, 32-bit byte offsets,
// buffer size) and returns the bytes of one row.
Result<uint64_t> weight_rows(TensorType type, int64_t K, int64_t rows, const Buffer& b, const std::string& op) {
    const TensorTypeInfo& info = tensor_type_info(type);
    if (K <= 0 || K % info.block_elems != 0)
        return Error{op + ": a row of " + std::to_string(K) + " is not a positive multiple of " +
                     std::string(info.name) + "'s block of " + std::to_string(info.block_elems)};
    const uint64_t row = row_bytes(info, K);
    TESSERA_TRY(fits_u32(static_cast<int64_t>(row) * rows, (op + " weight bytes").c_str()));
    TESSERA_TRY(holds(b, row * static_cast<uint64_t>(rows), (op + " weights").c_str()));
    return row;
}

constexpr uint64_t kF32 = sizeof(float);
constexpr int64_t kRowsTarget = 8;  // mul_mat: elements of a row per invocation worth a workgroup

}  // namespace

Result<const Pipeline*> Kernels::pipeline(Op op, TensorType type, std::span<const uint32_t> extra) {
    if (op_spec(op).typed && !op_supports(op, type))
        return Error{"the Vulkan backend has no " + std::string(op_spec(op).shader) + " shader for " +
                     std::string(tensor_type_info(type).name) + " tensors yet"};
    std::vector<uint32_t> spec = {workgroup_size_};
    spec.insert(spec.end(), extra.begin(), extra.end());
    return pipelines_.get(op_shader(op, type), op_spec(op).interface, spec);
}

Result<Groups> Kernels::grid(int64_t n, uint32_t z) const {
    if (n <= 0) return Groups{0, 0, 0};
    const auto total = static_cast<uint64_t>(n);
    const uint64_t x = std::min<uint64_t>(total, max_groups_x_);
    const uint64_t y = (total + x - 1) / x;
    if (y > std::numeric_limits<uint16_t>::max())  // the guaranteed minimum of maxComputeWorkGroupCount[1]
        return Error{"a dispatch of " + std::to_string(n) + " workgroups is too large to record at once"};
    return Groups{static_cast<uint32_t>(x), static_cast<uint32_t>(y), z};
}

Status Kernels::mul_mat(CommandRecorder& rec, TensorType w_type, const Buffer& w, const Buffer& x, const Buffer& y,
                        int64_t M, int64_t K, int64_t N, int64_t row0, int64_t y_rows) {
    if (y_rows == 0) y_rows = M;
    if (row0 < 0 || row0 + M > y_rows)
        return Error{"mul_mat: rows " + std::to_string(row0) + ".." + std::to_string(row0 + M) + " are outside the " +
                     std::to_string(y_rows) + " rows of the output"};
    // Columns per workgroup (COLS in mul_mat.comp): one for decode, 8 for a prefill batch.
    // Rows per workgroup (ROWS): for decode, about 8 elements of a row per invocation (a
    // prefill has COLS columns of work per workgroup already).
    const uint32_t cols = N > 1 ? 8 : 1;
    uint32_t rows = 1;
    while (N == 1 && rows < workgroup_size_ && K / (workgroup_size_ / rows) < kRowsTarget) rows *= 2;
    const uint32_t spec[] = {cols, rows};
    auto p = pipeline(Op::MulMat, w_type, spec);  // an unsupported type is the first thing to report
    if (!p) return p.error();
    auto row = weight_rows(w_type, K, M, w, "mul_mat");
    if (!row) return row.error();
    TESSERA_TRY(fits_u32(K * N, "mul_mat input elements"));
    TESSERA_TRY(fits_u32(y_rows * N, "mul_mat output elements"));
    if (N > std::numeric_limits<uint16_t>::max()) return Error{"mul_mat: more than 65535 input rows in one dispatch"};
    TESSERA_TRY(holds(x, static_cast<uint64_t>(K * N) * kF32, "mul_mat input"));
    TESSERA_TRY(holds(y, static_cast<uint64_t>(y_rows * N) * kF32, "mul_mat output"));
    auto g = grid((M + rows - 1) / rows, static_cast<uint32_t>((N + cols - 1) / cols));
    if (!g) return g.error();
    const struct { uint32_t M, K, N, row_bytes, row0, y_rows; } params{uint32_t(M), uint32_t(K), uint32_t(N), uint32_t(*row),
                                                                       uint32_t(row0), uint32_t(y_rows)};
    return rec.dispatch(**p, {&w, &x, &y}, bytes_of(params), *g);
}

Status Kernels::get_rows(CommandRecorder& rec, TensorType type, const Buffer& table, int64_t n_rows, int64_t K,
                         const Buffer& ids, int64_t n_ids, const Buffer& y, int64_t row0) {
    auto p = pipeline(Op::GetRows, type);  // an unsupported type is the first thing to report
    if (!p) return p.error();
    auto row = weight_rows(type, K, n_rows, table, "get_rows");
    if (!row) return row.error();
    TESSERA_TRY(fits_u32(K * n_ids, "get_rows output elements"));
    TESSERA_TRY(fits_u32(row0 + n_rows, "get_rows table rows"));
    if (n_ids > std::numeric_limits<uint16_t>::max()) return Error{"get_rows: more than 65535 ids in one dispatch"};
    TESSERA_TRY(holds(ids, static_cast<uint64_t>(n_ids) * sizeof(int32_t), "get_rows ids"));
    TESSERA_TRY(holds(y, static_cast<uint64_t>(K * n_ids) * kF32, "get_rows output"));
    auto g = grid((K + workgroup_size_ - 1) / workgroup_size_, static_cast<uint32_t>(n_ids));
    if (!g) return g.error();
    const struct { uint32_t K, n_ids, row_bytes, n_rows, row0; } params{uint32_t(K), uint32_t(n_ids), uint32_t(*row),
                                                                      uint32_t(n_rows), uint32_t(row0)};
    return rec.dispatch(**p, {&table, &ids, &y}, bytes_of(params), *g);
}

Status Kernels::quantize_act(CommandRecorder& rec, TensorType dot, const Buffer& x, const Buffer& y, int64_t n) {
    if (dot == TensorType::Q8_1) dot = TensorType::Q8_0;  // the same values; only Q8_1's block sum differs
    auto p = pipeline(Op::QuantizeAct, dot);
    if (!p) return p.error();
    const int block = tensor_type_info(dot).block_elems;
    if (n % block != 0)
        return Error{"quantize_act: " + std::to_string(n) + " activations are not whole blocks of " + std::to_string(block)};
    TESSERA_TRY(fits_u32(n, "quantize_act elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(n) * kF32, "quantize_act input"));
    TESSERA_TRY(holds(y, static_cast<uint64_t>(n) * kF32, "quantize_act output"));
    // One workgroup per block of the 8-bit types; one invocation per element of f16/bf16.
    auto g = grid(block > 1 ? n / block : (n + workgroup_size_ - 1) / workgroup_size_);
    if (!g) return g.error();
    const struct { uint32_t n; } params{uint32_t(n)};
    return rec.dispatch(**p, {&x, &y}, bytes_of(params), *g);
}

Status Kernels::rms_norm(CommandRecorder& rec, const Buffer& x, const Buffer& weight, const Buffer& y, int64_t n,
                         int64_t rows, float eps) {
    TESSERA_TRY(fits_u32(n * rows, "rms_norm elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(n * rows) * kF32, "rms_norm input"));
    TESSERA_TRY(holds(weight, static_cast<uint64_t>(n) * kF32, "rms_norm weight"));
    TESSERA_TRY(holds(y, static_cast<uint64_t>(n * rows) * kF32, "rms_norm output"));
    auto p = pipeline(Op::RmsNorm);
    if (!p) return p.error();
    auto g = grid(rows);
    if (!g) return g.error();
    const struct { uint32_t n, rows; float eps; } params{uint32_t(n), uint32_t(rows), eps};
    return rec.dispatch(**p, {&x, &weight, &y}, bytes_of(params), *g);
}

Status Kernels::rope(CommandRecorder& rec, const Buffer& x, const Buffer& cos_sin, int64_t n_heads, int64_t head_dim,
                     int64_t tokens) {
    if (head_dim <= 0 || head_dim % 2 != 0) return Error{"rope: head_dim " + std::to_string(head_dim) + " is not a positive even number"};
    TESSERA_TRY(fits_u32(tokens * n_heads * head_dim, "rope elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(tokens * n_heads * head_dim) * kF32, "rope input"));
    TESSERA_TRY(holds(cos_sin, static_cast<uint64_t>(tokens * head_dim) * kF32, "rope cos/sin table"));
    auto p = pipeline(Op::Rope);
    if (!p) return p.error();
    const int64_t pairs = tokens * n_heads * (head_dim / 2);
    auto g = grid((pairs + workgroup_size_ - 1) / workgroup_size_);
    if (!g) return g.error();
    const struct { uint32_t n_heads, head_dim, tokens; } params{uint32_t(n_heads), uint32_t(head_dim), uint32_t(tokens)};
    return rec.dispatch(**p, {&x, &cos_sin}, bytes_of(params), *g);
}

// swiglu and add share a shape: a[i] = f(a[i], b[i]) over n floats, one invocation each.
Status Kernels::binary_in_place(CommandRecorder& rec, Op op, const Buffer& a, const Buffer& b, int64_t n) {
    const std::string name(op_spec(op).shader);
    TESSERA_TRY(fits_u32(n, (name + " elements").c_str()));
    TESSERA_TRY(holds(a, static_cast<uint64_t>(n) * kF32, (name + " destination").c_str()));
    TESSERA_TRY(holds(b, static_cast<uint64_t>(n) * kF32, (name + " source").c_str()));
    auto p = pipeline(op);
    if (!p) return p.error();
    auto g = grid((n + workgroup_size_ - 1) / workgroup_size_);
    if (!g) return g.error();
    const struct { uint32_t n; } params{uint32_t(n)};
    return rec.dispatch(**p, {&a, &b}, bytes_of(params), *g);
}

Status Kernels::swiglu(CommandRecorder& rec, const Buffer& gate, const Buffer& up, int64_t n) {
    return binary_in_place(rec, Op::SwiGlu, gate, up, n);
}

Status Kernels::add(CommandRecorder& rec, const Buffer& x, const Buffer& y, int64_t n) {
    return binary_in_place(rec, Op::Add, x, y, n);
}

Status Kernels::kv_store(CommandRecorder& rec, const Buffer& src, const Buffer& cache, int64_t kv_dim, int64_t pos,
                         int64_t n, int64_t n_ctx) {
    if (kv_dim <= 0 || kv_dim % 2 != 0) return Error{"kv_store: kv_dim " + std::to_string(kv_dim) + " is not a positive even number"};
    if (pos < 0 || n < 0 || pos + n > n_ctx)
        return Error{"kv_store: positions " + std::to_string(pos) + " + " + std::to_string(n) + " exceed the cache of " + std::to_string(n_ctx)};
    TESSERA_TRY(fits_u32(n_ctx * kv_dim, "kv_store cache elements"));
    TESSERA_TRY(holds(src, static_cast<uint64_t>(n * kv_dim) * kF32, "kv_store source"));
    TESSERA_TRY(holds(cache, static_cast<uint64_t>(n_ctx * kv_dim) * 2, "kv_store cache"));
    auto p = pipeline(Op::KvStore);
    if (!p) return p.error();
    auto g = grid((n * kv_dim / 2 + workgroup_size_ - 1) / workgroup_size_);
    if (!g) return g.error();
    const struct { uint32_t kv_dim, pos, n; } params{uint32_t(kv_dim), uint32_t(pos), uint32_t(n)};
    return rec.dispatch(**p, {&src, &cache}, bytes_of(params), *g);
}

Status Kernels::attention(CommandRecorder& rec, const Buffer& q, const Buffer& k_cache, const Buffer& v_cache,
                          const Buffer& scores, const Buffer& out, const AttentionShape& s) {
    if (s.head_dim <= 0 || s.head_dim % 2 != 0 || s.n_head_kv <= 0 || s.n_head % s.n_head_kv != 0)
        return Error{"attention: head_dim " + std::to_string(s.head_dim) + " must be even and " + std::to_string(s.n_head) +
                     " query heads a multiple of " + std::to_string(s.n_head_kv) + " KV heads"};
    if (s.pos < 0 || s.tokens < 0 || s.pos + s.tokens > s.n_ctx)
        return Error{"attention: positions " + std::to_string(s.pos) + " + " + std::to_string(s.tokens) +
                     " exceed the cache of " + std::to_string(s.n_ctx)};
    const int64_t q_elems = s.tokens * s.n_head * s.head_dim, kv_elems = s.n_ctx * s.n_head_kv * s.head_dim;
    TESSERA_TRY(fits_u32(s.tokens * s.n_head * s.n_ctx, "attention scores"));
    TESSERA_TRY(fits_u32(kv_elems, "attention cache elements"));
    TESSERA_TRY(holds(q, static_cast<uint64_t>(q_elems) * kF32, "attention queries"));
    TESSERA_TRY(holds(k_cache, static_cast<uint64_t>(kv_elems) * 2, "attention K cache"));
    TESSERA_TRY(holds(v_cache, static_cast<uint64_t>(kv_elems) * 2, "attention V cache"));
    TESSERA_TRY(holds(scores, static_cast<uint64_t>(s.tokens * s.n_head * s.n_ctx) * kF32, "attention scores"));
    TESSERA_TRY(holds(out, static_cast<uint64_t>(q_elems) * kF32, "attention output"));
    auto p = pipeline(Op::Attention);
    if (!p) return p.error();
    auto g = grid(s.tokens * s.n_head);
    if (!g) return g.error();
    const struct { uint32_t head_dim, n_head, n_head_kv, pos, n_ctx, tokens; float scale; } params{
        uint32_t(s.head_dim), uint32_t(s.n_head), uint32_t(s.n_head_kv), uint32_t(s.pos), uint32_t(s.n_ctx),
        uint32_t(s.tokens), 1.0f / std::sqrt(static_cast<float>(s.head_dim))};
    return rec.dispatch(**p, {&q, &k_cache, &v_cache, &scores, &out}, bytes_of(params), *g);
}

Status Kernels::softmax(CommandRecorder& rec, const Buffer& x, int64_t n, int64_t rows) {
    if (n <= 0) return Error{"softmax: a row must have at least one element"};
    TESSERA_TRY(fits_u32(n * rows, "softmax elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(n * rows) * kF32, "softmax input"));
    auto p = pipeline(Op::Softmax);
    if (!p) return p.error();
    auto g = grid(rows);
    if (!g) return g.error();
    const struct { uint32_t n, rows; } params{uint32_t(n), uint32_t(rows)};
    return rec.dispatch(**p, {&x}, bytes_of(params), *g);
}

Status Kernels::argmax(CommandRecorder& rec, const Buffer& x, const Buffer& ids, int64_t n, int64_t rows) {
    if (n <= 0) return Error{"argmax: a row must have at least one element"};
    TESSERA_TRY(fits_u32(n * rows, "argmax elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(n * rows) * kF32, "argmax input"));
    TESSERA_TRY(holds(ids, static_cast<uint64_t>(rows) * sizeof(uint32_t), "argmax output"));
    auto p = pipeline(Op::Argmax);
    if (!p) return p.error();
    auto g = grid(rows);
    if (!g) return g.error();
    const struct { uint32_t n, rows; } params{uint32_t(n), uint32_t(rows)};
    return rec.dispatch(**p, {&x, &ids}, bytes_of(params), *g);
}

Status Kernels::top_k(CommandRecorder& rec, const Buffer& x, const Buffer& pairs, int64_t n, int64_t rows, int64_t k) {
    if (k <= 0 || k > n) return Error{"top-k: k = " + std::to_string(k) + " must be 1 to the row's " + std::to_string(n) + " values"};
    TESSERA_TRY(fits_u32(n * rows, "top-k elements"));
    TESSERA_TRY(holds(x, static_cast<uint64_t>(n * rows) * kF32, "top-k input"));
    TESSERA_TRY(holds(pairs, static_cast<uint64_t>(2 * k * rows) * sizeof(uint32_t), "top-k output"));
    auto p = pipeline(Op::TopK);
    if (!p) return p.error();
    auto g = grid(rows);
    if (!g) return g.error();
    // Rounds per dispatch: each scans n / wg values per invocation, and llvmpipe stops an
    // invocation's loops after 65535 iterations in all (the shader says more).
    const int64_t per_round = (n + workgroup_size_ - 1) / workgroup_size_ + 16;
    const int64_t rounds = std::max<int64_t>(1, 60000 / per_round);
    for (int64_t first = 0; first < k; first += rounds) {
        if (first > 0) TESSERA_TRY(rec.barrier());  // the next dispatch resumes from this one's last pick
        const struct { uint32_t n, rows, k, first, count; } params{uint32_t(n), uint32_t(rows), uint32_t(k), uint32_t(first),
                                                                  uint32_t(rounds)};
        TESSERA_TRY(rec.dispatch(**p, {&x, &pairs}, bytes_of(params), *g));
    }
    return Status::success();
}

}  // namespace tessera::vulkan
