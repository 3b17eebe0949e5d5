// Host side of the GPU ops: checks shapes against the buffers (clear errors instead of
// out-of-bounds reads), fills the shader's push constants and records one dispatch.
// Recording only: the caller adds barriers between a write and a later read and submits.
// Shapes follow the CPU ops in backend/cpu/ops.h and matmul.h.
#pragma once

#include <cstdint>

#include "backend/vulkan/buffer.h"
#include "backend/vulkan/command_recorder.h"
#include "backend/vulkan/op_registry.h"
#include "backend/vulkan/pipeline_cache.h"
#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera::vulkan {

struct AttentionShape {
    int64_t head_dim = 0, n_head = 0, n_head_kv = 0;
    int64_t n_ctx = 0;   // cache capacity in positions
    int64_t pos = 0;     // position of the first query token
    int64_t tokens = 0;  // query tokens
};

class Kernels {
public:
    // workgroup_size: a power of two the device supports (check_requirements).
    Kernels(PipelineCache& pipelines, uint32_t workgroup_size, uint32_t max_groups_x)
        : pipelines_(pipelines), workgroup_size_(workgroup_size), max_groups_x_(max_groups_x) {}

    // y[c * M + r] = dot(W row r, x row c): W is M rows of K elements of `w_type` (GGUF
    // layout), x is N rows of K floats, y is N rows of M floats. For one slice of a matrix
    // split across buffers: W holds rows row0 .. row0+M of a y_rows-row matrix, and writes
    // y[c * y_rows + row0 + r].
    Status mul_mat(CommandRecorder& rec, TensorType w_type, const Buffer& w, const Buffer& x, const Buffer& y,
                   int64_t M, int64_t K, int64_t N, int64_t row0 = 0, int64_t y_rows = 0);
    // y = x rounded as the CPU rounds activations of dot type `dot` (tensor_type_info(w).dot_type)
    // before its dot products: Q8_0/Q8_1/Q8_K grids, F16 or BF16, as floats. n: a multiple
    // of the dot type's block. F32 needs no call.
    Status quantize_act(CommandRecorder& rec, TensorType dot, const Buffer& x, const Buffer& y, int64_t n);
    // y[i] = row ids[i] of a table of n_rows rows of K elements of `type`, as floats.
    // A slice (rows row0 .. row0+n_rows of a split table) writes only the ids it holds.
    Status get_rows(CommandRecorder& rec, TensorType type, const Buffer& table, int64_t n_rows, int64_t K,
                    const Buffer& ids, int64_t n_ids, const Buffer& y, int64_t row0 = 0);
    // Each of `rows` rows of n: y = x / sqrt(mean(x^2) + eps) * weight.
    Status rms_norm(CommandRecorder& rec, const Buffer& x, const Buffer& weight, const Buffer& y, int64_t n,
                    int64_t rows, float eps);
    // In place on x [tokens][n_heads][head_dim]; cos_sin [tokens][head_dim / 2][2] from cpu::rope_cos_sin.
    Status rope(CommandRecorder& rec, const Buffer& x, const Buffer& cos_sin, int64_t n_heads, int64_t head_dim,
                int64_t tokens);
    // gate = silu(gate) * up over n floats.
    Status swiglu(CommandRecorder& rec, const Buffer& gate, const Buffer& up, int64_t n);
    // x += y over n floats.
    Status add(CommandRecorder& rec, const Buffer& x, const Buffer& y, int64_t n);
    // Softmax of each of `rows` rows of n floats, in place.
    Status softmax(CommandRecorder& rec, const Buffer& x, int64_t n, int64_t rows);
    // ids[r] = the index of row r's largest value (the first of equal ones), as uint32.
    Status argmax(CommandRecorder& rec, const Buffer& x, const Buffer& ids, int64_t n, int64_t rows);
    // The k largest of each row, largest first (equal values by index), as k pairs of uint32
    // (index, float bits) per row; 1 <= k <= n.
    Status top_k(CommandRecorder& rec, const Buffer& x, const Buffer& pairs, int64_t n, int64_t rows, int64_t k);

    // Stores n rows of kv_dim floats (K or V) into an f16 cache of [n_ctx][kv_dim] at pos.
    Status kv_store(CommandRecorder& rec, const Buffer& src, const Buffer& cache, int64_t kv_dim, int64_t pos,
                    int64_t n, int64_t n_ctx);
    // Causal attention of `tokens` query rows at positions pos.. over the f16 caches (filled
    // up to pos + tokens). scores: scratch of tokens * n_head * n_ctx floats.
    Status attention(CommandRecorder& rec, const Buffer& q, const Buffer& k_cache, const Buffer& v_cache,
                     const Buffer& scores, const Buffer& out, const AttentionShape& shape);

    uint32_t workgroup_size() const { return workgroup_size_; }

private:
    // `extra`: specialization constants after the workgroup size (constant_id 1, 2, ...).
    Result<const Pipeline*> pipeline(Op op, TensorType type = TensorType::F32, std::span<const uint32_t> extra = {});
    Status binary_in_place(CommandRecorder& rec, Op op, const Buffer& a, const Buffer& b, int64_t n);
    // A 2D grid of at least `n` workgroups (shaders fold y into x; see shaders/common.glsl).
    Result<Groups> grid(int64_t n, uint32_t z = 1) const;

    PipelineCache& pipelines_;
    uint32_t workgroup_size_;
    uint32_t max_groups_x_;
};

}  // namespace tessera::vulkan
